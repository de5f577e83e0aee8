package dev.powdb.storage.engine;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageRedo;
import dev.powdb.storage.page.PagedFile;
import dev.powdb.storage.util.ByteSource;
import dev.powdb.storage.wal.Wal;
import dev.powdb.storage.wal.WalRecord;
import dev.powdb.storage.wal.WalRecordType;
import dev.powdb.storage.wal.WalScanner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings a data directory to a consistent state at open: read the last checkpoint, replay (redo) every WAL record
 * from its redo LSN on pages whose LSN is older than the record, undo the changes of a transaction that never
 * committed, delete files that no committed catalog owns, and take a checkpoint.
 */
final class Recovery {
    private final Engine e;
    private final Map<Integer, String> names = new HashMap<>();
    private final Set<Integer> skipped = new HashSet<>();
    /** Pages whose full image has been replayed in this recovery (file id << 32 | page number). */
    private final Set<Long> rebuilt = new HashSet<>();
    private Catalog replayCatalog;
    /** Records of transactions seen without a commit or abort yet, by transaction id, in log order. */
    private final Map<Long, List<WalRecord>> openTxs = new java.util.LinkedHashMap<>();
    private long redoLsn;

    private Recovery(Engine e) {
        this.e = e;
    }

    static void run(Engine e) throws IOException {
        new Recovery(e).recover();
    }

    private void recover() throws IOException {
        Path walDir = e.dir.resolve(Engine.WAL_DIR);
        e.fs.createDirectories(walDir);
        if (!e.fs.exists(e.dir.resolve(ControlFile.NAME))) {
            create(walDir);
            return;
        }
        ControlFile.State st = ControlFile.read(e.fs, e.dir);
        e.setDatabaseId(st.idHigh, st.idLow);
        e.openArchive(); // refuses another database's archive before replay changes anything
        if (!e.fs.exists(e.dir.resolve(CatalogFile.NAME))) {
            throw new CorruptionException(e.dir.resolve(CatalogFile.NAME).toString(), 0, "catalog",
                    "catalog.bin", "no such file", "deleted by hand? restore from a backup");
        }
        replayCatalog = CatalogFile.read(e.fs, e.dir);
        noteNames(replayCatalog);
        redoLsn = st.redoLsn;
        List<dev.powdb.storage.page.ChangeTracker.Window> stored = ChangeSummaries.load(e);
        ChangeSummaries.keepOnly(e, stored, e.pool.changes().restore(stored, st.redoLsn));
        WalScanner scanner = new WalScanner(e.fs, walDir);
        if (scanner.segments().isEmpty() && st.clean && st.redoLsn == st.nextLsn && st.undoLsn == st.nextLsn) {
            // A restored backup (or a directory whose WAL was fully checkpointed at a clean stop): nothing to
            // replay or undo, so the WAL starts afresh at the recorded next LSN.
            finish(new Wal(e.fs, walDir, e.options.walSegmentBytes(), st.nextLsn, null, 0, 0), st, st.nextLsn);
            return;
        }
        if (scanner.segments().isEmpty()) {
            throw new CorruptionException(walDir.toString(), 0, "WAL", "segments from LSN " + Math.min(st.redoLsn,
                    st.undoLsn), "an empty WAL directory", "WAL deleted by hand? restore from a backup");
        }
        long from = Math.min(st.redoLsn, st.undoLsn);
        WalScanner.End end = scanner.scan(from, true, this::apply);
        if (!st.clean) {
            rewriteWal(scanner, walDir, from);
        }
        long next = Math.max(end.nextLsn, st.nextLsn);
        boolean appendToLast = end.lastSegment != null && end.nextLsn == next;
        finish(new Wal(e.fs, walDir, e.options.walSegmentBytes(), next,
                appendToLast ? end.lastSegment : null, end.lastSegmentStart, end.lastSegmentLength), st, next);
    }

    /** After replay: installs the WAL and the catalog, undoes unfinished transactions, tidies files, checkpoints. */
    private void finish(Wal wal, ControlFile.State st, long next) throws IOException {
        e.setWal(wal);
        e.checkpointer.resume(st.sequence, -1);
        e.setFpiThreshold(next);
        e.setCatalog(replayCatalog);
        undoLosers();
        padShortFiles();
        removeStrayFiles();
        e.startArchiving();
        e.checkpointer.run(false);
    }

    /**
     * After an unclean stop, writes the WAL that recovery relies on back to its files and fsyncs it. A failed fsync
     * before the stop may have left records that can be read but are not on stable storage (the kernel can mark
     * such pages clean); rewriting them makes what recovery saw durable before anything is built on it.
     */
    private void rewriteWal(WalScanner scanner, Path walDir, long from) throws IOException {
        List<Long> starts = scanner.segments();
        for (int i = 0; i < starts.size(); i++) {
            boolean needed = i + 1 >= starts.size() || starts.get(i + 1) > from;
            if (!needed) {
                continue;
            }
            Path p = walDir.resolve(dev.powdb.storage.wal.WalFormat.segmentName(starts.get(i)));
            try (StorageFile f = e.fs.open(p, false)) {
                long size = f.size();
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                for (long pos = 0; pos < size; pos += buf.capacity()) {
                    buf.clear();
                    buf.limit((int) Math.min(buf.capacity(), size - pos));
                    f.readFully(buf, pos);
                    buf.flip();
                    f.write(buf, pos);
                }
                f.sync();
            }
        }
        e.fs.syncDirectory(walDir);
    }

    private void create(Path walDir) throws IOException {
        for (String name : e.fs.list(e.dir)) {
            if (name.equals(CatalogFile.NAME) || name.endsWith(".heap") || name.endsWith(".idx")) {
                throw new CorruptionException(e.dir.resolve(ControlFile.NAME).toString(), 0, "control file",
                        "control.bin beside " + name, "no such file", "deleted by hand? restore from a backup");
            }
        }
        for (String name : e.fs.list(walDir)) {
            e.fs.deleteIfExists(walDir.resolve(name));
        }
        ChangeSummaries.keepOnly(e, ChangeSummaries.load(e), List.of());
        e.pool.changes().restore(List.of(), 1);
        e.setDatabaseId(0, 0);
        e.setWal(new Wal(e.fs, walDir, e.options.walSegmentBytes(), 1, null, 0, 0));
        e.setFpiThreshold(1);
        e.setCatalog(Catalog.empty());
        e.startArchiving();
        e.checkpointer.run(false);
    }

    private void noteNames(Catalog c) {
        for (TableMeta t : c.tables) {
            names.put(t.heapFileId, t.heapFile);
            for (IndexMeta i : t.indexes) {
                names.put(i.fileId, i.fileName);
            }
        }
    }

    private void apply(WalRecord r) {
        switch (r.type) {
            case WalRecordType.COMMIT:
            case WalRecordType.ABORT:
                openTxs.remove(r.txId);
                return;
            case WalRecordType.RESTORE_POINT:
                return;
            case WalRecordType.CATALOG: {
                ByteSource in = new ByteSource(r.payload);
                Catalog after = Catalog.deserialize(in.blob(), r.segment + "@" + r.offset);
                noteNames(after);
                noteNames(Catalog.deserialize(in.blob(), r.segment + "@" + r.offset));
                if (r.lsn >= redoLsn) {
                    replayCatalog = after;
                }
                break;
            }
            case WalRecordType.PAGE_EDIT:
                if (r.lsn >= redoLsn) {
                    redo(r);
                }
                break;
            default:
                throw new CorruptionException(r.segment, r.offset, "WAL record type", "a known type",
                        String.valueOf(r.type), "written by a newer PowDB?");
        }
        openTxs.computeIfAbsent(r.txId, k -> new ArrayList<>()).add(r);
    }

    private void redo(WalRecord r) {
        ByteSource in = new ByteSource(r.payload);
        int fileId = in.i32();
        int pageNo = in.i32();
        boolean full = (in.u8() & 1) != 0;
        // Every page the log since the checkpoint changed, applied again or not, belongs to the current window.
        e.pool.changes().noteRecovered(fileId, pageNo);
        PagedFile f = resolve(fileId);
        if (f == null) {
            return;
        }
        int n = in.u16();
        int[] ranges = new int[2 * n];
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            ranges[2 * i] = in.u16();
            ranges[2 * i + 1] = in.u16();
            offsets[i] = in.position();
            in.skip(ranges[2 * i + 1]);
        }
        Page p = f.pool().pinForRedo(f, pageNo);
        try {
            if (p.torn() && !full && !rebuilt.contains(((long) fileId << 32) | (pageNo & 0xFFFFFFFFL))) {
                throw new CorruptionException(f.name(), (long) pageNo * Page.SIZE, "page " + pageNo,
                        "a page that passes its checksum, or a full image of it in the WAL",
                        "a damaged page and only a partial change (WAL LSN " + r.lsn + ")",
                        "media damage; restore from a backup");
            }
            // The first change of a page after the checkpoint is a full image, so from there on history is
            // repeated unconditionally. The page on disk is not trusted: after a failed fsync the OS may show
            // bytes that a power loss would still take away, and the final checkpoint rewrites every page
            // touched here.
            long key = ((long) fileId << 32) | (pageNo & 0xFFFFFFFFL);
            if (full || rebuilt.contains(key) || p.lsn() < r.lsn) {
                PageRedo.apply(p, full, ranges, r.payload, offsets, r.lsn);
                if (full) {
                    rebuilt.add(key);
                }
            }
        } finally {
            p.unpin();
        }
    }

    /** The open file for {@code fileId}, or null when its changes are to be skipped. */
    private PagedFile resolve(int fileId) {
        PagedFile f = e.fileById(fileId);
        if (f != null || skipped.contains(fileId)) {
            return f;
        }
        String name = names.get(fileId);
        if (name == null) {
            skipped.add(fileId);
            return null;
        }
        Path p = e.dir.resolve(name);
        try {
            if (e.fs.exists(p)) {
                int onDisk = incarnation(p);
                if (onDisk > fileId) {
                    skipped.add(fileId); // the name now belongs to a newer file
                    return null;
                }
                if (onDisk >= 0 && onDisk < fileId) {
                    try (StorageFile sf = e.fs.open(p, false)) {
                        sf.truncate(0); // a leftover of an older, dropped file of the same name
                    }
                }
            }
        } catch (IOException ex) {
            throw Engine.unchecked("cannot read " + p, ex);
        }
        return e.openFile(fileId, name, true);
    }

    /** File id recorded in page 0 of {@code p}, or -1 when page 0 is missing or damaged. */
    private int incarnation(Path p) throws IOException {
        byte[] img = new byte[Page.SIZE];
        try (StorageFile sf = e.fs.open(p, false)) {
            if (sf.readFully(ByteBuffer.wrap(img), 0) < Page.SIZE || Page.isZero(img)) {
                return -1;
            }
        }
        int fid = Page.readInt(img, 20);
        try {
            Page.verifyImage(img, p.toString(), fid, 0);
            return fid;
        } catch (CorruptionException ex) {
            return -1;
        }
    }

    /**
     * Undoes every transaction that has neither a commit nor an abort record, newest first (transactions never
     * interleave in the WAL, so reverse order of their first LSN is reverse order of their changes).
     */
    private void undoLosers() {
        List<Long> losers = new ArrayList<>(openTxs.keySet());
        losers.sort((a, b) -> Long.compare(openTxs.get(b).get(0).lsn, openTxs.get(a).get(0).lsn));
        for (long tx : losers) {
            TxContext ctx = new TxContext(e, tx);
            for (WalRecord r : openTxs.get(tx)) {
                ctx.addUndoFromRecord(r);
            }
            ctx.rollbackTo(0);
            ctx.flushPending();
            e.wal().append(WalRecordType.ABORT, tx, out -> { });
        }
        if (!losers.isEmpty()) {
            e.wal().sync(e.wal().maxLsn());
        }
        openTxs.clear();
    }

    /**
     * Extends a data file whose length is not a whole number of pages (a page write cut short at the end of the
     * file) with zeros: readers already treat the missing bytes as zeros, and the file format wants whole pages.
     */
    private void padShortFiles() throws IOException {
        for (PagedFile f : e.openFiles()) {
            try (StorageFile sf = e.fs.open(f.path(), false)) {
                long size = sf.size();
                long rest = size % Page.SIZE;
                if (rest != 0) {
                    sf.write(ByteBuffer.allocate((int) (Page.SIZE - rest)), size);
                    sf.sync();
                }
            }
        }
    }

    /** Deletes data files no catalog entry owns (dropped tables, rolled-back creations) and stale temp files. */
    private void removeStrayFiles() throws IOException {
        e.deleteOrphans();
        Set<String> owned = e.catalog().fileNames();
        boolean changed = false;
        for (String name : e.fs.list(e.dir)) {
            boolean data = name.endsWith(".heap") || name.endsWith(".idx");
            if ((data && !owned.contains(name)) || name.endsWith(".tmp")) {
                e.fs.deleteIfExists(e.dir.resolve(name));
                changed = true;
            }
        }
        if (changed) {
            e.fs.syncDirectory(e.dir);
        }
    }
}
