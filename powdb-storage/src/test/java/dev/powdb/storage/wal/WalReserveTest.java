package dev.powdb.storage.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.io.ForwardingStorageFile;
import dev.powdb.storage.io.ForwardingStorageFs;
import dev.powdb.storage.io.OsStorageFs;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.io.StorageFs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL's reserve thread: zeroed space kept ahead of the frames off the commit path, segments sealed to exactly
 * their frames while it runs, every record readable after a reopen, and a failure of its writes poisoning the WAL.
 */
class WalReserveTest {
    private static final int SEGMENT_BYTES = 6 << 20;

    @TempDir
    Path tmp;

    private static byte[] payload(long i, int size) {
        byte[] b = new byte[size];
        new Random(i).nextBytes(b);
        return b;
    }

    /** Appends {@code count} records of {@code size} random bytes (seeded by their number), syncing every 10th. */
    private static void append(Wal wal, int from, int count, int size) {
        for (int i = from; i < from + count; i++) {
            byte[] p = payload(i, size);
            long lsn = wal.append(WalRecordType.COMMIT, i, out -> out.bytes(p, 0, p.length));
            if (i % 10 == 0) {
                wal.sync(lsn);
            }
        }
    }

    private static List<WalRecord> readAll(Path dir) throws IOException {
        List<WalRecord> records = new ArrayList<>();
        new WalScanner(OsStorageFs.INSTANCE, dir).scan(1, false, records::add);
        return records;
    }

    /** The log holds exactly the records {@link #append} wrote, numbered 0..count-1, at LSNs 1..count. */
    private static void assertRecords(Path dir, int count, int size) throws IOException {
        List<WalRecord> records = readAll(dir);
        assertEquals(count, records.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(i + 1, records.get(i).lsn);
            assertArrayEquals(payload(i, size), records.get(i).payload, "record " + i);
        }
    }

    /** Every segment but the newest ends with its last frame, and the next one starts at the LSN after it. */
    private static void assertSealedSegmentsHoldExactlyTheirFrames(Path dir) throws IOException {
        List<Long> starts = new WalScanner(OsStorageFs.INSTANCE, dir).segments();
        for (int i = 0; i + 1 < starts.size(); i++) {
            Path p = dir.resolve(WalFormat.segmentName(starts.get(i)));
            byte[] data = Files.readAllBytes(p);
            WalSegmentReader.Contents c = WalSegmentReader.read(data, starts.get(i), p.toString(), r -> { });
            assertEquals(data.length, c.lengthBytes(), "sealed segment " + p.getFileName() + " holds more than "
                    + "its frames");
            assertEquals(starts.get(i + 1) - 1, c.lastLsn(), "segment " + p.getFileName() + " ends where the next "
                    + "begins");
        }
    }

    @Test
    void aBusyLogHasSpaceReservedAheadAndEveryRecordSurvivesAReopen() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Wal wal = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, 1, null, 0, 0);
        try {
            append(wal, 0, 6000, 3000); // about 18 MB: three segment switches
            Wal.Tail tail = wal.syncedTail();
            long deadline = System.nanoTime() + 10_000_000_000L;
            Path current = dir.resolve(WalFormat.segmentName(tail.segmentStartLsn()));
            while (Files.size(current) - tail.segmentLength() < Wal.RESERVE_AHEAD_BYTES / 2
                    && tail.segmentLength() + Wal.RESERVE_AHEAD_BYTES / 2 <= SEGMENT_BYTES
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(wal.reservedInBackground() > 0, "the reserve thread reserved nothing");
            if (tail.segmentLength() + Wal.RESERVE_AHEAD_BYTES / 2 <= SEGMENT_BYTES) {
                assertTrue(Files.size(current) - tail.segmentLength() >= Wal.RESERVE_AHEAD_BYTES / 2,
                        "space ahead of the frames: " + (Files.size(current) - tail.segmentLength()));
            }
        } finally {
            wal.close();
        }
        assertRecords(dir, 6000, 3000);
    }

    /**
     * A segment switch takes the next segment the reserve thread prepared (zeroed and fsynced under a name no reader
     * takes for a segment) instead of creating one while commits wait; records stay in order across such switches,
     * sealed segments hold exactly their frames, and the new segment starts with its own header.
     */
    @Test
    void switchesUseTheNextSegmentPreparedInTheBackground() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Wal wal = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, 1, null, 0, 0);
        int total = 0;
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (wal.preparedSegmentsUsed() < 2 && System.nanoTime() < deadline) {
                append(wal, total, 100, 3000); // 300 KB at a time, with pauses for the reserve thread
                total += 100;
                wal.sync(wal.maxLsn());
                Thread.sleep(2);
            }
            append(wal, total, 100, 3000);
            total += 100;
            wal.sealCurrent();
            assertTrue(wal.preparedSegmentsUsed() >= 2, "switches with a prepared segment: "
                    + wal.preparedSegmentsUsed());
        } finally {
            wal.close();
        }
        assertRecords(dir, total, 3000);
        assertSealedSegmentsHoldExactlyTheirFrames(dir);
    }

    /**
     * Near a segment's end the space ahead of the frames is short because the segment ends there, not because
     * zeros are missing: once the reserve thread has zeroed the segment to its end and prepared the next one, the
     * commits there must not wake it for nothing (before, every write in the last 2 MiB of a segment did).
     */
    @Test
    void theReserveThreadIsNotWokenForNothingNearTheEndOfASegment() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Wal wal = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, 1, null, 0, 0);
        try {
            // About 4.9 MiB of frames: past the 4 MiB after which the thread works in the background, and within
            // the last 2 MiB of the 6 MiB segment.
            append(wal, 0, 1700, 3000);
            wal.sync(wal.maxLsn());
            assertEquals(1, wal.syncedTail().segmentStartLsn(), "still in the first segment");
            Path current = dir.resolve(WalFormat.segmentName(1));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((Files.size(current) < SEGMENT_BYTES || !wal.nextSegmentPrepared())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.size(current) >= SEGMENT_BYTES, "zeroed to the segment's end: " + Files.size(current));
            assertTrue(wal.nextSegmentPrepared(), "next segment prepared");
            long before = wal.reserverPasses();
            for (int i = 1700; i < 1740; i++) {
                byte[] p = payload(i, 3000);
                wal.sync(wal.append(WalRecordType.COMMIT, i, out -> out.bytes(p, 0, p.length)));
                Thread.sleep(5); // each wake, if any, is taken on its own
            }
            assertEquals(1, wal.syncedTail().segmentStartLsn(), "the 40 commits stayed in the first segment");
            long passes = wal.reserverPasses() - before;
            assertTrue(passes <= 2, "the reserve thread was woken " + passes + " times by 40 commits");
        } finally {
            wal.close();
        }
        assertRecords(dir, 1740, 3000);
    }

    /**
     * A crash can leave a prepared next segment behind, even with the header a switch was writing into it when the
     * process died (its rename had not happened, so it holds no acknowledged record). Readers ignore it and the
     * next WAL opened over the directory deletes it.
     */
    @Test
    void aPreparedSegmentLeftByACrashIsIgnoredAndDeleted() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Wal wal = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, 1, null, 0, 0);
        Wal.Tail tail;
        try {
            append(wal, 0, 100, 500);
            tail = wal.syncedTail();
        } finally {
            wal.close();
        }
        Path leftover = dir.resolve(Wal.NEXT_SEGMENT_NAME);
        byte[] stale = new byte[1 << 20];
        byte[] header = WalFormat.segmentHeader(tail.lastLsn() + 1);
        System.arraycopy(header, 0, stale, 0, header.length);
        Files.write(leftover, stale);
        assertEquals(100, readAll(dir).size(), "a reader took the leftover for a segment");
        Wal reopened = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, tail.lastLsn() + 1,
                dir.resolve(WalFormat.segmentName(tail.segmentStartLsn())), tail.segmentStartLsn(),
                tail.segmentLength());
        try {
            assertTrue(!Files.exists(leftover), "the leftover prepared segment was not deleted");
            append(reopened, 100, 50, 500);
            reopened.sync(reopened.maxLsn());
        } finally {
            reopened.close();
        }
        assertRecords(dir, 150, 500);
    }

    @Test
    void sealedSegmentsHoldExactlyTheirFramesWhileWritersRace() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Wal wal = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, 1, null, 0, 0);
        AtomicInteger appended = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            for (int t = 0; t < 3; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    try {
                        Random r = new Random(seed);
                        for (int i = 0; i < 2500; i++) {
                            byte[] p = new byte[200 + r.nextInt(4000)];
                            r.nextBytes(p);
                            long lsn = wal.append(WalRecordType.COMMIT, seed, out -> out.bytes(p, 0, p.length));
                            appended.incrementAndGet();
                            if (r.nextInt(4) == 0) {
                                wal.sync(lsn);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            assertTrue(failures.isEmpty(), "writers failed: " + failures);
            wal.sealCurrent();
        } finally {
            wal.close();
        }
        List<Long> starts = new WalScanner(OsStorageFs.INSTANCE, dir).segments();
        assertTrue(starts.size() >= 3, "segments: " + starts);
        assertSealedSegmentsHoldExactlyTheirFrames(dir);
        assertEquals(appended.get(), readAll(dir).size());
    }

    /** Appends {@code count} records of {@code size} bytes and hands them to the OS (no fsync), as NORMAL commits do. */
    private static void appendAndFlush(Wal wal, int from, int count, int size) {
        for (int i = from; i < from + count; i++) {
            byte[] p = payload(i, size);
            long lsn = wal.append(WalRecordType.COMMIT, i, out -> out.bytes(p, 0, p.length));
            wal.flush(lsn);
        }
    }

    private static void awaitNoSealPending(Wal wal) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (wal.sealPending() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(!wal.sealPending(), "the reserve thread did not seal the old segment");
    }

    /** Appends and flushes records of 3000 bytes from {@code from} until a switch leaves a seal pending. */
    private static int appendUntilASealIsPending(Wal wal, int from) {
        int total = from;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!wal.sealPending() && System.nanoTime() < deadline) {
            appendAndFlush(wal, total, 10, 3000);
            total += 10;
        }
        assertTrue(wal.sealPending(), "no segment switch");
        return total;
    }

    /**
     * The real file system, where a truncate (or an fsync) of a WAL segment by a thread that {@code holds}
     * accepts waits, once {@link #hold} is set, until {@link #release}.
     */
    private static final class HoldingFs extends ForwardingStorageFs {
        final java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
        final java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final boolean syncs;
        private final java.util.function.Predicate<Thread> holds;

        HoldingFs(boolean syncs, java.util.function.Predicate<Thread> holds) {
            super(OsStorageFs.INSTANCE);
            this.syncs = syncs;
            this.holds = holds;
        }

        private void maybeHold(Path path) throws IOException {
            if (hold.get() && WalFormat.parseSegmentName(path.getFileName().toString()) >= 0
                    && holds.test(Thread.currentThread())) {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        }

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            return new ForwardingStorageFile(f) {
                @Override
                public void truncate(long size) throws IOException {
                    if (!syncs) {
                        maybeHold(path);
                    }
                    super.truncate(size);
                }

                @Override
                public void sync() throws IOException {
                    if (syncs) {
                        maybeHold(path);
                    }
                    super.sync();
                }
            };
        }
    }

    /**
     * A segment switch on the committing thread fsyncs nothing: the old segment is cut, fsynced and closed, and
     * the new one's directory entry fsynced, by the reserve thread afterwards. Records and sealed segments come
     * out as before.
     */
    @Test
    void theCommittingThreadSwitchesSegmentsWithoutAnFsync() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Thread committer = Thread.currentThread();
        List<String> committerSyncs = new java.util.concurrent.CopyOnWriteArrayList<>();
        StorageFs fs = new ForwardingStorageFs(OsStorageFs.INSTANCE) {
            @Override
            protected StorageFile wrap(Path path, StorageFile f) {
                return new ForwardingStorageFile(f) {
                    @Override
                    public void sync() throws IOException {
                        if (Thread.currentThread() == committer) {
                            committerSyncs.add("fsync " + path.getFileName());
                        }
                        super.sync();
                    }
                };
            }

            @Override
            public void syncDirectory(Path d) throws IOException {
                if (Thread.currentThread() == committer) {
                    committerSyncs.add("directory fsync");
                }
                super.syncDirectory(d);
            }
        };
        Wal wal = new Wal(fs, dir, SEGMENT_BYTES, 1, null, 0, 0);
        int total = 0;
        try {
            appendAndFlush(wal, 0, 2000, 3000); // past the reserve thread's start
            total = 2000;
            committerSyncs.clear();
            long deadline = System.nanoTime() + 30_000_000_000L;
            int sealsBefore = wal.sealsInBackground();
            while (wal.sealsInBackground() < sealsBefore + 2 && System.nanoTime() < deadline) {
                awaitNoSealPending(wal);
                appendAndFlush(wal, total, 100, 3000);
                total += 100;
                Thread.sleep(2);
            }
            assertTrue(wal.sealsInBackground() >= sealsBefore + 2, "seals in the background: "
                    + wal.sealsInBackground());
            assertEquals(List.of(), committerSyncs, "fsyncs on the committing thread");
            wal.sealCurrent();
        } finally {
            wal.close();
        }
        assertRecords(dir, total, 3000);
        assertSealedSegmentsHoldExactlyTheirFrames(dir);
    }

    /**
     * While the old segment waits for its seal: the archiver is told it is not sealed, a durable sync waits for
     * the seal, and a process that dies meanwhile loses nothing it wrote. The old segment is then still followed
     * by its reserved zeros and the next segment continues after its last frame; recovery reads on into the next
     * segment (it is not a torn tail) and cuts the zeros.
     */
    @Test
    void aSegmentWaitingForItsSealLosesNothingInACrashAndHoldsBackDurability() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Thread committer = Thread.currentThread();
        // Only a seal cuts a segment (a prepared file is not one), on the reserve thread or on a thread that syncs;
        // the committing thread never does here.
        HoldingFs fs = new HoldingFs(false, t -> t != committer);
        Path crashed = tmp.resolve("crashed");
        Wal wal = new Wal(fs, dir, SEGMENT_BYTES, 1, null, 0, 0);
        int total;
        long oldStart;
        try {
            appendAndFlush(wal, 0, 1000, 3000);
            total = 1000;
            oldStart = wal.currentSegmentStart();
            fs.hold.set(true);
            total = appendUntilASealIsPending(wal, total);
            appendAndFlush(wal, total, 200, 3000); // into the new segment, well short of the next switch
            total += 200;
            assertEquals(oldStart, wal.currentSegmentStart(), "the archiver would take the old segment as sealed");
            long last = wal.maxLsn();
            Thread syncer = new Thread(() -> wal.sync(last), "test-sync");
            syncer.start();
            syncer.join(300);
            assertTrue(syncer.isAlive(), "a sync returned before the old segment was sealed");
            assertTrue(wal.durableLsn() < last, "durable LSN " + wal.durableLsn() + " before the seal");

            // The files as a process killed now leaves them (the kernel keeps what was written).
            copyDirectory(dir, crashed);
            List<Long> starts = new WalScanner(OsStorageFs.INSTANCE, crashed).segments();
            Path oldSegment = crashed.resolve(WalFormat.segmentName(starts.get(starts.size() - 2)));
            byte[] old = Files.readAllBytes(oldSegment);
            assertTrue(old.length > 0 && old[old.length - 1] == 0, "the unsealed segment ends in reserved zeros");

            fs.release.countDown();
            syncer.join(30_000);
            assertTrue(!syncer.isAlive(), "the sync never returned");
            assertTrue(wal.durableLsn() >= last, "durable LSN after the seal: " + wal.durableLsn());
            assertTrue(!wal.sealPending());
        } finally {
            fs.release.countDown();
            wal.close();
        }
        assertRecords(dir, total, 3000);
        assertSealedSegmentsHoldExactlyTheirFrames(dir);

        List<WalRecord> recovered = new ArrayList<>();
        WalScanner.End end = new WalScanner(OsStorageFs.INSTANCE, crashed).scan(1, true, recovered::add);
        assertEquals(total, recovered.size(), "records recovered from the crashed copy");
        assertEquals(0, end.tornBytes, "nothing was torn");
        assertRecords(crashed, total, 3000);
        assertSealedSegmentsHoldExactlyTheirFrames(crashed);
    }

    /** A thread that needs something durable seals a pending segment first, itself if no one else has. */
    @Test
    void aSyncSealsThePendingSegmentBeforeAnythingAfterItCountsAsDurable() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Wal wal = new Wal(OsStorageFs.INSTANCE, dir, SEGMENT_BYTES, 1, null, 0, 0);
        int total;
        try {
            appendAndFlush(wal, 0, 1000, 3000);
            total = 1000;
            wal.holdBackgroundSeals(true);
            total = appendUntilASealIsPending(wal, total);
            appendAndFlush(wal, total, 50, 3000);
            total += 50;
            long before = wal.durableLsn();
            wal.sync(wal.maxLsn());
            assertTrue(!wal.sealPending(), "a sync into the new segment returned with the old one unsealed");
            assertTrue(wal.durableLsn() >= wal.maxLsn() && before < wal.maxLsn());
            assertSealedSegmentsHoldExactlyTheirFrames(dir);
        } finally {
            wal.close();
        }
        assertRecords(dir, total, 3000);
    }

    /**
     * The reserve thread fsyncs its zeros without the reserve lock, which a segment switch takes: a switch does not
     * wait for that fsync (in {@code normal} mode it also writes out every commit since the last one).
     */
    @Test
    void aSwitchDoesNotWaitForTheReserveThreadsFsync() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        HoldingFs fs = new HoldingFs(true, t -> t.getName().equals("powdb-wal-reserve"));
        Wal wal = new Wal(fs, dir, SEGMENT_BYTES, 1, null, 0, 0);
        int[] total = {0};
        try {
            appendAndFlush(wal, 0, 1000, 3000); // past the reserve thread's start, into the second segment
            total[0] = 1000;
            awaitNoSealPending(wal);
            long segment = wal.currentSegmentStart();
            fs.hold.set(true);
            // Enough for the reserve thread to add a step; it then holds in that step's fsync.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (fs.holding.getCount() > 0 && System.nanoTime() < deadline) {
                appendAndFlush(wal, total[0], 10, 3000);
                total[0] += 10;
                Thread.sleep(1);
            }
            assertEquals(0, fs.holding.getCount(), "the reserve thread never fsynced");
            assertEquals(segment, wal.currentSegmentStart(), "the step's fsync was a seal's, not a reserve step's");
            Thread committer = new Thread(() -> {
                while (!wal.sealPending()) { // until a switch: the old segment then waits for its seal
                    appendAndFlush(wal, total[0], 10, 3000);
                    total[0] += 10;
                }
            }, "test-committer");
            committer.start();
            committer.join(30_000);
            boolean switched = !committer.isAlive();
            fs.release.countDown();
            committer.join(30_000);
            assertTrue(switched, "the segment switch waited for the reserve thread's fsync");
        } finally {
            fs.release.countDown();
            wal.close();
        }
        assertRecords(dir, total[0], 3000);
        assertSealedSegmentsHoldExactlyTheirFrames(dir);
    }

    /**
     * Every write of frames ends on a page boundary (padded with zeros), so the kernel never has to read the page
     * a write ends in from the disk first; the records come back whole, also after a reopen in the middle of a
     * page (the next write starts right after the last frame, over the padding).
     */
    @Test
    void writesOfFramesEndOnAPageBoundary() throws Exception {
        Path dir = tmp.resolve("wal");
        Files.createDirectories(dir);
        Thread committer = Thread.currentThread();
        List<String> partial = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger writes = new AtomicInteger();
        StorageFs fs = new ForwardingStorageFs(OsStorageFs.INSTANCE) {
            @Override
            protected StorageFile wrap(Path path, StorageFile f) {
                return new ForwardingStorageFile(f) {
                    @Override
                    public void write(ByteBuffer src, long position) throws IOException {
                        if (Thread.currentThread() == committer && position > 0) { // not a segment header
                            writes.incrementAndGet();
                            if ((position + src.remaining()) % Wal.WRITE_PAGE_BYTES != 0) {
                                partial.add(path.getFileName() + " @" + position + "+" + src.remaining());
                            }
                        }
                        super.write(src, position);
                    }
                };
            }
        };
        Wal.Tail tail;
        Wal wal = new Wal(fs, dir, SEGMENT_BYTES, 1, null, 0, 0);
        try {
            append(wal, 0, 3000, 777); // odd sizes: most writes end inside a page
            tail = wal.syncedTail();
        } finally {
            wal.close();
        }
        assertTrue(tail.segmentLength() % Wal.WRITE_PAGE_BYTES != 0, "the test wants a log that ends mid-page");
        Wal reopened = new Wal(fs, dir, SEGMENT_BYTES, tail.lastLsn() + 1,
                dir.resolve(WalFormat.segmentName(tail.segmentStartLsn())), tail.segmentStartLsn(),
                tail.segmentLength());
        try {
            append(reopened, 3000, 500, 777);
            reopened.sync(reopened.maxLsn());
        } finally {
            reopened.close();
        }
        assertTrue(writes.get() > 100, "writes seen: " + writes.get());
        assertTrue(partial.isEmpty(), partial.size() + " writes ending inside a page, the first: "
                + partial.subList(0, Math.min(5, partial.size())));
        assertRecords(dir, 3500, 777);
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (java.util.stream.Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void aFailedWriteOrFsyncOfTheReserveThreadPoisonsTheLog() throws Exception {
        for (boolean failSync : new boolean[] {false, true}) {
            Path dir = tmp.resolve("wal-" + failSync);
            Files.createDirectories(dir);
            FailingReserveFs fs = new FailingReserveFs(failSync);
            Wal wal = new Wal(fs, dir, SEGMENT_BYTES, 1, null, 0, 0);
            try {
                long deadline = System.nanoTime() + 10_000_000_000L;
                int i = 0;
                while (wal.poison() == null && System.nanoTime() < deadline) {
                    try {
                        append(wal, i, 100, 3000);
                    } catch (PowDbException e) {
                        assertEquals(ErrorCode.POISONED, e.code(), e.getMessage());
                    }
                    i += 100;
                }
                assertNotNull(wal.poison(), "the reserve thread's failure did not poison the WAL");
                assertSame(fs.thrown, wal.poison(), "poisoned by the injected failure");
                PowDbException e = assertThrows(PowDbException.class,
                        () -> wal.append(WalRecordType.COMMIT, 1, out -> out.i64(1)));
                assertEquals(ErrorCode.POISONED, e.code());
            } finally {
                wal.abandon();
            }
        }
    }

    /** The real file system, whose WAL files fail a write (or an fsync) made by the reserve thread. */
    private static final class FailingReserveFs extends ForwardingStorageFs {
        private final boolean failSync;
        volatile IOException thrown;

        FailingReserveFs(boolean failSync) {
            super(OsStorageFs.INSTANCE);
            this.failSync = failSync;
        }

        private void maybeFail(boolean sync) throws IOException {
            if (sync == failSync && Thread.currentThread().getName().equals("powdb-wal-reserve") && thrown == null) {
                thrown = new IOException("injected " + (sync ? "fsync" : "write") + " failure");
                throw thrown;
            }
        }

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            return new ForwardingStorageFile(f) {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    maybeFail(false);
                    super.write(src, position);
                }

                @Override
                public void sync() throws IOException {
                    maybeFail(true);
                    super.sync();
                }
            };
        }
    }
}
