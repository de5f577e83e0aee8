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
    private Catalog replayCatalog;
    private long openTx = -1;
    private final List<WalRecord> openTxRecords = new ArrayList<>();
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
        if (!e.fs.exists(e.dir.resolve(CatalogFile.NAME))) {
            throw new CorruptionException(e.dir.resolve(CatalogFile.NAME).toString(), 0, "catalog",
                    "catalog.bin", "no such file", "deleted by hand? restore from a backup");
        }
        replayCatalog = CatalogFile.read(e.fs, e.dir);
        noteNames(replayCatalog);
        redoLsn = st.redoLsn;
        WalScanner scanner = new WalScanner(e.fs, walDir);
        if (scanner.segments().isEmpty()) {
            throw new CorruptionException(walDir.toString(), 0, "WAL", "segments from LSN " + Math.min(st.redoLsn,
                    st.undoLsn), "an empty WAL directory", "WAL deleted by hand? restore from a backup");
        }
        WalScanner.End end = scanner.scan(Math.min(st.redoLsn, st.undoLsn), true, this::apply);
        long next = Math.max(end.nextLsn, st.nextLsn);
        boolean appendToLast = end.lastSegment != null && end.nextLsn == next;
        e.setWal(new Wal(e.fs, walDir, e.options.walSegmentBytes(), next,
                appendToLast ? end.lastSegment : null, end.lastSegmentStart, end.lastSegmentLength));
        e.checkpointer.resume(st.sequence, -1);
        e.setFpiThreshold(next);
        e.setCatalog(replayCatalog);
        undoLoser();
        removeStrayFiles();
        e.checkpointer.run(false);
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
        e.setWal(new Wal(e.fs, walDir, e.options.walSegmentBytes(), 1, null, 0, 0));
        e.setFpiThreshold(1);
        e.setCatalog(Catalog.empty());
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
        if (r.txId != openTx) {
            openTx = r.txId;
            openTxRecords.clear();
        }
        switch (r.type) {
            case WalRecordType.COMMIT:
            case WalRecordType.ABORT:
                openTx = -1;
                openTxRecords.clear();
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
        openTxRecords.add(r);
    }

    private void redo(WalRecord r) {
        ByteSource in = new ByteSource(r.payload);
        int fileId = in.i32();
        int pageNo = in.i32();
        boolean full = (in.u8() & 1) != 0;
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
            if (p.torn() && !full) {
                throw new CorruptionException(f.name(), (long) pageNo * Page.SIZE, "page " + pageNo,
                        "a page that passes its checksum, or a full image of it in the WAL",
                        "a damaged page and only a partial change (WAL LSN " + r.lsn + ")",
                        "media damage; restore from a backup");
            }
            if (p.lsn() < r.lsn) {
                PageRedo.apply(p, full, ranges, r.payload, offsets, r.lsn);
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

    private void undoLoser() {
        if (openTx < 0 || openTxRecords.isEmpty()) {
            return;
        }
        TxContext ctx = new TxContext(e, openTx);
        for (WalRecord r : openTxRecords) {
            ctx.addUndoFromRecord(r);
        }
        ctx.rollbackTo(0);
        e.wal().append(WalRecordType.ABORT, openTx, out -> { });
        e.wal().sync(e.wal().maxLsn());
        openTxRecords.clear();
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
