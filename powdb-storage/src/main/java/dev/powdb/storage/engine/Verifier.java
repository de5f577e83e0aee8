package dev.powdb.storage.engine;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.VerifyReport;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.heap.HeapFile;
import dev.powdb.storage.heap.HeapVerifier;
import dev.powdb.storage.heap.KeyCodec;
import dev.powdb.storage.index.BTree;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.io.StorageFs;
import dev.powdb.storage.page.BufferPool;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageFlushGate;
import dev.powdb.storage.page.PagedFile;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Offline verification of a closed data directory. Reads only; never writes. Checks the control file and catalog,
 * every page of every data file (checksum, page number, file id), heap slot layouts and rows, B+tree structure, and
 * that each index holds exactly one entry per row with the row's key.
 */
public final class Verifier {
    private Verifier() {
    }

    /** Verifies {@code dir}; the database must not be open in another process. */
    public static VerifyReport verify(Path dir, DatabaseOptions options) {
        StorageFs fs = options.fs();
        VerifyReport report = new VerifyReport();
        if (!fs.isDirectory(dir)) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "no database directory at " + dir);
        }
        try (Closeable lock = fs.lock(dir.resolve(Engine.LOCK_FILE))) {
            run(fs, dir, report);
        } catch (IOException e) {
            throw new PowDbException(ErrorCode.IO, "cannot verify " + dir + ": " + e.getMessage(), e);
        }
        return report;
    }

    private static void run(StorageFs fs, Path dir, VerifyReport report) throws IOException {
        VerifyReport.FileReport control = report.file(ControlFile.NAME);
        ControlFile.State state;
        try {
            state = ControlFile.read(fs, dir);
            control.pagesChecked = 1;
        } catch (PowDbException e) {
            control.problems.add(e.getMessage());
            return;
        }
        VerifyReport.FileReport catReport = report.file(CatalogFile.NAME);
        Catalog catalog;
        try {
            catalog = CatalogFile.read(fs, dir);
            catReport.entries = catalog.tables.size();
        } catch (PowDbException | IOException e) {
            catReport.problems.add(e.getMessage());
            return;
        }
        if (!state.clean) {
            control.problems.add("the database was not closed cleanly: data files may need WAL replay; open it "
                    + "once (recovery runs at open) and close it, then verify again");
        }
        BufferPool pool = new BufferPool(1024, PageFlushGate.NONE);
        List<PagedFile> open = new ArrayList<>();
        try {
            for (TableMeta t : catalog.tables) {
                verifyTable(fs, dir, t, pool, open, report);
            }
        } finally {
            for (PagedFile f : open) {
                f.close();
            }
        }
    }

    private static PagedFile openChecked(StorageFs fs, Path dir, int fileId, String name, BufferPool pool,
                                         List<PagedFile> open, VerifyReport.FileReport fr) throws IOException {
        Path p = dir.resolve(name);
        if (!fs.exists(p)) {
            fr.problems.add("missing: the catalog lists it but there is no such file");
            return null;
        }
        StorageFile sf = fs.open(p, false);
        long size = sf.size();
        if (size % Page.SIZE != 0) {
            fr.problems.add("size " + size + " is not a multiple of the page size " + Page.SIZE
                    + " (truncated or extended by something else?)");
        }
        byte[] img = new byte[Page.SIZE];
        boolean pagesOk = true;
        for (int pageNo = 0; (long) pageNo * Page.SIZE < size; pageNo++) {
            java.util.Arrays.fill(img, (byte) 0);
            sf.readFully(ByteBuffer.wrap(img), (long) pageNo * Page.SIZE);
            fr.pagesChecked++;
            try {
                Page.verifyImage(img, name, fileId, pageNo);
            } catch (CorruptionException e) {
                fr.problems.add(e.getMessage());
                pagesOk = false;
            }
        }
        PagedFile f = new PagedFile(fileId, name, p, sf, pool);
        open.add(f);
        return pagesOk ? f : null;
    }

    private static void verifyTable(StorageFs fs, Path dir, TableMeta t, BufferPool pool, List<PagedFile> open,
                                    VerifyReport report) throws IOException {
        VerifyReport.FileReport hr = report.file(t.heapFile);
        PagedFile hf = openChecked(fs, dir, t.heapFileId, t.heapFile, pool, open, hr);
        List<BTree> trees = new ArrayList<>();
        List<VerifyReport.FileReport> treeReports = new ArrayList<>();
        for (IndexMeta m : t.indexes) {
            VerifyReport.FileReport ir = report.file(m.fileName);
            PagedFile xf = openChecked(fs, dir, m.fileId, m.fileName, pool, open, ir);
            BTree tree = null;
            if (xf != null) {
                try {
                    tree = BTree.open(xf);
                    ir.entries = tree.verify(ir.problems);
                } catch (PowDbException e) {
                    ir.problems.add(e.getMessage());
                    tree = null;
                }
            }
            trees.add(tree);
            treeReports.add(ir);
        }
        if (hf == null) {
            return;
        }
        HeapFile heap = new HeapFile(hf);
        try {
            hf.checkHeader(PagedFile.KIND_HEAP);
            HeapVerifier.checkPages(heap, hr.problems);
        } catch (PowDbException e) {
            hr.problems.add(e.getMessage());
            return;
        }
        TableStore store = new TableStore(t, heap, new ArrayList<>(trees));
        long[] rows = {0};
        long[][] matched = new long[t.indexes.size()][1];
        try {
            heap.scan((rid, rec) -> {
                Object[] phys = store.decode(rid, rec);
                rows[0]++;
                for (int i = 0; i < trees.size(); i++) {
                    BTree tree = trees.get(i);
                    if (tree == null) {
                        continue;
                    }
                    IndexMeta m = t.indexes.get(i);
                    byte[] key = KeyCodec.encode(t.columns.get(m.columnPos).type, phys[m.columnPos]);
                    if (tree.containsEntry(key, rid)) {
                        matched[i][0]++;
                    } else if (treeReports.get(i).problems.size() < 50) {
                        treeReports.get(i).problems.add("row " + Long.toHexString(rid) + " of " + t.heapFile
                                + " has no entry for its key");
                    }
                }
                return true;
            });
        } catch (PowDbException e) {
            hr.problems.add(e.getMessage());
            return;
        }
        hr.entries = rows[0];
        for (int i = 0; i < trees.size(); i++) {
            VerifyReport.FileReport ir = treeReports.get(i);
            if (trees.get(i) != null && ir.entries != rows[0]) {
                ir.problems.add("index holds " + ir.entries + " entries but table " + t.name + " has " + rows[0]
                        + " rows");
            }
        }
    }
}
