package dev.powdb.storage.index;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.index.BTreeFixture.Entry;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageEdit;
import dev.powdb.storage.page.PageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Functional tests of the B+tree: basic operations, bounds, limits and what verify reports. */
class BTreeTest {
    @TempDir
    Path dir;
    private BTreeFixture f;

    @AfterEach
    void closeFixture() {
        if (f != null) {
            f.close();
        }
    }

    private static byte[] k(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] intKey(int i) {
        return new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
    }

    private List<Long> lookup(byte[] key) {
        List<Long> out = new ArrayList<>();
        f.tree.lookup(key, out::add);
        return out;
    }

    @Test
    void emptyTreeHasNothingAndVerifies() {
        f = BTreeFixture.create(dir, 64);
        assertEquals(0, f.tree.count());
        assertFalse(f.tree.containsKey(k("a")));
        assertEquals(List.of(), f.scanAll());
        assertEquals(List.of(), f.verify());
        assertEquals(3, f.file.pageCount());
        f.reopen(64);
        assertEquals(0, f.tree.count());
        assertEquals(List.of(), f.verify());
    }

    @Test
    void insertLookupDeleteWithDuplicates() {
        f = BTreeFixture.create(dir, 64);
        f.tree.insert(f.log, k("b"), 5);
        f.tree.insert(f.log, k("a"), 9);
        f.tree.insert(f.log, k("b"), -3);
        f.tree.insert(f.log, k("b"), 7);
        f.tree.insert(f.log, new byte[0], 1);
        assertEquals(List.of(-3L, 5L, 7L), lookup(k("b")));
        assertEquals(List.of(1L), lookup(new byte[0]));
        assertTrue(f.tree.containsKey(k("a")));
        assertFalse(f.tree.containsKey(k("ab")));
        assertEquals(5, f.tree.count());
        assertTrue(f.tree.delete(f.log, k("b"), 5));
        assertFalse(f.tree.delete(f.log, k("b"), 5));
        assertFalse(f.tree.delete(f.log, k("c"), 5));
        assertEquals(List.of(-3L, 7L), lookup(k("b")));
        assertEquals(4, f.tree.count());
        assertEquals(List.of(), f.verify());
    }

    @Test
    void containsEntryFindsEachOfManyEqualKeysAcrossLeaves() {
        f = BTreeFixture.create(dir, 256);
        for (int i = 0; i < 3000; i++) {
            f.tree.insert(f.log, k(i % 3 == 0 ? "a" : "b"), i);
        }
        for (int i = 0; i < 3000; i += 7) {
            f.tree.delete(f.log, k(i % 3 == 0 ? "a" : "b"), i);
        }
        for (int i = 0; i < 3000; i++) {
            boolean present = i % 7 != 0;
            assertEquals(present, f.tree.containsEntry(k(i % 3 == 0 ? "a" : "b"), i), "entry " + i);
            assertFalse(f.tree.containsEntry(k(i % 3 == 0 ? "b" : "a"), i), "entry " + i + " under the other key");
        }
        assertFalse(f.tree.containsEntry(k("c"), 1));
    }

    @Test
    void unsignedKeyOrder() {
        f = BTreeFixture.create(dir, 64);
        f.tree.insert(f.log, new byte[] {(byte) 0x80}, 1);
        f.tree.insert(f.log, new byte[] {0x7f}, 2);
        f.tree.insert(f.log, new byte[] {0x7f, 0}, 3);
        List<Long> order = new ArrayList<>();
        f.tree.range(null, true, null, true, (key, rowId) -> order.add(rowId));
        assertEquals(List.of(2L, 3L, 1L), order);
    }

    @Test
    void identicalEntryTwiceIsRejected() {
        f = BTreeFixture.create(dir, 64);
        f.tree.insert(f.log, k("x"), 1);
        assertThrows(IllegalStateException.class, () -> f.tree.insert(f.log, k("x"), 1));
        assertEquals(1, f.tree.count());
    }

    @Test
    void keyLengthLimit() {
        f = BTreeFixture.create(dir, 64);
        byte[] max = new byte[BTree.MAX_KEY_BYTES];
        Arrays.fill(max, (byte) 0xEE);
        f.tree.insert(f.log, max, 1);
        PowDbException e = assertThrows(PowDbException.class,
                () -> f.tree.insert(f.log, new byte[BTree.MAX_KEY_BYTES + 1], 1));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertFalse(f.tree.delete(f.log, new byte[BTree.MAX_KEY_BYTES + 1], 1));
        assertEquals(List.of(1L), lookup(max));
    }

    @Test
    void maximumKeysSplitAllLevels() {
        f = BTreeFixture.create(dir, 64);
        TreeSet<Entry> oracle = new TreeSet<>();
        Random r = new Random(11);
        for (int i = 0; i < 400; i++) {
            byte[] key = new byte[BTree.MAX_KEY_BYTES];
            r.nextBytes(key);
            long rowId = r.nextInt(3);
            if (oracle.add(new Entry(key, rowId))) {
                f.tree.insert(f.log, key, rowId);
            }
        }
        assertEquals(List.of(), f.verify());
        assertTrue(BTreeFixture.sameEntries(new ArrayList<>(oracle), f.scanAll()));
        assertTrue(f.tree.verify(new ArrayList<>()) == oracle.size());
    }

    @Test
    void ascendingInsertsFillLeaves() {
        f = BTreeFixture.create(dir, 256);
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            f.tree.insert(f.log, intKey(i), i);
        }
        // 4-byte keys take 16 bytes with their slot: about 253 per leaf when full, 127 when half full.
        int fullLeaves = (n + 252) / 253;
        assertTrue(f.file.pageCount() < fullLeaves * 1.2 + 10, "pages: " + f.file.pageCount());
        assertEquals(n, f.tree.count());
        assertEquals(List.of(), f.verify());
    }

    @Test
    void rangeBoundsEdgeCases() {
        f = BTreeFixture.create(dir, 64);
        TreeSet<Entry> oracle = new TreeSet<>();
        // Keys 0, 2, 4, ... 598 (as 2-byte big-endian), each with three row ids; odd keys are absent.
        for (int i = 0; i < 600; i += 2) {
            for (long rowId = 0; rowId < 3; rowId++) {
                byte[] key = {(byte) (i >>> 8), (byte) i};
                f.tree.insert(f.log, key, rowId * 1000 + i);
                oracle.add(new Entry(key, rowId * 1000 + i));
            }
        }
        List<byte[]> bounds = new ArrayList<>();
        bounds.add(null);
        bounds.add(new byte[0]);
        bounds.add(new byte[] {(byte) 0xFF, (byte) 0xFF, 1});
        for (int i : new int[] {0, 1, 2, 3, 250, 251, 252, 597, 598, 599}) {
            bounds.add(new byte[] {(byte) (i >>> 8), (byte) i});
        }
        bounds.add(new byte[] {0, 2, 0});
        for (byte[] lo : bounds) {
            for (byte[] hi : bounds) {
                for (int flags = 0; flags < 4; flags++) {
                    boolean loInc = (flags & 1) != 0;
                    boolean hiInc = (flags & 2) != 0;
                    List<Entry> got = new ArrayList<>();
                    f.tree.range(lo, loInc, hi, hiInc, (key, rowId) -> got.add(new Entry(key, rowId)));
                    List<Entry> want = BTreeFixture.expectedRange(oracle, lo, loInc, hi, hiInc);
                    assertTrue(BTreeFixture.sameEntries(want, got), "range " + (lo == null ? "-" : BTree.hex(lo))
                            + (loInc ? "[" : "(") + " .. " + (hi == null ? "-" : BTree.hex(hi)) + (hiInc ? "]" : ")")
                            + ": want " + want.size() + " got " + got.size());
                }
            }
        }
    }

    @Test
    void rangeStopsWhenVisitorSaysSo() {
        f = BTreeFixture.create(dir, 64);
        for (int i = 0; i < 2000; i++) {
            f.tree.insert(f.log, intKey(i), i);
        }
        List<Long> seen = new ArrayList<>();
        f.tree.range(intKey(100), false, null, true, (key, rowId) -> {
            seen.add(rowId);
            return seen.size() < 700;
        });
        assertEquals(700, seen.size());
        assertEquals(101L, seen.get(0));
        assertEquals(800L, seen.get(699));
    }

    @Test
    void scansSkipEmptiedLeaves() {
        f = BTreeFixture.create(dir, 64);
        for (int i = 0; i < 3000; i++) {
            f.tree.insert(f.log, intKey(i), i);
        }
        // Empty a long stretch of leaves in the middle, and the first leaves.
        for (int i = 0; i < 2500; i++) {
            if (i < 300 || i >= 1000) {
                assertTrue(f.tree.delete(f.log, intKey(i), i));
            }
        }
        assertEquals(700 + 500, f.tree.count());
        List<Long> seen = new ArrayList<>();
        f.tree.range(intKey(200), true, intKey(2600), false, (key, rowId) -> seen.add(rowId));
        assertEquals(700 + 100, seen.size());
        assertEquals(300L, seen.get(0));
        assertEquals(2599L, seen.get(seen.size() - 1));
        assertFalse(f.tree.containsKey(intKey(1500)));
        assertTrue(f.tree.containsKey(intKey(2500)));
        assertEquals(List.of(), f.verify());
        // Refilling the emptied leaves reuses them.
        int pages = f.file.pageCount();
        for (int i = 1000; i < 2500; i++) {
            f.tree.insert(f.log, intKey(i), i);
        }
        assertEquals(pages, f.file.pageCount());
        assertEquals(List.of(), f.verify());
    }

    @Test
    void openRejectsWrongFiles() {
        f = BTreeFixture.create(dir, 64);
        Page meta = f.file.pin(BTree.META_PAGE);
        try (PageEdit e = PageEdit.begin(meta, f.log)) {
            e.page().putInt(BTree.OFF_VERSION, 2);
        } finally {
            meta.unpin();
        }
        f.reopenFileOnly();
        PowDbException e = assertThrows(PowDbException.class, () -> BTree.open(f.file));
        assertEquals(ErrorCode.FORMAT_TOO_NEW, e.code());
    }

    // ---- verify catches damage -------------------------------------------------------------------------------------

    /** A tree with at least two levels; returns the page number of a leaf holding at least two entries. */
    private int buildAndFindLeaf() {
        f = BTreeFixture.create(dir, 64);
        for (int i = 0; i < 3000; i++) {
            f.tree.insert(f.log, intKey(i * 7 % 3000), i);
        }
        assertEquals(List.of(), f.verify());
        for (int p = 2; p < f.file.pageCount(); p++) {
            Page page = f.file.pin(p);
            try {
                if (page.type() == PageType.BTREE_LEAF && BTreeNode.count(page) >= 2 && BTreeNode.link(page) != 0) {
                    return p;
                }
            } finally {
                page.unpin();
            }
        }
        throw new AssertionError("no leaf found");
    }

    private void editPage(int pageNo, java.util.function.Consumer<Page> change) {
        Page page = f.file.pin(pageNo);
        try (PageEdit e = PageEdit.begin(page, f.log)) {
            change.accept(e.page());
        } finally {
            page.unpin();
        }
    }

    private static void assertReported(List<String> problems, int pageNo, String words) {
        assertFalse(problems.isEmpty(), "verify found nothing");
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("page " + pageNo + " ") && p.contains(words)),
                "expected a problem on page " + pageNo + " mentioning '" + words + "', got " + problems);
    }

    @Test
    void verifyReportsCellsOutOfOrder() {
        int leaf = buildAndFindLeaf();
        editPage(leaf, p -> {
            // Swap the first two slots: the cells are then in descending order.
            int a = p.getUnsignedShort(BTreeNode.OFF_SLOTS);
            int b = p.getUnsignedShort(BTreeNode.OFF_SLOTS + 2);
            p.putShort(BTreeNode.OFF_SLOTS, b);
            p.putShort(BTreeNode.OFF_SLOTS + 2, a);
        });
        assertReported(f.verify(), leaf, "not greater than");
    }

    @Test
    void verifyReportsKeyOutsideParentRange() {
        int leaf = buildAndFindLeaf();
        editPage(leaf, p -> {
            int cell = BTreeNode.cellOffset(p, BTreeNode.count(p) - 1);
            p.putBytes(cell + 2, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, 0, 4);
        });
        assertReported(f.verify(), leaf, "separator");
    }

    @Test
    void verifyReportsBrokenLeafChain() {
        int leaf = buildAndFindLeaf();
        editPage(leaf, p -> p.putInt(BTreeNode.OFF_LINK, 0));
        assertReported(f.verify(), leaf, "right-sibling link is 0");
    }

    @Test
    void verifyReportsBadCellOffsetAndFragmentCount() {
        int leaf = buildAndFindLeaf();
        editPage(leaf, p -> p.putShort(BTreeNode.OFF_FRAG, 17));
        assertReported(f.verify(), leaf, "fragmented-bytes");
        editPage(leaf, p -> p.putShort(BTreeNode.OFF_SLOTS, 40));
        assertReported(f.verify(), leaf, "outside");
    }

    @Test
    void verifyReportsUnreachablePageAndBadMeta() {
        buildAndFindLeaf();
        Page stray = f.file.allocate();
        try (PageEdit e = PageEdit.begin(stray, f.log)) {
            e.page().format(PageType.BTREE_LEAF);
        } finally {
            stray.unpin();
        }
        assertReported(f.verify(), stray.pageNo(), "not reachable");
        int root = f.tree.readMeta().root();
        editPage(BTree.META_PAGE, p -> p.putInt(BTree.OFF_HEIGHT, 1));
        assertReported(f.verify(), root, "page type is btree-inner");
        assertThrows(CorruptionException.class, () -> f.tree.count());
        editPage(BTree.META_PAGE, p -> p.putInt(BTree.OFF_ROOT, 9999));
        assertReported(f.verify(), BTree.META_PAGE, "root page 9999");
    }

    @Test
    void createRefusesNonEmptyFile() {
        f = BTreeFixture.create(dir, 64);
        PowDbException e = assertThrows(PowDbException.class, () -> BTree.create(f.file, f.log));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
