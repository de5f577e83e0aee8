package dev.powdb.storage.page;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Caches pages of all paged files with clock replacement. A dirty page is written back only after the WAL is durable
 * up to its LSN (the write-ahead rule, through a {@link PageFlushGate}), with a fresh CRC32C.
 *
 * <p>Pinned pages are never evicted; when every page is pinned the pool grows past its capacity instead of failing.
 * All bookkeeping is under one lock; page contents are protected by each page's latch.
 */
public final class BufferPool {
    private final int capacityPages;
    private volatile PageFlushGate gate;
    /** Pages cached (each file keeps its own page-number-indexed table of them). */
    private int resident;
    private final List<Page> clock = new ArrayList<>();
    private int hand;
    private volatile IOException writeFailure;
    /**
     * Redo LSN of the last completed checkpoint. A page image whose LSN is below it was written and fsynced by
     * that checkpoint already; writing it again could only tear it, and no WAL image after the checkpoint could
     * repair it.
     */
    private volatile long checkpointedBelow;
    private volatile java.util.function.Consumer<IOException> failureListener = e -> { };
    private long reads;
    private long writes;

    /** @param capacityPages pages kept in memory (each 4096 bytes) */
    private final ChangeTracker changes = new ChangeTracker();

    /** Which pages changed since the database was opened (for incremental backups). */
    public ChangeTracker changes() {
        return changes;
    }

    public BufferPool(int capacityPages, PageFlushGate gate) {
        if (capacityPages < 16) {
            throw new IllegalArgumentException("buffer pool needs at least 16 pages, got " + capacityPages);
        }
        this.capacityPages = capacityPages;
        this.gate = gate;
    }

    /** Sets the redo LSN of the last completed checkpoint (see {@link #checkpointedBelow}). */
    public void setCheckpointed(long redoLsn) {
        checkpointedBelow = redoLsn;
    }

    /** Told about the first failed page write (the engine poisons itself). */
    public void setFailureListener(java.util.function.Consumer<IOException> listener) {
        this.failureListener = listener;
    }

    /** Replaces the write-ahead gate (set once the WAL is open). */
    public void setGate(PageFlushGate gate) {
        this.gate = gate;
    }

    /**
     * Pins a page, reading it from disk if needed.
     *
     * @param fresh the page was just allocated: start from zeros without reading
     */
    Page pin(PagedFile file, int pageNo, boolean fresh) {
        if (!fresh) {
            // Fast path without the pool lock: pin a resident page unless an eviction has claimed it.
            Page page = file.resident(pageNo);
            if (page != null) {
                int c = page.pins.get();
                while (c >= 0) {
                    if (page.pins.compareAndSet(c, c + 1)) {
                        if (file.resident(pageNo) == page && !page.discarded) {
                            page.referenced = true;
                            return page;
                        }
                        page.pins.decrementAndGet();
                        break;
                    }
                    c = page.pins.get();
                }
            }
        }
        return pinInternal(file, pageNo, fresh, false);
    }

    /**
     * Pins a page for WAL redo: a page that fails its checks is returned as zeros with {@link Page#torn()} set,
     * so that a full-page image from the WAL can repair it.
     */
    public Page pinForRedo(PagedFile file, int pageNo) {
        file.ensurePageCount(pageNo + 1);
        return pinInternal(file, pageNo, false, true);
    }

    private synchronized Page pinInternal(PagedFile file, int pageNo, boolean fresh, boolean lenient) {
        Page page = file.resident(pageNo);
        if (page != null) {
            page.pins.incrementAndGet(); // never -1 here: evictions finish under this lock
            page.referenced = true;
            return page;
        }
        makeRoom();
        Page frame = spare.size() > spareReserve ? spare.pollFirst() : null;
        if (frame != null) {
            frame.reuse(file, pageNo); // still claimed (pins -1): the lock-free path cannot pin it meanwhile
            page = frame;
            reused++;
        } else {
            page = new Page(file, pageNo);
            page.pins.set(-1); // unpinnable until published below, like a reused frame
        }
        try {
            if (fresh) {
                if (frame != null) {
                    java.util.Arrays.fill(page.data, (byte) 0);
                }
            } else {
                reads++;
                boolean ok = file.readImage(pageNo, page.data, lenient);
                if (!ok) {
                    java.util.Arrays.fill(page.data, (byte) 0);
                    page.torn = true;
                }
            }
        } catch (RuntimeException | Error e) {
            if (frame != null) {
                retire(frame);
            }
            throw e;
        }
        file.setResident(pageNo, page);
        resident++;
        clock.add(page);
        page.referenced = true;
        // Publishes the loaded contents: the lock-free path reads pins first, and -1 kept it out until here (a
        // thread holding a stale reference to a reused frame, or one that found the page just made resident).
        page.pins.set(1);
        return page;
    }

    /**
     * Evicted frames kept for reuse. Each is claimed (pins -1), so a thread that still holds a stale reference
     * from the lock-free path cannot pin it; it gets a new identity and contents before it is published again.
     * Reusing frames keeps a busy pool from allocating 4 KiB or more per page read, which the collector would
     * otherwise copy as long as the page stays cached (young pauses of tens of milliseconds with a 256 MiB pool).
     */
    private final java.util.ArrayDeque<Page> spare = new java.util.ArrayDeque<>();
    /** Frames kept on the spare list before one is reused (only the debug mode keeps some, see below). */
    private final int spareReserve = POISON_EVICTED ? 32 : 0;
    /** Spare frames beyond which evicted frames are left to the collector. */
    private static final int MAX_SPARE = 64;
    private long reused;

    /**
     * Debug mode ({@code -Dpowdb.debug.poisonEvicted=true}, on in this project's tests): evicted frames are filled
     * with garbage and their identity removed, and reused only after 32 later evictions, so that code using a page
     * after unpinning it fails its checks instead of reading a stale or another page's bytes.
     */
    static final boolean POISON_EVICTED = Boolean.getBoolean("powdb.debug.poisonEvicted");

    private void retire(Page evicted) {
        if (POISON_EVICTED) {
            evicted.poison();
        }
        if (spare.size() < MAX_SPARE + spareReserve) {
            spare.addLast(evicted);
        }
    }

    void unpin(Page page) {
        if (page.pins.decrementAndGet() < 0) {
            page.pins.incrementAndGet();
            throw new IllegalStateException("page " + page.fileId() + ":" + page.pageNo() + " unpinned too often");
        }
    }

    private void makeRoom() {
        int scanned = 0;
        while (resident >= capacityPages && scanned < clock.size() * 2) {
            if (hand >= clock.size()) {
                hand = 0;
            }
            Page p = clock.get(hand);
            scanned++;
            if (p.pins.get() > 0) {
                hand++;
                continue;
            }
            if (p.referenced) {
                p.referenced = false;
                hand++;
                continue;
            }
            // Claim the page: from now on the lock-free pin path cannot pin it.
            if (!p.pins.compareAndSet(0, -1)) {
                hand++;
                continue;
            }
            if (p.dirty) {
                if (writeFailure != null) {
                    // After a failed write nothing more is written: keep the page and let the pool grow, so that
                    // reads and in-memory rollbacks keep working until the database is reopened.
                    p.pins.set(0);
                    hand++;
                    continue;
                }
                try {
                    writeBack(p);
                } catch (PowDbException e) {
                    p.pins.set(0);
                    if (writeFailure == null) {
                        writeFailure = new IOException(e.getMessage(), e);
                    }
                    failureListener.accept(writeFailure);
                    hand++;
                    continue;
                }
            }
            p.owner.setResident(p.pageNo(), null);
            resident--;
            int last = clock.size() - 1;
            clock.set(hand, clock.get(last));
            clock.remove(last);
            retire(p);
        }
    }

    private final byte[] scratch = new byte[Page.SIZE];

    /** Writes a dirty page; caller holds the pool lock (or owns the page exclusively). */
    private void writeBack(Page p) {
        long lsn;
        int copied;
        p.latch.readLock().lock();
        try {
            copied = p.copyForWrite(scratch);
            p.dirty = copied != Page.COPY_ALL;
            lsn = Page.imageLsn(scratch);
        } finally {
            p.latch.readLock().unlock();
        }
        if (copied == Page.COPY_NOTHING || lsn < checkpointedBelow) {
            return;
        }
        try {
            gate.makeDurable(lsn);
            p.owner.writeImage(p.pageNo(), scratch);
            writes++;
            if (copied == Page.COPY_BASE) {
                markBaseWritten(p, scratch);
            }
        } catch (IOException e) {
            p.dirty = true;
            writeFailure = e;
            throw new PowDbException(ErrorCode.IO, "cannot write page " + p.pageNo() + " of " + p.owner.name()
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            p.dirty = true;
            throw e;
        }
    }

    /**
     * Records that a page's last logged state reached its file, unless the writer logged the page (or started a
     * new pending state) meanwhile: only the very image written counts.
     */
    private static void markBaseWritten(Page p, byte[] written) {
        p.latch.writeLock().lock();
        try {
            if (p.pendingBase != null && Page.imageLsn(p.pendingBase) == Page.imageLsn(written)
                    && java.util.Arrays.equals(p.pendingBase, 4, Page.SIZE, written, 4, Page.SIZE)) {
                p.pendingBaseOnDisk = true;
            }
        } finally {
            p.latch.writeLock().unlock();
        }
    }

    /**
     * Copies a stable image of a page for an online backup: the last logged state of a resident page (taken under
     * its read latch, so never half an edit), or the page as stored when it is not resident (read under the pool
     * lock, while no write of it can be in flight, because pages are written only while resident). A page that
     * was never written nor logged comes back as zeros. The image carries a valid checksum unless it is all zeros.
     */
    public void readStable(PagedFile file, int pageNo, byte[] out) {
        Page p;
        synchronized (this) {
            p = file.resident(pageNo);
            if (p == null || p.discarded) {
                file.readImage(pageNo, out, true);
                return;
            }
            p.pins.incrementAndGet();
        }
        try {
            p.latch.readLock().lock();
            try {
                p.copyLogged(out);
            } finally {
                p.latch.readLock().unlock();
            }
        } finally {
            synchronized (this) {
                p.pins.decrementAndGet();
            }
        }
    }

    /** Writes every dirty page of {@code file}. */
    public void flushFile(PagedFile file) {
        flushWhere(p -> p.owner == file, false);
    }

    /**
     * Writes every dirty page for a checkpoint: in file and page order, {@link #CHECKPOINT_STEP} pages at a time,
     * each step fsynced (every file it wrote) before the next is written. Written all at once and fsynced at the
     * end, a checkpoint's pages (10 MB and more under a steady write load) reached the disk in one burst, and a
     * commit's WAL fsync issued meanwhile waited behind all of them; in steps it waits behind one step at most.
     *
     * @return the number of pages written
     */
    public int flushAll() {
        return flushWhere(p -> true, true);
    }

    /**
     * Writes the selected dirty pages. Each page is pinned, copied under its read latch (waiting for an edit in
     * progress without holding the pool lock, so a writer that pins other pages meanwhile cannot deadlock with
     * us), then written after the WAL is durable up to its LSN.
     */
    private int flushWhere(java.util.function.Predicate<Page> which, boolean inSyncedSteps) {
        List<Page> dirty = pinDirty(which);
        if (inSyncedSteps) {
            // Neighbouring pages of a file go out together, as larger writes.
            dirty.sort(java.util.Comparator.comparingInt(Page::fileId).thenComparingInt(Page::pageNo));
        }
        // Pages are copied in batches and the WAL is made durable once per batch, up to the newest copy's LSN:
        // one fsync per batch instead of one per page whose LSN is past the last fsync (which, with writers
        // committing meanwhile, is most of them, and each such fsync holds up their commits).
        int batchSize = inSyncedSteps ? CHECKPOINT_STEP : FLUSH_BATCH;
        byte[][] images = new byte[Math.min(batchSize, Math.max(1, dirty.size()))][Page.SIZE];
        Page[] batch = new Page[images.length];
        int[] kinds = new int[images.length];
        int n = 0;
        try {
            int i = 0;
            while (i < dirty.size()) {
                int count = 0;
                long maxLsn = 0;
                for (; i < dirty.size() && count < images.length; i++) {
                    Page p = dirty.get(i);
                    long lsn;
                    int copied;
                    p.latch.readLock().lock();
                    try {
                        if (!p.dirty || p.discarded) {
                            continue;
                        }
                        copied = p.copyForWrite(images[count]);
                        p.dirty = copied != Page.COPY_ALL;
                        lsn = Page.imageLsn(images[count]);
                    } finally {
                        p.latch.readLock().unlock();
                    }
                    if (copied == Page.COPY_NOTHING || lsn < checkpointedBelow) {
                        continue;
                    }
                    batch[count] = p;
                    kinds[count] = copied;
                    maxLsn = Math.max(maxLsn, lsn);
                    count++;
                }
                try {
                    if (count > 0) {
                        gate.makeDurable(maxLsn);
                    }
                } catch (RuntimeException e) {
                    for (int k = 0; k < count; k++) {
                        batch[k].dirty = true;
                    }
                    throw e;
                }
                for (int k = 0; k < count; k++) {
                    Page p = batch[k];
                    try {
                        p.owner.writeImage(p.pageNo(), images[k]);
                        if (kinds[k] == Page.COPY_BASE) {
                            markBaseWritten(p, images[k]);
                        }
                    } catch (IOException e) {
                        for (int m = k; m < count; m++) {
                            batch[m].dirty = true;
                        }
                        writeFailure = e;
                        throw new PowDbException(ErrorCode.IO, "cannot write page " + p.pageNo() + " of "
                                + p.owner.name() + ": " + e.getMessage(), e);
                    } catch (RuntimeException e) {
                        for (int m = k; m < count; m++) {
                            batch[m].dirty = true;
                        }
                        throw e;
                    }
                    n++;
                }
                if (inSyncedSteps) {
                    syncWritten(batch, count);
                }
            }
        } finally {
            // Without the pool lock, like any unpin: touching thousands of pages held it for milliseconds.
            for (Page p : dirty) {
                p.pins.decrementAndGet();
            }
            synchronized (this) {
                writes += n;
            }
        }
        return n;
    }

    /** Pages copied before the WAL is made durable once for all of them (flushes and checkpoints). */
    private static final int FLUSH_BATCH = 256;
    /** Pages a checkpoint writes before it fsyncs them (256 KiB). */
    static final int CHECKPOINT_STEP = 64;

    /** Fsyncs each file that {@code count} pages of {@code batch} (sorted by file) were written to. */
    private void syncWritten(Page[] batch, int count) {
        PagedFile last = null;
        for (int k = 0; k < count; k++) {
            PagedFile f = batch[k].owner;
            if (f == last) {
                continue;
            }
            last = f;
            try {
                f.sync();
            } catch (IOException e) {
                writeFailure = e;
                throw new PowDbException(ErrorCode.IO, "cannot fsync " + f.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Forgets every page of {@code file} without writing it (the file is being dropped). */
    synchronized void discardFile(PagedFile file) {
        for (int i = clock.size() - 1; i >= 0; i--) {
            Page p = clock.get(i);
            if (p.owner == file) {
                p.discarded = true;
                file.setResident(p.pageNo(), null);
                resident--;
                int last = clock.size() - 1;
                clock.set(i, clock.get(last));
                clock.remove(last);
            }
        }
        hand = 0;
    }

    /** Number of dirty pages currently cached (counted without the pool lock, so a close estimate). */
    public int dirtyCount() {
        int n = 0;
        for (Object o : snapshot()) {
            if (((Page) o).dirty) {
                n++;
            }
        }
        return n;
    }

    /**
     * Pins and returns every cached page that is dirty and selected. Every page that was dirty when the call began
     * is in the result unless it was written back meanwhile (an eviction writes a dirty page first).
     *
     * <p>The pages are taken from a copy of the clock made under the pool lock (an array copy, some microseconds
     * for 65,536 frames); everything else runs without it. Scanning the clock under the lock, even a chunk at a
     * time, held the pin misses of every writer for milliseconds: the scanning thread released the lock between
     * chunks and took it straight back, ahead of the threads waiting for it. A page cached when the copy is made
     * and still cached at the end is in the copy; one evicted in between was written back by its eviction, and one
     * loaded in between was clean when it was loaded. A page is pinned as on the lock-free pin path; a frame that
     * an eviction has claimed (pins -1) is looked at again under the lock, where the eviction has finished: it is
     * then either written back and retired, or (after a failed write) kept and pinned here. A frame reused for
     * another page meanwhile may be pinned in its new identity; writing that page if it is dirty is harmless.
     */
    private List<Page> pinDirty(java.util.function.Predicate<Page> which) {
        List<Page> dirty = new ArrayList<>();
        Object[] pages = snapshot();
        Runnable hook = afterSnapshotForTesting;
        if (hook != null) {
            hook.run();
        }
        int looked = 0;
        for (Object o : pages) {
            if ((++looked & YIELD_EVERY_FRAMES - 1) == 0) {
                // Looking at every frame takes milliseconds of CPU (a cache miss per page). A writer woken on this
                // core would otherwise wait for the scheduler's next tick (4 ms on the benchmark machine).
                Thread.yield();
            }
            Page p = (Page) o;
            if (!p.dirty || !which.test(p)) {
                continue;
            }
            if (tryPin(p) || pinUnlessRetired(p)) {
                dirty.add(p);
            }
        }
        return dirty;
    }

    /** Frames looked at between two yields of the CPU while collecting dirty pages (a power of two). */
    static final int YIELD_EVERY_FRAMES = 4096;

    private static boolean tryPin(Page p) {
        int c = p.pins.get();
        while (c >= 0) {
            if (p.pins.compareAndSet(c, c + 1)) {
                return true;
            }
            c = p.pins.get();
        }
        return false;
    }

    private synchronized boolean pinUnlessRetired(Page p) {
        if (p.pins.get() < 0 || !p.dirty || p.discarded) {
            return false;
        }
        p.pins.incrementAndGet();
        return true;
    }

    /**
     * A copy of the clock. An {@code Object[]}: copying into a {@code Page[]} checks the type of every element,
     * which reads every page's header, and took 1.5-3 ms under the lock for 65,536 frames instead of microseconds.
     */
    private synchronized Object[] snapshot() {
        return clock.toArray();
    }

    /** Test seam: run by {@link #pinDirty} after it copied the clock, without the pool lock (null in production). */
    static volatile Runnable afterSnapshotForTesting;

    /** Pages read from disk since the pool was created. */
    public synchronized long reads() {
        return reads;
    }

    /** Page reads that reused an evicted frame instead of allocating one. */
    public synchronized long reusedFrames() {
        return reused;
    }

    /** Pages written to disk since the pool was created. */
    public synchronized long writes() {
        return writes;
    }

    /** The last page-write failure, if any (the database poisons itself on one). */
    public IOException writeFailure() {
        return writeFailure;
    }
}
