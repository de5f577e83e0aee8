package dev.powdb.storage.page;

import dev.powdb.storage.io.ForwardingStorageFile;
import dev.powdb.storage.io.OsStorageFs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The buffer pool reuses evicted frames for later reads: every read must still see its own page's bytes, a fresh
 * page must start from zeros, and concurrent readers and writers on a pool far smaller than the file must never
 * see another page's bytes or half of an edit.
 */
class BufferPoolReuseTest {
    private static final int FILE_ID = 11;
    private static final int PAGES = 200;
    /** Content starts here: page number, version, then a fill byte derived from both. */
    private static final int OFF_NO = Page.HEADER_SIZE;
    private static final int OFF_VERSION = Page.HEADER_SIZE + 4;
    private static final int OFF_FILL = Page.HEADER_SIZE + 8;

    @TempDir
    Path dir;

    private final AtomicLong lsn = new AtomicLong();
    private final EditLog log = (page, ranges, before) -> lsn.incrementAndGet();
    private final List<PagedFile> opened = new ArrayList<>();

    @AfterEach
    void closeFiles() throws IOException {
        for (PagedFile f : opened) {
            f.close();
        }
    }

    private PagedFile open(BufferPool pool) throws IOException {
        Path path = dir.resolve("t.heap");
        PagedFile f = new PagedFile(FILE_ID, "t.heap", path, OsStorageFs.INSTANCE.open(path, true), pool);
        opened.add(f);
        return f;
    }

    private static byte fill(int pageNo, int version) {
        return (byte) (pageNo * 31 + version * 7 + 1);
    }

    private void write(Page p, int version) {
        try (PageEdit e = PageEdit.begin(p, log)) {
            if (version == 0) {
                p.format(PageType.HEAP);
            }
            p.putInt(OFF_NO, p.pageNo());
            p.putInt(OFF_VERSION, version);
            byte[] body = new byte[Page.SIZE - OFF_FILL];
            java.util.Arrays.fill(body, fill(p.pageNo(), version));
            p.putBytes(OFF_FILL, body, 0, body.length);
        }
    }

    /** Checks a pinned page's bytes; returns its version. */
    private static int check(Page p, int expectedNo) {
        assertEquals(expectedNo, p.pageNo(), "identity of the pinned frame");
        assertEquals(expectedNo, p.getInt(OFF_NO), "page " + expectedNo + " holds another page's bytes");
        int version = p.getInt(OFF_VERSION);
        byte want = fill(expectedNo, version);
        for (int i = OFF_FILL; i < Page.SIZE; i++) {
            if (p.getByte(i) != want) {
                throw new AssertionError("page " + expectedNo + " version " + version + ": byte " + i + " is "
                        + p.getByte(i) + ", expected " + want + " (torn edit or a reused frame's old bytes)");
            }
        }
        return version;
    }

    /** Pins page {@code no}, checks its bytes and returns its version. */
    private static int versionOf(PagedFile f, int no) {
        Page p = f.pin(no);
        try {
            return check(p, no);
        } finally {
            p.unpin();
        }
    }

    /** A file of {@link #PAGES} pages, every page past the header written at version 0 and flushed. */
    private void createFile() throws IOException {
        createFile("t.heap", PAGES);
    }

    /** {@code dir/name} with {@code pages} pages, every page past the header written at version 0 and flushed. */
    private Path createFile(String name, int pages) throws IOException {
        Path path = dir.resolve(name);
        BufferPool pool = new BufferPool(64, PageFlushGate.NONE);
        PagedFile f = new PagedFile(FILE_ID, name, path, OsStorageFs.INSTANCE.open(path, true), pool);
        try {
            f.writeHeader(log, 1);
            for (int i = 1; i < pages; i++) {
                Page p = f.allocate();
                try {
                    write(p, 0);
                } finally {
                    p.unpin();
                }
            }
            f.flushAndSync();
        } finally {
            f.close();
        }
        return path;
    }

    @Test
    void readsThroughATinyPoolReuseFramesAndSeeTheirOwnPages() throws IOException {
        createFile();
        BufferPool pool = new BufferPool(16, PageFlushGate.NONE);
        PagedFile f = open(pool);
        Random rnd = new Random(5);
        for (int i = 0; i < 3000; i++) {
            assertEquals(0, versionOf(f, 1 + rnd.nextInt(PAGES - 1)));
        }
        long reads = pool.reads();
        assertTrue(reads > 2000, "pages read: " + reads);
        // Every read past the first few (the pool filling, plus the debug mode's reserve) reused a frame.
        assertTrue(pool.reusedFrames() >= reads - 16 - 40,
                "frames reused " + pool.reusedFrames() + " of " + reads + " reads");
    }

    @Test
    void aFreshPageInAReusedFrameStartsFromZeros() throws IOException {
        createFile();
        BufferPool pool = new BufferPool(16, PageFlushGate.NONE);
        PagedFile f = open(pool);
        for (int no = 1; no < PAGES; no++) {
            f.pin(no).unpin();
        }
        long before = pool.reusedFrames();
        Page fresh = f.allocate();
        try {
            assertEquals(before + 1, pool.reusedFrames(), "the new page took an evicted frame");
            for (int i = 0; i < Page.SIZE; i++) {
                assertEquals(0, fresh.getByte(i), "byte " + i + " of a fresh page");
            }
        } finally {
            fresh.unpin();
        }
    }

    @Test
    void changesOfReusedFramesReachTheFileAndComeBack() throws IOException {
        createFile();
        BufferPool pool = new BufferPool(16, PageFlushGate.NONE);
        PagedFile f = open(pool);
        // Each change is evicted (written back) by later reads, and its frame reused for another page.
        for (int round = 1; round <= 3; round++) {
            for (int no = 1; no < PAGES; no++) {
                Page p = f.pin(no);
                try {
                    assertEquals(round - 1, check(p, no));
                    write(p, round);
                } finally {
                    p.unpin();
                }
            }
        }
        pool.flushAll();
        f.close();
        opened.remove(f);
        PagedFile again = open(new BufferPool(PAGES * 2, PageFlushGate.NONE));
        for (int no = 1; no < PAGES; no++) {
            assertEquals(3, versionOf(again, no), "page " + no + " after reopening");
        }
    }

    @Test
    void concurrentReadersAndWritersNeverSeeAnotherPagesBytes() throws Exception {
        createFile();
        BufferPool pool = new BufferPool(16, PageFlushGate.NONE);
        PagedFile f = open(pool);
        int writers = 3;
        int readers = 3;
        int[][] versions = new int[writers][PAGES];
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int me = w;
            threads.add(new Thread(() -> {
                Random rnd = new Random(100 + me);
                try {
                    for (int i = 0; i < 4000 && failures.isEmpty(); i++) {
                        int no = 1 + rnd.nextInt(PAGES - 1);
                        if (no % writers != me) {
                            continue;
                        }
                        Page p = f.pin(no);
                        try {
                            assertEquals(versions[me][no], check(p, no));
                            write(p, ++versions[me][no]);
                        } finally {
                            p.unpin();
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "writer-" + w));
        }
        for (int r = 0; r < readers; r++) {
            int me = r;
            threads.add(new Thread(() -> {
                Random rnd = new Random(200 + me);
                try {
                    while (!stop.get() && failures.isEmpty()) {
                        int no = 1 + rnd.nextInt(PAGES - 1);
                        Page p = f.pin(no);
                        try {
                            p.latch().readLock().lock();
                            try {
                                check(p, no);
                            } finally {
                                p.latch().readLock().unlock();
                            }
                        } finally {
                            p.unpin();
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "reader-" + r));
        }
        for (Thread t : threads) {
            t.start();
        }
        for (int w = 0; w < writers; w++) {
            threads.get(w).join(120_000);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(120_000);
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("concurrent use of reused frames failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
        assertTrue(pool.reusedFrames() > 1000, "frames reused: " + pool.reusedFrames());
        pool.flushAll();
        for (int no = 1; no < PAGES; no++) {
            assertEquals(versions[no % writers][no], versionOf(f, no), "final version of page " + no);
        }
    }

    @Test
    void debugModePoisonsAPageUsedAfterItsUnpin() throws IOException {
        assumeTrue(BufferPool.POISON_EVICTED, "runs with -Dpowdb.debug.poisonEvicted=true (the build sets it)");
        createFile();
        BufferPool pool = new BufferPool(16, PageFlushGate.NONE);
        PagedFile f = open(pool);
        Page stale = f.pin(1);
        stale.unpin();
        for (int no = 2; no < 40; no++) {
            f.pin(no).unpin();
        }
        // The frame was evicted and poisoned; the debug mode keeps it on the spare list for a while.
        assertEquals(-1, stale.pageNo(), "identity of an evicted frame");
        assertEquals((byte) 0xA5, stale.getByte(OFF_FILL), "bytes of an evicted frame");
        // The page itself reads back whole, in another frame.
        assertEquals(0, versionOf(f, 1));
        assertTrue(f.resident(1) != stale, "page 1 came back in the poisoned frame while it was held in reserve");
    }
    /**
     * A flush copies the clock under the pool lock and looks at the copy without it, so other threads read pages
     * (and evict others, dirty ones included) meanwhile. Here another thread reads 200 pages into a full pool
     * after the copy is made, which evicts clean and dirty pages and reuses their frames: every page dirtied
     * before the flush must still be written, by its eviction or by the flush, each once.
     */
    @Test
    void aFlushWritesEveryDirtyPageWhileOtherThreadsEvictPagesFromItsCopyOfTheClock() throws Exception {
        int capacity = 256;
        int dirty = capacity / 2;
        Path path = createFile("big.heap", capacity + 216);
        BufferPool pool = new BufferPool(capacity, PageFlushGate.NONE);
        PagedFile f = new PagedFile(FILE_ID, "big.heap", path, OsStorageFs.INSTANCE.open(path, false), pool);
        opened.add(f);
        for (int no = 1; no <= capacity - dirty; no++) {
            f.pin(no).unpin(); // clean pages first: the start of the clock
        }
        for (int no = capacity - dirty + 1; no <= capacity; no++) {
            Page p = f.pin(no); // dirty pages last, and the pool is full
            try {
                write(p, 1);
            } finally {
                p.unpin();
            }
        }
        assertEquals(dirty, pool.dirtyCount());
        long writesBefore = pool.writes();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        boolean[] readerDone = {false};
        BufferPool.afterSnapshotForTesting = () -> {
            // Another thread: it needs the pool lock, which the flush must not be holding now.
            Thread reader = new Thread(() -> {
                try {
                    for (int no = capacity + 1; no <= capacity + 200; no++) {
                        f.pin(no).unpin();
                    }
                } catch (Throwable t) {
                    readerFailure.set(t);
                }
            }, "reader");
            reader.start();
            try {
                reader.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            readerDone[0] = !reader.isAlive();
        };
        int written;
        try {
            written = pool.flushAll();
        } finally {
            BufferPool.afterSnapshotForTesting = null;
        }
        assertTrue(readerDone[0], "the reader waited for the pool lock while the flush looked at its copy");
        assertEquals(null, readerFailure.get());
        long byEvictions = pool.writes() - writesBefore - written;
        assertTrue(byEvictions > 0, "the reads evicted no dirty page (" + written + " written by the flush)");
        assertEquals(dirty, written + byEvictions, "pages written by evictions and by the flush, each once");
        assertEquals(0, pool.dirtyCount());
        BufferPool check = new BufferPool(64, PageFlushGate.NONE);
        PagedFile cf = new PagedFile(FILE_ID, "big.heap", path, OsStorageFs.INSTANCE.open(path, false), check);
        try {
            for (int no = capacity - dirty + 1; no <= capacity; no++) {
                assertEquals(1, versionOf(cf, no), "page " + no + " was not written");
            }
        } finally {
            cf.close();
        }
    }

    /**
     * A checkpoint's flush writes its pages in file order and fsyncs them every {@link BufferPool#CHECKPOINT_STEP}
     * pages, so that the kernel never holds more than one step of them unwritten: a commit's WAL fsync issued
     * during the checkpoint then queues behind one step at most, not behind every page of the checkpoint.
     */
    @Test
    void aCheckpointFlushWritesInFileOrderAndFsyncsEveryStep() throws Exception {
        int pages = 300;
        Path path = createFile("steps.heap", pages + 1);
        List<Long> writes = new ArrayList<>();
        int[] sinceSync = {0};
        int[] maxBetweenSyncs = {0};
        int[] syncs = {0};
        ForwardingStorageFile counting = new ForwardingStorageFile(OsStorageFs.INSTANCE.open(path, false)) {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                writes.add(position);
                maxBetweenSyncs[0] = Math.max(maxBetweenSyncs[0], ++sinceSync[0]);
                super.write(src, position);
            }

            @Override
            public void sync() throws IOException {
                syncs[0]++;
                sinceSync[0] = 0;
                super.sync();
            }
        };
        BufferPool pool = new BufferPool(1024, PageFlushGate.NONE);
        PagedFile f = new PagedFile(FILE_ID, "steps.heap", path, counting, pool);
        opened.add(f);
        List<Integer> order = new ArrayList<>();
        for (int no = 1; no <= pages; no++) {
            order.add(no);
        }
        java.util.Collections.shuffle(order, new Random(5));
        for (int no : order) {
            Page p = f.pin(no);
            try {
                write(p, 1);
            } finally {
                p.unpin();
            }
        }
        assertEquals(pages, pool.flushAll());
        assertEquals(pages, writes.size());
        for (int i = 1; i < writes.size(); i++) {
            assertTrue(writes.get(i) > writes.get(i - 1), "write " + i + " went back in the file, from "
                    + writes.get(i - 1) + " to " + writes.get(i));
        }
        assertEquals(BufferPool.CHECKPOINT_STEP, maxBetweenSyncs[0], "most pages written between two fsyncs");
        assertEquals(0, sinceSync[0], "pages left unsynced at the end of the flush");
        assertEquals((pages + BufferPool.CHECKPOINT_STEP - 1) / BufferPool.CHECKPOINT_STEP, syncs[0]);
    }
}
