package dev.powdb.storage.index;

import dev.powdb.storage.io.OsStorageFs;
import dev.powdb.storage.page.BufferPool;
import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageFlushGate;
import dev.powdb.storage.page.PagedFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/** A B+tree in a temp file with a recording edit log, plus the oracle entry type and key generators. */
final class BTreeFixture implements AutoCloseable {
    static final int FILE_ID = 7;

    /** An entry of the oracle, ordered like the tree orders entries. */
    record Entry(byte[] key, long rowId) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Arrays.compareUnsigned(key, o.key);
            return c != 0 ? c : Long.compare(rowId, o.rowId);
        }

        @Override
        public String toString() {
            return "(" + BTree.hex(key) + ", " + rowId + ")";
        }
    }

    /** One logged page change, as a WAL record would hold it. */
    record LoggedEdit(int pageNo, long lsn, int[] ranges, byte[] before) {
    }

    /** An edit log that hands out increasing LSNs and can record what it was given. */
    static final class RecordingLog implements EditLog {
        final AtomicLong lastLsn = new AtomicLong();
        final List<LoggedEdit> edits = new ArrayList<>();
        boolean recording;
        long loggedBytes;
        long editCount;

        @Override
        public long logEdit(Page page, int[] ranges, byte[] before) {
            long lsn = lastLsn.incrementAndGet();
            editCount++;
            for (int i = 0; i < ranges.length; i += 2) {
                loggedBytes += ranges[i + 1] - ranges[i];
            }
            if (recording) {
                edits.add(new LoggedEdit(page.pageNo(), lsn, ranges.clone(), before.clone()));
            }
            return lsn;
        }
    }

    final Path path;
    final RecordingLog log = new RecordingLog();
    BufferPool pool;
    PagedFile file;
    BTree tree;

    private BTreeFixture(Path path) {
        this.path = path;
    }

    /** A new, empty tree in {@code dir} with a pool of {@code poolPages}. */
    static BTreeFixture create(Path dir, int poolPages) {
        BTreeFixture f = new BTreeFixture(dir.resolve("t_x.idx"));
        f.openFile(poolPages);
        f.tree = BTree.create(f.file, f.log);
        return f;
    }

    private void openFile(int poolPages) {
        try {
            pool = new BufferPool(poolPages, PageFlushGate.NONE);
            file = new PagedFile(FILE_ID, "t_x.idx", path, OsStorageFs.INSTANCE.open(path, true), pool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every dirty page, closes the file and opens it again through a new, empty pool. */
    void reopen(int poolPages) {
        pool.flushAll();
        close();
        openFile(poolPages);
        tree = BTree.open(file);
    }

    /** Like {@link #reopen} but without opening the tree (for tests of {@link BTree#open} failures). */
    void reopenFileOnly() {
        pool.flushAll();
        close();
        openFile(64);
        tree = null;
    }

    /** Every page's bytes with the checksum and LSN fields zeroed, by page number. */
    byte[][] snapshot() {
        byte[][] pages = new byte[file.pageCount()][];
        for (int i = 0; i < pages.length; i++) {
            Page p = file.pin(i);
            try {
                pages[i] = p.getBytes(0, Page.SIZE);
            } finally {
                p.unpin();
            }
            Arrays.fill(pages[i], 0, 4, (byte) 0);
            Arrays.fill(pages[i], 8, 16, (byte) 0);
        }
        return pages;
    }

    long pageLsn(int pageNo) {
        Page p = file.pin(pageNo);
        try {
            return p.lsn();
        } finally {
            p.unpin();
        }
    }

    /** Every entry of the tree, by a full range scan. */
    List<Entry> scanAll() {
        List<Entry> out = new ArrayList<>();
        tree.range(null, true, null, true, (k, r) -> out.add(new Entry(k, r)));
        return out;
    }

    /** Runs verify and returns its problems. */
    List<String> verify() {
        List<String> problems = new ArrayList<>();
        tree.verify(problems);
        return problems;
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- workload helpers ------------------------------------------------------------------------------------------

    /** Keys with many duplicates, varied lengths (0 to 1024 bytes) and bytes above 0x7f. */
    static byte[] randomKey(Random r) {
        int kind = r.nextInt(100);
        if (kind < 45) {
            return ("k" + r.nextInt(1500)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        byte[] key;
        if (kind < 85) {
            key = new byte[r.nextInt(25)];
        } else if (kind < 97) {
            key = new byte[100 + r.nextInt(300)];
        } else {
            key = new byte[BTree.MAX_KEY_BYTES];
            // Few distinct long keys so that maximum-size duplicates occur.
            new Random(r.nextInt(40)).nextBytes(key);
            return key;
        }
        r.nextBytes(key);
        return key;
    }

    static long randomRowId(Random r) {
        int kind = r.nextInt(50);
        if (kind == 0) {
            return r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return kind < 25 ? r.nextInt(64) - 8 : r.nextLong();
    }

    /** Oracle entries with key in [lo, hi] per the bounds (null = unbounded). */
    static List<Entry> expectedRange(TreeSet<Entry> oracle, byte[] lo, boolean loInc, byte[] hi, boolean hiInc) {
        return expectedRange(oracle, lo, loInc, hi, hiInc, Integer.MAX_VALUE);
    }

    /** Like {@link #expectedRange(TreeSet, byte[], boolean, byte[], boolean)}, stopping after {@code limit}. */
    static List<Entry> expectedRange(TreeSet<Entry> oracle, byte[] lo, boolean loInc, byte[] hi, boolean hiInc,
                                     int limit) {
        List<Entry> out = new ArrayList<>();
        Iterable<Entry> from = lo == null ? oracle
                : oracle.tailSet(new Entry(lo, loInc ? Long.MIN_VALUE : Long.MAX_VALUE), true);
        for (Entry e : from) {
            if (lo != null && !loInc && Arrays.equals(e.key(), lo)) {
                continue;
            }
            if (hi != null) {
                int c = Arrays.compareUnsigned(e.key(), hi);
                if (c > 0 || (c == 0 && !hiInc)) {
                    break;
                }
            }
            if (out.size() == limit) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Same entries in the same order (keys compared by content). */
    static boolean sameEntries(List<Entry> a, List<Entry> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).compareTo(b.get(i)) != 0) {
                return false;
            }
        }
        return true;
    }
}
