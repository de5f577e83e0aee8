package dev.powdb.storage.engine;

import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageEdit;
import dev.powdb.storage.page.PageRedo;
import dev.powdb.storage.page.PagedFile;
import dev.powdb.storage.util.ByteSink;
import dev.powdb.storage.util.ByteSource;
import dev.powdb.storage.wal.WalRecordType;

/**
 * The write side of one transaction: logs every page edit and catalog change to the WAL and keeps an in-memory
 * undo log (the before-bytes of each change) so that a statement or the whole transaction can be rolled back.
 * Rollback applies the before-bytes in reverse order as new, logged edits (compensations), which is correct because
 * only one transaction writes at a time.
 */
final class TxContext implements EditLog {
    private static final int UNDO_PAGE = 1;
    private static final int UNDO_CATALOG = 2;

    final Engine engine;
    final long txId;
    /** LSN of this transaction's first record, or -1 while it has written nothing. */
    volatile long firstLsn = -1;
    /** LSN of the commit record once committed (-1 before, and when nothing was written). */
    volatile long commitLsn = -1;

    /** LSN of the commit record once committed (-1 before, and when nothing was written). */
    public long commitLsn() {
        return commitLsn;
    }
    private final ByteSink undo = new ByteSink(4096);
    private boolean compensating;
    boolean dropsFiles;

    TxContext(Engine engine, long txId) {
        this.engine = engine;
        this.txId = txId;
    }

    /** Pages with deferred changes (each pinned once by this transaction until its change is logged). */
    private final java.util.List<Page> pending = new java.util.ArrayList<>();
    /** Pending pages beyond which their changes are logged at once (bounds pinned memory). */
    static final int MAX_PENDING_PAGES = 1024;

    @Override
    public boolean defersEdits() {
        return true;
    }

    /**
     * Collects an edit: the undo bytes go to the in-memory undo log at once (statement rollback), the WAL record
     * waits until {@link #flushPending()} writes the page's net change as one record. A page loaded row by row in
     * one transaction is thus logged once instead of once per row.
     */
    @Override
    public void deferEdit(Page page, int[] ranges, byte[] before, boolean newlyPending) {
        if (!compensating) {
            int start = undo.length();
            undo.u8(UNDO_PAGE).i32(page.fileId()).i32(page.pageNo());
            writeUndoRanges(undo, ranges, before);
            undo.i32(undo.length() - start + 4);
        }
        if (newlyPending) {
            page.file().pin(page.pageNo()); // keeps the page resident until its change is logged
            pending.add(page);
            if (pending.size() >= MAX_PENDING_PAGES) {
                flushPending();
            }
        }
    }

    /** Logs the net change of every pending page, one WAL record per page, and stamps their LSNs. */
    void flushPending() {
        int i = 0;
        try {
            for (; i < pending.size(); i++) {
                logPending(pending.get(i));
            }
        } finally {
            // Pages not reached stay pending (and pinned): a later flush or the rollback deals with them.
            pending.subList(0, i).clear();
        }
    }

    private void logPending(Page page) {
        page.latch().writeLock().lock();
        try {
            byte[] base = page.pendingBase();
            if (base == null) {
                return;
            }
            byte[] now = PageRedo.raw(page);
            int[] ranges = PageRedo.diff(base, now);
            if (ranges.length > 0) {
                long lsn = engine.wal().append(WalRecordType.PAGE_EDIT, txId, out -> {
                    boolean full = page.lsn() < engine.fpiThreshold();
                    writePageHeader(out, page, full);
                    writeRanges(out, full ? PageRedo.nonZeroRuns(page) : ranges, now);
                    writeUndoRanges(out, ranges, base);
                }, this::noteFirst);
                page.stampLogged(lsn);
            }
            page.clearPending();
        } finally {
            page.latch().writeLock().unlock();
        }
        page.unpin();
    }

    @Override
    public long logEdit(Page page, int[] ranges, byte[] before) {
        long lsn = engine.wal().append(WalRecordType.PAGE_EDIT, txId, out -> {
            boolean full = page.lsn() < engine.fpiThreshold();
            writePageHeader(out, page, full);
            int[] redo = full ? PageRedo.nonZeroRuns(page) : ranges;
            byte[] now = PageRedo.raw(page);
            writeRanges(out, redo, now);
            writeUndoRanges(out, ranges, before);
        }, this::noteFirst);
        if (!compensating) {
            int start = undo.length();
            undo.u8(UNDO_PAGE).i32(page.fileId()).i32(page.pageNo());
            writeUndoRanges(undo, ranges, before);
            undo.i32(undo.length() - start + 4);
        }
        return lsn;
    }

    /**
     * Starts a page record (file id, page number, full-image flag) and notes the page as changed. This runs inside
     * the WAL append, where no checkpoint can cut the change-tracking window between the record's LSN and the note
     * (see {@link dev.powdb.storage.page.ChangeTracker#noteLogging}).
     */
    private void writePageHeader(ByteSink out, Page page, boolean full) {
        out.i32(page.fileId()).i32(page.pageNo()).u8(full ? 1 : 0);
        engine.pool.changes().noteLogging(page.fileId(), page.pageNo());
    }

    /** Marks an undo range whose before-bytes were all zero (fresh space): no bytes follow it. */
    static final int ZERO_RANGE = 0x8000;

    /**
     * Undo ranges: like redo ranges, but a range whose before-bytes are all zero (most inserts write into zeroed
     * free space) is stored as its offset and length with {@link #ZERO_RANGE} set, without the bytes.
     */
    private static void writeUndoRanges(ByteSink out, int[] ranges, byte[] src) {
        out.u16(ranges.length / 2);
        for (int i = 0; i < ranges.length; i += 2) {
            int len = ranges[i + 1] - ranges[i];
            if (isZero(src, ranges[i], len)) {
                out.u16(ranges[i]).u16(len | ZERO_RANGE);
            } else {
                out.u16(ranges[i]).u16(len).bytes(src, ranges[i], len);
            }
        }
    }

    private static final byte[] ZEROS = new byte[Page.SIZE];

    private static boolean isZero(byte[] b, int off, int len) {
        return java.util.Arrays.mismatch(b, off, off + len, ZEROS, 0, len) < 0;
    }

    /** Reads one undo range's bytes (zeros for a {@link #ZERO_RANGE}); {@code word} is its length word. */
    private static byte[] undoBytes(ByteSource in, int word) {
        int len = word & ~ZERO_RANGE;
        return (word & ZERO_RANGE) != 0 ? new byte[len] : in.bytes(len);
    }

    private static void writeRanges(ByteSink out, int[] ranges, byte[] src) {
        out.u16(ranges.length / 2);
        for (int i = 0; i < ranges.length; i += 2) {
            int len = ranges[i + 1] - ranges[i];
            out.u16(ranges[i]).u16(len).bytes(src, ranges[i], len);
        }
    }

    /** Logs a catalog change; the caller installs {@code after} in the engine. */
    void logCatalog(Catalog after, Catalog before) {
        // Page changes made before the schema change must reach the WAL before it (recovery maps files by it).
        flushPending();
        byte[] a = after.serialize();
        byte[] b = before.serialize();
        engine.wal().append(WalRecordType.CATALOG, txId, out -> out.blob(a).blob(b), this::noteFirst);
        if (!compensating) {
            int start = undo.length();
            undo.u8(UNDO_CATALOG).blob(b);
            undo.i32(undo.length() - start + 4);
        }
    }

    /** Rebuilds undo information from a logged record of this transaction (recovery of a loser). */
    void addUndoFromRecord(dev.powdb.storage.wal.WalRecord r) {
        ByteSource in = new ByteSource(r.payload);
        noteFirst(r.lsn);
        int start = undo.length();
        if (r.type == WalRecordType.CATALOG) {
            in.blob();
            undo.u8(UNDO_CATALOG).blob(in.blob());
        } else if (r.type == WalRecordType.PAGE_EDIT) {
            int fileId = in.i32();
            int pageNo = in.i32();
            in.u8();
            int n = in.u16();
            for (int i = 0; i < n; i++) {
                in.u16();
                in.skip(in.u16());
            }
            undo.u8(UNDO_PAGE).i32(fileId).i32(pageNo);
            int m = in.u16();
            undo.u16(m);
            for (int i = 0; i < m; i++) {
                int off = in.u16();
                int word = in.u16();
                undo.u16(off).u16(word);
                if ((word & ZERO_RANGE) == 0) {
                    undo.bytes(in.bytes(word));
                }
            }
        } else {
            return;
        }
        undo.i32(undo.length() - start + 4);
    }

    /**
     * Records the transaction's first LSN. Logging passes this to the WAL append, which calls it before it lets go
     * of the append lock: a checkpoint pauses appends to capture the LSN from which open transactions must be
     * undone, and a first record appended but not yet noted would make it start after that record.
     */
    private void noteFirst(long lsn) {
        if (firstLsn < 0) {
            firstLsn = lsn;
        }
    }

    /** Whether the transaction has logged anything. */
    boolean wroteAnything() {
        return firstLsn >= 0;
    }

    /** A position in the undo log to roll back to. */
    int savepoint() {
        return undo.length();
    }

    /**
     * Undoes every change made after {@code savepoint}, newest first, logging compensations. When the WAL refuses
     * writes (it is poisoned), the remaining changes are undone in memory only: no page can reach disk any more
     * (the write-ahead gate fails), recovery at the next open undoes them on disk, and meanwhile readers of this
     * process must not see them.
     */
    void rollbackTo(int savepoint) {
        compensating = true;
        boolean logged = engine.wal().poison() == null;
        try {
            byte[] buf = undo.array();
            int end = undo.length();
            while (end > savepoint) {
                int len = Page.readInt(buf, end - 4);
                int start = end - len;
                if (logged) {
                    try {
                        undoEntry(new ByteSource(buf, start, len - 4), this);
                    } catch (dev.powdb.storage.PowDbException e) {
                        if (engine.wal().poison() == null) {
                            throw e;
                        }
                        logged = false;
                    }
                }
                if (!logged) {
                    undoEntry(new ByteSource(buf, start, len - 4), null);
                }
                end = start;
            }
            truncateUndo(savepoint);
        } finally {
            compensating = false;
        }
    }

    private void truncateUndo(int length) {
        byte[] keep = java.util.Arrays.copyOf(undo.array(), length);
        undo.reset();
        undo.bytes(keep);
    }

    /** Applies one undo entry, logged through {@code log}, or in memory only when {@code log} is null. */
    private void undoEntry(ByteSource in, TxContext log) {
        int kind = in.u8();
        if (kind == UNDO_CATALOG) {
            Catalog before = Catalog.deserialize(in.blob(), "undo log");
            if (log != null) {
                engine.installCatalog(this, before);
            } else {
                engine.setCatalog(before);
            }
            return;
        }
        int fileId = in.i32();
        int pageNo = in.i32();
        PagedFile file = engine.fileById(fileId);
        if (file == null) {
            return; // the file's creation was undone already; its pages no longer matter
        }
        Page p = file.pinOrAllocate(pageNo);
        EditLog editLog = log != null ? log : (page, ranges, before) -> page.lsn();
        try (PageEdit e = PageEdit.begin(p, editLog)) {
            int n = in.u16();
            for (int i = 0; i < n; i++) {
                int off = in.u16();
                byte[] bytes = undoBytes(in, in.u16());
                p.putBytes(off, bytes, 0, bytes.length);
            }
        } finally {
            p.unpin();
        }
    }
}
