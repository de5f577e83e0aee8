package dev.powdb.storage.wal;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.io.StorageFs;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageFlushGate;
import dev.powdb.storage.util.ByteSink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The WAL writer: assigns LSNs, frames records into an in-memory buffer, writes them to the current segment and
 * fsyncs with group commit (one fsync covers every record appended before it, whichever thread asked).
 *
 * <p>A failed write or fsync poisons the WAL: every later append or sync throws {@link ErrorCode#POISONED}, because
 * after a failed fsync the kernel may have dropped the data and nothing written since can be trusted.
 */
public final class Wal implements Closeable, PageFlushGate {
    private static final int FLUSH_THRESHOLD_BYTES = 1 << 20;

    private final StorageFs fs;
    private final Path dir;
    private final long segmentBytes;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();

    // Guarded by appendLock.
    private ByteSink buffer = new ByteSink(FLUSH_THRESHOLD_BYTES * 2);
    private ByteSink spare = new ByteSink(FLUSH_THRESHOLD_BYTES * 2);
    private long nextLsn;
    private long bytesAppended;

    // Guarded by flushLock; segment is also replaced under reserveLock only.
    private StorageFile segment;
    private long segmentStartLsn;
    private long segmentSize;
    /**
     * Bytes the current segment file has (frames plus zeroed space reserved after them). Grows under
     * {@link #reserveLock}, which also keeps a switch of segment from closing the file while space is reserved.
     * Lock order: the flush lock, then the reserve lock; the reserve thread takes the reserve lock alone.
     */
    private volatile long segmentCapacity;
    private final ReentrantLock reserveLock = new ReentrantLock();
    /** Frame bytes written since this writer was opened; guarded by the flush lock. */
    private long writtenSinceOpen;
    /** {@link #segmentSize} as of the last write, for the reserve thread. */
    private volatile long segmentSizeHint;
    /** Reserves space ahead of the frames off the commit path, or null when the file system allows no such thread. */
    private final Thread reserver;
    private volatile boolean reserveWanted;

    private volatile long writtenLsn;
    private volatile long durableLsn;
    private volatile Throwable poison;
    private final Object leaderMonitor = new Object();
    private boolean leaderActive;
    private volatile boolean closed;

    /**
     * Continues the log after recovery.
     *
     * @param nextLsn        LSN the next record gets
     * @param lastSegment    the segment to append to (null to start a new one at {@code nextLsn})
     * @param lastSegmentEnd byte length of valid data in {@code lastSegment}
     */
    public Wal(StorageFs fs, Path dir, long segmentBytes, long nextLsn, Path lastSegment, long lastSegmentStart,
               long lastSegmentEnd) throws IOException {
        this.fs = fs;
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.nextLsn = nextLsn;
        this.writtenLsn = nextLsn - 1;
        this.durableLsn = nextLsn - 1;
        // A next segment prepared before a crash or close never holds an acknowledged record: it gets its first
        // frame only after it was renamed to a segment name (see prepareNextSegment).
        fs.deleteIfExists(dir.resolve(NEXT_SEGMENT_NAME));
        if (lastSegment != null) {
            segment = fs.open(lastSegment, false);
            segmentStartLsn = lastSegmentStart;
            segmentSize = lastSegmentEnd;
            segmentSizeHint = lastSegmentEnd;
            segmentCapacity = Math.max(segment.size(), lastSegmentEnd);
        } else {
            startSegment(nextLsn);
        }
        if (fs.allowsBackgroundWrites()) {
            reserver = new Thread(this::reserveLoop, "powdb-wal-reserve");
            reserver.setDaemon(true);
            reserver.start();
        } else {
            reserver = null;
        }
    }

    /**
     * Starts the segment of {@code startLsn}, from the prepared next segment when there is one. A switch calls this
     * holding the reserve lock, so the reserve thread cannot open the prepared file again before it is renamed.
     */
    private void startSegment(long startLsn) throws IOException {
        startSegment(startLsn, true);
    }

    /**
     * Starts the segment of {@code startLsn}. With {@code durableNow} its header and directory entry are fsynced
     * and the old segment is closed here; without, both are left to {@link #completePendingSeal}, which runs
     * before anything in the new segment counts as durable and closes the old segment once it is sealed.
     */
    private void startSegment(long startLsn, boolean durableNow) throws IOException {
        Path p = dir.resolve(WalFormat.segmentName(startLsn));
        StorageFile f;
        long capacity;
        reserveLock.lock();
        try {
            f = nextSegment;
            capacity = nextSegmentCapacity;
            nextSegment = null;
        } finally {
            reserveLock.unlock();
        }
        // The header as a whole page (the rest zeros, a new file): see writePadded.
        byte[] firstPage = new byte[WRITE_PAGE_BYTES];
        byte[] header = WalFormat.segmentHeader(startLsn);
        System.arraycopy(header, 0, firstPage, 0, header.length);
        if (f != null) {
            // Prepared by the reserve thread: created, zeroed and fsynced, directory entry included. Only its
            // header and its name are new, so the switch costs a data fsync and a rename instead of creating,
            // allocating and zeroing a file while every committing thread waits.
            f.write(ByteBuffer.wrap(firstPage), 0);
            capacity = Math.max(capacity, WRITE_PAGE_BYTES);
            if (durableNow) {
                f.sync();
            }
            fs.rename(dir.resolve(NEXT_SEGMENT_NAME), p);
            preparedSegmentsUsed++;
        } else {
            f = fs.open(p, true);
            f.truncate(0);
            f.write(ByteBuffer.wrap(firstPage), 0);
            if (durableNow) {
                f.sync();
            }
            capacity = WRITE_PAGE_BYTES;
        }
        if (durableNow) {
            fs.syncDirectory(dir);
        }
        reserveLock.lock();
        try {
            if (segment != null && durableNow) {
                segment.close();
            }
            segment = f;
            segmentStartLsn = startLsn;
            segmentSize = WalFormat.SEGMENT_HEADER_SIZE;
            segmentSizeHint = segmentSize;
            segmentCapacity = capacity;
        } finally {
            reserveLock.unlock();
        }
    }

    /**
     * Name of the next segment while the reserve thread prepares it. It matches no segment name, so every reader
     * of the WAL directory (recovery, backups, archiving) ignores it; a WAL opened over a directory holding one
     * deletes it.
     */
    public static final String NEXT_SEGMENT_NAME = "next-segment.tmp";

    /** The prepared next segment, or null; replaced under the reserve lock, read without it to decide. */
    private volatile StorageFile nextSegment;
    /** Bytes of {@link #nextSegment} (zeros, fsynced); guarded by the reserve lock. */
    private long nextSegmentCapacity;
    /** Segment switches that used a prepared next segment (for tests). */
    private volatile int preparedSegmentsUsed;

    int preparedSegmentsUsed() {
        return preparedSegmentsUsed;
    }

    /** Writes one record's payload; called with the append lock held. */
    @FunctionalInterface
    public interface PayloadWriter {
        void write(ByteSink out);
    }

    /**
     * Appends a record and returns its LSN. The record is durable only after {@link #sync(long)}.
     *
     * @throws PowDbException POISONED after a failed write or fsync
     */
    public long append(int type, long txId, PayloadWriter payload) {
        return append(type, txId, payload, null);
    }

    /**
     * Appends a record like {@link #append(int, long, PayloadWriter)} and, once it has its LSN, gives that LSN to
     * {@code assigned} before the append lock is released. Whatever {@code assigned} records is therefore in place
     * for anyone who pauses appends ({@link #withAppendsPaused}) and sees the record appended, such as a
     * checkpoint choosing the LSN from which open transactions must be undone.
     */
    public long append(int type, long txId, PayloadWriter payload, java.util.function.LongConsumer assigned) {
        long lsn;
        boolean needFlush;
        appendLock.lock();
        try {
            checkUsable();
            lsn = nextLsn;
            int start = buffer.length();
            buffer.i32(0).i32(0).i64(lsn).i64(durableLsn).i64(txId).u8(type);
            payload.write(buffer);
            int len = buffer.length() - start;
            if (len > WalFormat.MAX_FRAME_BYTES) {
                truncateBuffer(start);
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "WAL record of " + len
                        + " bytes exceeds the limit of " + WalFormat.MAX_FRAME_BYTES);
            }
            buffer.putI32At(start, len);
            buffer.putI32At(start + 4, WalFormat.frameCrc(buffer.array(), start, len));
            nextLsn = lsn + 1;
            bytesAppended += len;
            needFlush = buffer.length() >= FLUSH_THRESHOLD_BYTES;
            if (assigned != null) {
                assigned.accept(lsn);
            }
        } finally {
            appendLock.unlock();
        }
        if (needFlush) {
            write(lsn, false);
        }
        return lsn;
    }

    private void truncateBuffer(int length) {
        ByteSink b = new ByteSink(buffer.array().length);
        b.bytes(buffer.array(), 0, length);
        buffer = b;
    }

    private void checkUsable() {
        if (poison != null) {
            throw new PowDbException(ErrorCode.POISONED, "the database refuses writes after a failed WAL write or "
                    + "fsync (" + poison.getMessage() + "); reopen it to recover from the WAL", poison);
        }
        if (closed) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "the WAL is closed");
        }
    }

    /** Makes every record up to {@code lsn} durable (fsync), sharing the fsync with concurrent callers. */
    public void sync(long lsn) {
        write(lsn, true);
    }

    /** Hands every record up to {@code lsn} to the operating system without fsync. */
    public void flush(long lsn) {
        write(lsn, false);
    }

    @Override
    public void makeDurable(long lsn) {
        if (lsn > 0) {
            sync(Math.min(lsn, maxLsn()));
        }
    }

    /**
     * Group commit in two stages. Writing: one thread at a time (the write leader) hands everything appended so far
     * to the operating system; the others wait and return as soon as a write covered their record. Syncing: one
     * thread at a time (the sync leader) fsyncs the current segment up to what was written when it started; the
     * others wait and return when an fsync covered their record. The two stages are separate, so a commit that only
     * needs its record written ({@code normal} sync mode) is not held up by an fsync in progress, and records keep
     * being written while one is.
     */
    private void write(long lsn, boolean durable) {
        boolean interrupted = false;
        try {
            while (writtenLsn < lsn) {
                synchronized (leaderMonitor) {
                    while (leaderActive && writtenLsn < lsn) {
                        try {
                            leaderMonitor.wait();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (writtenLsn >= lsn) {
                        break;
                    }
                    leaderActive = true;
                }
                try {
                    writeAll();
                } finally {
                    synchronized (leaderMonitor) {
                        leaderActive = false;
                        leaderMonitor.notifyAll();
                    }
                }
            }
            while (durable && durableLsn < lsn) {
                synchronized (syncMonitor) {
                    while (syncLeaderActive && durableLsn < lsn) {
                        try {
                            syncMonitor.wait();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (durableLsn >= lsn) {
                        break;
                    }
                    syncLeaderActive = true;
                }
                try {
                    syncWritten();
                } finally {
                    synchronized (syncMonitor) {
                        syncLeaderActive = false;
                        syncMonitor.notifyAll();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final Object syncMonitor = new Object();
    private boolean syncLeaderActive;
    /** Held (shared) by an fsync of the current segment, (exclusive) by the switch to a new segment. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock segmentSwitch =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    /** Fsyncs everything written so far; only the sync leader calls it. */
    private void syncWritten() {
        // Segments before the current one first: nothing after a segment switch is durable before the seal.
        completePendingSeal();
        long target;
        StorageFile seg;
        flushLock.lock();
        try {
            checkUsable();
            target = writtenLsn;
            seg = segment;
        } finally {
            flushLock.unlock();
        }
        // Taken after the flush lock is released (a segment switch takes them the other way round). A switch
        // since the capture sealed, fsynced and closed `seg` and advanced the durable LSN past `target`.
        segmentSwitch.readLock().lock();
        try {
            if (durableLsn >= target) {
                return;
            }
            // Records in segments before this one were fsynced when that segment was sealed.
            seg.sync();
            synchronized (syncMonitor) {
                if (durableLsn < target) {
                    durableLsn = target;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PowDbException p && p.code() == ErrorCode.POISONED) {
                throw p;
            }
            poison = e;
            throw new PowDbException(ErrorCode.POISONED, "WAL fsync failed in " + dir + ": " + e.getMessage()
                    + "; the database now refuses writes", e);
        } finally {
            segmentSwitch.readLock().unlock();
        }
    }

    /** Writes every appended record to the OS (no fsync); only the write leader calls it. */
    private void writeAll() {
        flushLock.lock();
        try {
            ByteSink chunk;
            long lastLsn;
            appendLock.lock();
            try {
                checkUsable();
                chunk = buffer;
                buffer = spare;
                spare = chunk;
                lastLsn = nextLsn - 1;
            } finally {
                appendLock.unlock();
            }
            try {
                if (chunk.length() > 0) {
                    if (segmentSize >= segmentBytes) {
                        switchSegment();
                    }
                    int frames = chunk.length();
                    writePadded(chunk);
                    segmentSize += frames;
                    segmentSizeHint = segmentSize;
                    writtenSinceOpen += frames;
                    chunk.reset();
                    // Only when the thread has work: near a segment's end the space ahead is short because the
                    // segment ends, not because zeros are missing (woken anyway, it ran once per write there).
                    if (reserveInBackground() && ((segmentCapacity - segmentSize < RESERVE_AHEAD_BYTES / 2
                            && segmentCapacity < segmentBytes)
                            || (nextSegment == null && segmentSize >= segmentBytes / 2))) {
                        wakeReserver();
                    }
                }
                writtenLsn = lastLsn;
            } catch (IOException | RuntimeException e) {
                poison = e;
                throw new PowDbException(ErrorCode.POISONED, "WAL write failed in "
                        + dir.resolve(WalFormat.segmentName(segmentStartLsn)) + ": " + e.getMessage()
                        + "; the database now refuses writes", e);
            }
        } finally {
            flushLock.unlock();
        }
    }

    /** The page size of the operating system's file cache, to which writes of frames are padded. */
    static final int WRITE_PAGE_BYTES = 4096;
    /**
     * Writes {@code chunk} after the frames of the current segment, padded with zeros to the next page boundary
     * (zeros after the last frame are the end of the log, as the reserved zeros there already are). A write that
     * ends inside a page no longer in the file cache makes the kernel read that page from the disk first, inside
     * the write: traced while a backup kept the disk busy, and with the machine's proactive reclaim evicting
     * reserved zeros written seconds earlier, such commits waited 8-442 ms for the read. The write still starts
     * right after the last frame: its page was written by the write before, so it is in the cache, and bytes
     * already written are never rewritten (a power cut during a rewrite could tear frames already fsynced). The
     * zeros are appended to {@code chunk} itself, which the caller empties afterwards. Caller holds the flush lock.
     */
    private void writePadded(ByteSink chunk) throws IOException {
        long end = segmentSize + chunk.length();
        int pad = (int) Math.floorMod(-end, (long) WRITE_PAGE_BYTES);
        chunk.bytes(ZEROS, 0, pad);
        reserve(segmentSize + chunk.length());
        segment.write(ByteBuffer.wrap(chunk.array(), 0, chunk.length()), segmentSize);
    }

    /**
     * Seals the current segment (cut to its frames, fsynced) and starts the next one. Caller holds the flush lock;
     * waits for an fsync of the current segment in progress, so the segment is never closed under it.
     */
    private void switchSegment() throws IOException {
        if (reserver != null) {
            switchSegmentSealingLater();
            return;
        }
        segmentSwitch.writeLock().lock();
        // Held until the new segment is in place, so the reserve thread adds nothing to the sealed one.
        reserveLock.lock();
        try {
            // A sealed segment holds exactly its frames: cut the zeroed space reserved after them.
            segment.truncate(segmentSize);
            segment.sync();
            synchronized (syncMonitor) {
                if (durableLsn < writtenLsn) {
                    durableLsn = writtenLsn;
                }
            }
            startSegment(writtenLsn + 1);
        } finally {
            reserveLock.unlock();
            segmentSwitch.writeLock().unlock();
        }
        if (reserveInBackground()) {
            wakeReserver();
        }
        sealListener.run();
    }

    /**
     * The switch where a background thread may write: the new segment takes the next frames at once, and the old
     * one is sealed (cut to its frames, fsynced, closed) and the new one's directory entry fsynced later, by the
     * reserve thread or by whichever thread next needs something durable ({@link #completePendingSeal}). On the
     * benchmark machine the two fsyncs of a switch took 40 ms each while the disk was busy, and every committing
     * thread waited for them behind the flush lock. Nothing is lost by waiting: no frame of the new segment counts
     * as durable, and no frame carries a durable horizon past the old segment, until the seal is done; after a
     * crash in between, recovery reads the old segment's frames, skips its zeroed space because the next segment
     * continues exactly where they end ({@link WalScanner}), or treats whatever the crash lost as a torn tail.
     * Caller holds the flush lock.
     */
    private void switchSegmentSealingLater() throws IOException {
        // A seal still pending from the last switch (a whole segment ago) is done first, here: seals stay in order.
        completePendingSeal();
        reserveLock.lock();
        try {
            pendingSeal = new PendingSeal(segment, segmentStartLsn, segmentSize, writtenLsn);
            startSegment(writtenLsn + 1, false);
        } finally {
            reserveLock.unlock();
        }
        wakeReserver();
    }

    /** A segment that was switched away from and is not sealed yet. */
    private record PendingSeal(StorageFile file, long startLsn, long length, long lastLsn) {
    }

    /** The segment waiting for its seal, or null; set under the flush lock, cleared under the seal monitor. */
    private volatile PendingSeal pendingSeal;
    private final Object sealMonitor = new Object();

    /**
     * Seals the segment a switch left ({@link #switchSegmentSealingLater}), if any: cuts it to its frames, fsyncs
     * and closes it, fsyncs the directory (the new segment's name), and only then advances the durable LSN to its
     * last record and tells the seal listener. Called by the reserve thread, and before anything is made durable
     * or listed as sealed. A failure poisons the WAL.
     */
    private void completePendingSeal() {
        if (pendingSeal == null) {
            return;
        }
        boolean sealed = false;
        synchronized (sealMonitor) {
            PendingSeal seal = pendingSeal;
            if (seal == null) {
                return;
            }
            // Exclusive: an fsync of the old segment that began before the switch ends before it is closed.
            segmentSwitch.writeLock().lock();
            try {
                checkUsable();
                seal.file().truncate(seal.length());
                seal.file().sync();
                seal.file().close();
                fs.syncDirectory(dir);
                synchronized (syncMonitor) {
                    if (durableLsn < seal.lastLsn()) {
                        durableLsn = seal.lastLsn();
                    }
                }
                pendingSeal = null;
                sealed = true;
                sealsInBackground++;
            } catch (IOException | RuntimeException e) {
                if (e instanceof PowDbException p && (p.code() == ErrorCode.POISONED
                        || p.code() == ErrorCode.ILLEGAL_STATE)) {
                    throw p;
                }
                poison(e);
                throw new PowDbException(ErrorCode.POISONED, "sealing WAL segment "
                        + dir.resolve(WalFormat.segmentName(seal.startLsn())) + " failed: " + e.getMessage()
                        + "; the database now refuses writes", e);
            } finally {
                segmentSwitch.writeLock().unlock();
            }
        }
        if (sealed) {
            sealListener.run();
        }
    }

    /** Seals completed after a switch rather than during it (for tests). */
    private volatile int sealsInBackground;

    int sealsInBackground() {
        return sealsInBackground;
    }

    /** Test seam: the reserve thread leaves pending seals to the next thread that syncs. */
    private volatile boolean holdBackgroundSeals;

    void holdBackgroundSeals(boolean hold) {
        holdBackgroundSeals = hold;
    }

    /** Whether a switched-away segment still waits for its seal (for tests). */
    boolean sealPending() {
        return pendingSeal != null;
    }

    /**
     * Makes the current segment at least {@code size} bytes long by appending zeros, in steps of
     * {@link #RESERVE_STEP_BYTES}. Commits then overwrite space that already exists, so their fsync does not also
     * have to record a new file length (measured here: about a third more fsyncs per second). Readers treat the
     * zeros after the last frame of the newest segment as its end. Usually the reserve thread has done this
     * already ({@link #reserveLoop}); the caller (holding the flush lock) then finds the space there.
     */
    private void reserve(long size) throws IOException {
        if (size <= segmentCapacity) {
            return;
        }
        reserveLock.lock();
        try {
            // With the reserve thread at work (a new segment, or the thread behind), write only the zeros this
            // write needs, rounded up, and leave the rest to the thread.
            long target = reserveInBackground()
                    ? Math.min(-Math.floorDiv(-size, SMALL_RESERVE_BYTES) * SMALL_RESERVE_BYTES,
                            Math.max(size, segmentBytes + RESERVE_STEP_BYTES))
                    : Math.max(size, segmentCapacity + RESERVE_STEP_BYTES);
            target = Math.min(target, Math.max(size, segmentBytes + RESERVE_STEP_BYTES));
            while (segmentCapacity < target) {
                int n = (int) Math.min(ZEROS.length, target - segmentCapacity);
                segment.write(ByteBuffer.wrap(ZEROS, 0, n), segmentCapacity);
                segmentCapacity += n;
            }
        } finally {
            reserveLock.unlock();
        }
    }

    /**
     * Whether the reserve thread keeps space ahead: when the file system allows it and this WAL has written more
     * than {@link #RESERVE_AHEAD_BYTES} since it was opened. A small database (most tests) never starts it and
     * reserves 1 MiB at a time on the committing thread, as it did before.
     */
    private boolean reserveInBackground() {
        return reserver != null && writtenSinceOpen > RESERVE_AHEAD_BYTES;
    }

    private void wakeReserver() {
        if (reserver != null) {
            reserveWanted = true;
            LockSupport.unpark(reserver);
        }
    }

    /**
     * The reserve thread: keeps {@link #RESERVE_AHEAD_BYTES} of zeroed, fsynced space after the frames of the
     * current segment (never past its nominal size), one {@link #RESERVE_STEP_BYTES} step at a time. Writing a
     * step of zeros took a committing thread 2–5 ms on a virtual disk, and the next commit's fsync then wrote
     * them too; here both happen beside the commits. A failed write or fsync poisons the WAL like a failed commit:
     * the failed fsync may have been the one that would have reported lost frames of the same file. Never
     * interrupted: an interrupt would close the segment's channel under the committing threads.
     */
    private void reserveLoop() {
        while (!closed && poison == null) {
            if (!reserveWanted) {
                LockSupport.park(this);
                continue;
            }
            reserveWanted = false;
            reserverPasses++;
            try {
                if (!holdBackgroundSeals) {
                    completePendingSeal();
                }
                while (!closed && poison == null && reserveOneStep()) {
                    // one step per lock hold, so a segment switch waits for at most one
                }
                prepareNextSegment();
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    poison(e);
                }
            }
        }
    }

    /**
     * Once the current segment is half full, prepares the file of the next one under {@link #NEXT_SEGMENT_NAME}:
     * created, filled with {@link #RESERVE_AHEAD_BYTES} of zeros (at most a segment's size) and fsynced, with its
     * directory entry. A segment switch then only writes its header, fsyncs it and renames it
     * ({@link #startSegment}); before, creating, allocating and zeroing the new segment on the committing thread
     * took 3-14 ms on the benchmark machine while a backup ran, and every commit waited. The file gets its first
     * frame only after the rename (and the directory fsync), so the prepared file itself never holds a record
     * anyone was told about. The file is opened under the reserve lock, which a switch holds until its rename is
     * done, so this never opens (and empties) a prepared file that a switch is renaming.
     */
    private void prepareNextSegment() throws IOException {
        if (closed || poison != null || nextSegment != null || segmentSizeHint < segmentBytes / 2) {
            return;
        }
        Path path = dir.resolve(NEXT_SEGMENT_NAME);
        long bytes = Math.max(WalFormat.SEGMENT_HEADER_SIZE, Math.min(RESERVE_AHEAD_BYTES, segmentBytes));
        StorageFile f;
        reserveLock.lock();
        try {
            if (closed || nextSegment != null) {
                return;
            }
            f = fs.open(path, true);
        } finally {
            reserveLock.unlock();
        }
        boolean published = false;
        try {
            f.truncate(0);
            for (long off = 0; off < bytes; off += SMALL_RESERVE_BYTES) {
                f.write(ByteBuffer.wrap(ZEROS, 0, (int) Math.min(SMALL_RESERVE_BYTES, bytes - off)), off);
            }
            f.sync();
            fs.syncDirectory(dir);
            reserveLock.lock();
            try {
                if (!closed && poison == null && nextSegment == null) {
                    nextSegment = f;
                    nextSegmentCapacity = bytes;
                    published = true;
                }
            } finally {
                reserveLock.unlock();
            }
        } finally {
            if (!published) {
                f.close();
            }
        }
    }

    /**
     * Reserves one more step ahead of the frames if wanted; false when the space ahead is enough. The zeros are
     * written under the reserve lock, but fsynced after it is released: a segment switch takes that lock, and in
     * {@code normal} mode this fsync also writes out every commit since the last one, which took tens of
     * milliseconds while a backup kept the disk busy, with the switch, and so every commit, waiting. The file
     * cannot be closed meanwhile: a switch leaves it open for its seal, which waits for this fsync through the
     * segment-switch lock. The space is published only once it is fsynced, and only if the segment is still the
     * current one.
     */
    private boolean reserveOneStep() throws IOException {
        StorageFile file;
        long capacity;
        int n;
        reserveLock.lock();
        try {
            if (closed || poison != null) {
                return false;
            }
            capacity = segmentCapacity;
            long target = Math.min(segmentSizeHint + RESERVE_AHEAD_BYTES, segmentBytes);
            if (capacity >= target) {
                return false;
            }
            n = (int) Math.min(RESERVE_STEP_BYTES, target - capacity);
            // In small writes: the file system locks the file for each write, and a commit's write of its frames
            // to the same file waits meanwhile (a 1 MiB write held it 2-5 ms).
            for (int off = 0; off < n; off += SMALL_RESERVE_BYTES) {
                segment.write(ByteBuffer.wrap(ZEROS, 0, Math.min(SMALL_RESERVE_BYTES, n - off)), capacity + off);
            }
            file = segment;
        } finally {
            reserveLock.unlock();
        }
        segmentSwitch.readLock().lock();
        try {
            if (closed) {
                return false;
            }
            file.sync();
        } finally {
            segmentSwitch.readLock().unlock();
        }
        reserveLock.lock();
        try {
            if (segment != file) {
                return true; // switched meanwhile: the zeros were in the old segment, which its seal cuts off
            }
            // A commit may have reserved the same space itself meanwhile (zeros over zeros, before its frames).
            segmentCapacity = Math.max(segmentCapacity, capacity + n);
            reservedInBackground += n;
            return true;
        } finally {
            reserveLock.unlock();
        }
    }

    /** Times the reserve thread was woken and looked for work (for tests; written by that thread only). */
    private volatile long reserverPasses;

    long reserverPasses() {
        return reserverPasses;
    }

    /** Whether the next segment is prepared and waiting for the switch (for tests). */
    boolean nextSegmentPrepared() {
        reserveLock.lock();
        try {
            return nextSegment != null;
        } finally {
            reserveLock.unlock();
        }
    }

    /** Zeroed space the reserve thread added (for tests). */
    private volatile long reservedInBackground;

    long reservedInBackground() {
        return reservedInBackground;
    }

    /** How far ahead of the frames the reserve thread keeps zeroed space. */
    static final int RESERVE_AHEAD_BYTES = 4 << 20;
    /** Unit of the zeros a committing thread writes itself while the reserve thread is at work. */
    static final int SMALL_RESERVE_BYTES = 64 << 10;

    /** Step in which segment space is reserved ahead of the frames. */
    static final int RESERVE_STEP_BYTES = 1 << 20;
    private static final byte[] ZEROS = new byte[RESERVE_STEP_BYTES];

    /**
     * Where the log ends on disk: the LSN of the last record written to the current segment, that segment's first
     * LSN and the byte length of its frames. Every record up to {@code lastLsn} is durable when this is returned.
     */
    public record Tail(long lastLsn, long segmentStartLsn, long segmentLength) {
    }

    /**
     * Writes and fsyncs every record appended so far and returns where the log ends. The segment named by the
     * result holds exactly the frames up to {@code lastLsn} in its first {@code segmentLength} bytes; later
     * appends only add bytes after them.
     */
    public Tail syncedTail() {
        sync(maxLsn());
        Tail t;
        flushLock.lock();
        try {
            t = new Tail(writtenLsn, segmentStartLsn, segmentSize);
        } finally {
            flushLock.unlock();
        }
        sync(t.lastLsn());
        // Every segment before the tail's is sealed (cut to its frames) when this returns.
        completePendingSeal();
        return t;
    }

    private volatile Runnable sealListener = () -> { };

    /**
     * Called each time a segment is sealed and a new one started: on the writing thread, or, where a background
     * thread may write, on the thread that completed the seal (the reserve thread or a syncing one).
     */
    public void onSeal(Runnable listener) {
        sealListener = listener;
    }

    /**
     * First LSN of the oldest segment not sealed yet: the one being appended to, or the one a switch left that
     * waits for its seal. Every segment before it is sealed.
     */
    public long currentSegmentStart() {
        flushLock.lock();
        try {
            return unsealedStart();
        } finally {
            flushLock.unlock();
        }
    }

    /** {@link #currentSegmentStart()}; caller holds the flush lock. */
    private long unsealedStart() {
        PendingSeal seal = pendingSeal;
        return seal != null ? seal.startLsn() : segmentStartLsn;
    }

    /**
     * Makes everything appended durable and, when the current segment holds any record, seals it (cut to its
     * frames, fsynced) and starts the next, empty one: a clean close with WAL archiving does this so that the last
     * records can be archived too.
     */
    public void sealCurrent() {
        sync(maxLsn());
        flushLock.lock();
        try {
            checkUsable();
            if (segmentSize > WalFormat.SEGMENT_HEADER_SIZE) {
                switchSegment();
            }
        } catch (IOException e) {
            poison = e;
            throw new PowDbException(ErrorCode.POISONED, "sealing the WAL segment in " + dir + " failed: "
                    + e.getMessage(), e);
        } finally {
            flushLock.unlock();
        }
        completePendingSeal();
    }

    /** The directory of the segments. */
    public Path directory() {
        return dir;
    }

    /** LSN the next record will get. */
    public long nextLsn() {
        appendLock.lock();
        try {
            return nextLsn;
        } finally {
            appendLock.unlock();
        }
    }

    /** LSN of the last record appended (0 when none ever was). */
    public long maxLsn() {
        return nextLsn() - 1;
    }

    /** Highest LSN known to be on stable storage. */
    public long durableLsn() {
        return durableLsn;
    }

    /** Bytes of frames appended but not yet handed to the operating system. */
    public int bufferedBytes() {
        appendLock.lock();
        try {
            return buffer.length();
        } finally {
            appendLock.unlock();
        }
    }

    /** Total bytes of frames appended since this writer was opened. */
    public long bytesAppended() {
        appendLock.lock();
        try {
            return bytesAppended;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Makes the WAL refuse every later append: used when a data-file write or fsync fails, since the kernel may
     * have dropped pages that a later checkpoint would then wrongly treat as written.
     */
    public void poison(Throwable cause) {
        if (poison == null) {
            poison = cause;
        }
    }

    /** Why the WAL refuses writes, or null while it is healthy. */
    public Throwable poison() {
        return poison;
    }

    /** Runs {@code action} while no record can be appended (so it sees a stable next LSN). */
    public <T> T withAppendsPaused(java.util.function.LongFunction<T> action) {
        appendLock.lock();
        try {
            return action.apply(nextLsn);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Deletes sealed segments all of whose records have LSNs below {@code lsn} (after a checkpoint).
     *
     * @return names of the deleted segments
     */
    public List<String> deleteSegmentsBefore(long lsn) throws IOException {
        List<Long> starts = new ArrayList<>();
        for (String name : fs.list(dir)) {
            long s = WalFormat.parseSegmentName(name);
            if (s >= 0) {
                starts.add(s);
            }
        }
        starts.sort(Long::compare);
        List<String> deleted = new ArrayList<>();
        long current;
        flushLock.lock();
        try {
            current = unsealedStart();
        } finally {
            flushLock.unlock();
        }
        for (int i = 0; i + 1 < starts.size(); i++) {
            long next = starts.get(i + 1);
            if (next <= lsn && starts.get(i) < current) {
                String name = WalFormat.segmentName(starts.get(i));
                fs.deleteIfExists(dir.resolve(name));
                deleted.add(name);
            }
        }
        if (!deleted.isEmpty()) {
            fs.syncDirectory(dir);
        }
        return deleted;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (poison == null) {
                sync(maxLsn());
                completePendingSeal();
            }
        } finally {
            abandon();
        }
    }

    /** Closes the segment without writing what is still buffered (also: simulated process death). */
    public void abandon() throws IOException {
        closed = true;
        if (reserver != null) {
            LockSupport.unpark(reserver);
        }
        flushLock.lock();
        try {
            reserveLock.lock();
            try {
                segment.close();
                PendingSeal seal = pendingSeal;
                if (seal != null) {
                    seal.file().close(); // left as it is: recovery reads its frames and skips its zeros
                }
                StorageFile next = nextSegment;
                nextSegment = null;
                if (next != null) {
                    next.close(); // the file stays; the next open deletes it
                }
            } finally {
                reserveLock.unlock();
            }
        } finally {
            flushLock.unlock();
        }
        if (reserver != null && reserver != Thread.currentThread()) {
            try {
                reserver.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static {
        // Page.SIZE must fit the u16 offsets and lengths used by page-edit records.
        if (Page.SIZE > 0xFFFF) {
            throw new AssertionError("page size too large for WAL page-edit encoding");
        }
    }
}
