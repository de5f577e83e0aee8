package dev.powdb.storage.index;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageType;
import dev.powdb.storage.page.PagedFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The structural check behind {@link BTree#verify}. It trusts nothing it reads: every offset is bounds-checked before
 * use, so a damaged page produces a problem line instead of an exception, and a node whose layout is broken is not
 * descended into.
 *
 * <p>Checks: meta page fields; per node the page type, level, slot array and cell bounds, non-overlapping cells, the
 * fragmentation counter, key length, strictly increasing {@code (key, rowId)} order; every entry and separator of a
 * child lies inside the range its parent's separators give it; leaves all sit at the depth the meta page's height
 * says; the leaf chain links the leaves in tree order and ends with 0; every non-free page is reachable exactly once.
 */
final class BTreeVerifier {
    /** Stop collecting after this many lines: a wrecked file would otherwise produce one per cell. */
    private static final int MAX_PROBLEMS = 1000;

    /** A key bound: the separator cell at {@code cell} in {@code page} (a copied page image). */
    private record Bound(byte[] page, int cell) {
    }

    private final PagedFile file;
    private final List<String> problems;
    private final BitSet reached = new BitSet();
    private final List<int[]> leaves = new ArrayList<>();
    private Bound lastLeafEntry;
    private int lastLeafEntryPage;
    private long entries;
    private int pageCount;

    BTreeVerifier(PagedFile file, List<String> problems) {
        this.file = file;
        this.problems = problems;
    }

    long run() {
        pageCount = file.pageCount();
        int[] rootAndHeight = checkMeta();
        if (rootAndHeight != null) {
            visit(rootAndHeight[0], rootAndHeight[1] - 1, null, null);
            checkLeafChain();
        }
        checkReachability();
        return entries;
    }

    private void problem(int pageNo, String kind, String what) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add("page " + pageNo + " (" + kind + "): " + what);
        } else if (problems.size() == MAX_PROBLEMS) {
            problems.add("further problems not listed");
        }
    }

    /** A copy of the page, or null (with a problem recorded) when the page layer refuses it. */
    private byte[] image(int pageNo) {
        try {
            Page p = file.pin(pageNo);
            try {
                p.latch().readLock().lock();
                try {
                    return p.getBytes(0, Page.SIZE);
                } finally {
                    p.latch().readLock().unlock();
                }
            } finally {
                p.unpin();
            }
        } catch (CorruptionException e) {
            problem(pageNo, "unreadable", e.getMessage());
            return null;
        }
    }

    /** @return {root, height}, or null when the meta page is unusable */
    private int[] checkMeta() {
        if (pageCount <= BTree.META_PAGE) {
            problem(BTree.META_PAGE, "meta", "missing: the file has only " + pageCount + " page(s)");
            return null;
        }
        byte[] b = image(BTree.META_PAGE);
        if (b == null) {
            return null;
        }
        reached.set(0, BTree.META_PAGE + 1);
        int type = Page.imageType(b);
        if (type != PageType.BTREE_META) {
            problem(BTree.META_PAGE, "meta", "page type is " + PageType.name(type) + ", expected btree-meta");
            return null;
        }
        int magic = Page.readInt(b, BTree.OFF_MAGIC);
        int version = Page.readInt(b, BTree.OFF_VERSION);
        int root = Page.readInt(b, BTree.OFF_ROOT);
        int height = Page.readInt(b, BTree.OFF_HEIGHT);
        boolean ok = true;
        if (magic != BTree.META_MAGIC) {
            problem(BTree.META_PAGE, "meta", "magic is " + Integer.toHexString(magic) + ", expected "
                    + Integer.toHexString(BTree.META_MAGIC));
            ok = false;
        }
        if (version != BTree.FORMAT_VERSION) {
            problem(BTree.META_PAGE, "meta", "format version " + version + ", this build reads "
                    + BTree.FORMAT_VERSION);
            ok = false;
        }
        if (root <= BTree.META_PAGE || root >= pageCount) {
            problem(BTree.META_PAGE, "meta", "root page " + root + " outside [2, " + pageCount + ")");
            ok = false;
        }
        if (height < 1 || height > BTree.MAX_HEIGHT) {
            problem(BTree.META_PAGE, "meta", "height " + height + " outside [1, " + BTree.MAX_HEIGHT + "]");
            ok = false;
        }
        return ok ? new int[] {root, height} : null;
    }

    /** Checks the subtree at {@code pageNo}, whose entries must lie in [lo, hi) (null = unbounded). */
    private void visit(int pageNo, int level, Bound lo, Bound hi) {
        boolean leaf = level == 0;
        String kind = leaf ? "btree-leaf" : "btree-inner";
        if (reached.get(pageNo)) {
            problem(pageNo, kind, "reached a second time (shared child or cycle)");
            return;
        }
        reached.set(pageNo);
        byte[] b = image(pageNo);
        if (b == null) {
            return;
        }
        int type = Page.imageType(b);
        if (type != (leaf ? PageType.BTREE_LEAF : PageType.BTREE_INNER)) {
            problem(pageNo, kind, "page type is " + PageType.name(type) + " but the tree height puts a "
                    + kind + " here");
            return;
        }
        if (BTreeNode.level(b) != level) {
            problem(pageNo, kind, "level field is " + BTreeNode.level(b) + ", expected " + level
                    + " (height inconsistent)");
        }
        if (!checkLayout(pageNo, kind, b, leaf)) {
            return;
        }
        checkOrder(pageNo, kind, b, lo, hi);
        if (leaf) {
            entries += BTreeNode.count(b);
            leaves.add(new int[] {pageNo, BTreeNode.link(b)});
            checkAcrossLeaves(pageNo, b);
            return;
        }
        int n = BTreeNode.count(b);
        for (int i = 0; i <= n; i++) {
            int child = i == 0 ? BTreeNode.link(b) : BTreeNode.child(b, BTreeNode.cellOffset(b, i - 1));
            Bound childLo = i == 0 ? lo : new Bound(b, BTreeNode.cellOffset(b, i - 1));
            Bound childHi = i == n ? hi : new Bound(b, BTreeNode.cellOffset(b, i));
            if (child <= BTree.META_PAGE || child >= pageCount) {
                problem(pageNo, kind, "child pointer " + i + " is page " + child + ", outside [2, " + pageCount
                        + ")");
                continue;
            }
            visit(child, level - 1, childLo, childHi);
        }
    }

    /** Slot array, cell bounds and accounting; false when the cells cannot be trusted at all. */
    private boolean checkLayout(int pageNo, String kind, byte[] b, boolean leaf) {
        int n = BTreeNode.count(b);
        int cellStart = BTreeNode.cellStart(b);
        int slotsEnd = BTreeNode.OFF_SLOTS + 2 * n;
        if (slotsEnd > cellStart || cellStart > Page.SIZE) {
            problem(pageNo, kind, "slot array of " + n + " cells ends at " + slotsEnd + " but cells start at "
                    + cellStart);
            return false;
        }
        int overhead = leaf ? BTreeNode.LEAF_CELL_OVERHEAD : BTreeNode.INNER_CELL_OVERHEAD;
        long[] extents = new long[n];
        int used = 0;
        for (int i = 0; i < n; i++) {
            int off = BTreeNode.cellOffset(b, i);
            if (off < cellStart || off + overhead > Page.SIZE) {
                problem(pageNo, kind, "cell " + i + " offset " + off + " outside [" + cellStart + ", "
                        + Page.SIZE + ")");
                return false;
            }
            int keyLen = BTreeNode.keyLength(b, off);
            int size = keyLen + overhead;
            if (keyLen > BTree.MAX_KEY_BYTES || off + size > Page.SIZE) {
                problem(pageNo, kind, "cell " + i + " at offset " + off + " has key length " + keyLen
                        + " (runs past the page or exceeds " + BTree.MAX_KEY_BYTES + ")");
                return false;
            }
            extents[i] = ((long) off << 32) | size;
            used += size;
        }
        Arrays.sort(extents);
        for (int i = 1; i < n; i++) {
            long prevEnd = (extents[i - 1] >>> 32) + (extents[i - 1] & 0xFFFFFFFFL);
            if (prevEnd > (extents[i] >>> 32)) {
                problem(pageNo, kind, "cells at offsets " + (extents[i - 1] >>> 32) + " and " + (extents[i] >>> 32)
                        + " overlap");
                return false;
            }
        }
        int expectedFrag = Page.SIZE - cellStart - used;
        if (BTreeNode.fragmented(b) != expectedFrag) {
            problem(pageNo, kind, "fragmented-bytes field is " + BTreeNode.fragmented(b) + ", cells say "
                    + expectedFrag);
        }
        return true;
    }

    /** Strict order inside the node, and every cell inside [lo, hi). One line per kind of violation. */
    private void checkOrder(int pageNo, String kind, byte[] b, Bound lo, Bound hi) {
        int n = BTreeNode.count(b);
        boolean orderReported = false;
        boolean boundReported = false;
        for (int i = 0; i < n; i++) {
            int cell = BTreeNode.cellOffset(b, i);
            if (!orderReported && i > 0 && BTreeNode.compareCells(b, BTreeNode.cellOffset(b, i - 1), b, cell) >= 0) {
                problem(pageNo, kind, "cell " + i + " " + describe(b, cell) + " is not greater than cell "
                        + (i - 1) + " " + describe(b, BTreeNode.cellOffset(b, i - 1)));
                orderReported = true;
            }
            boolean belowLo = lo != null && BTreeNode.compareCells(b, cell, lo.page(), lo.cell()) < 0;
            boolean notBelowHi = hi != null && BTreeNode.compareCells(b, cell, hi.page(), hi.cell()) >= 0;
            if (!boundReported && (belowLo || notBelowHi)) {
                problem(pageNo, kind, "cell " + i + " " + describe(b, cell) + (belowLo
                        ? " is below its parent's separator " + describe(lo.page(), lo.cell())
                        : " is not below the next separator " + describe(hi.page(), hi.cell())));
                boundReported = true;
            }
        }
    }

    /** The first entry of a leaf must be greater than the last entry of the previous non-empty leaf. */
    private void checkAcrossLeaves(int pageNo, byte[] b) {
        int n = BTreeNode.count(b);
        if (n == 0) {
            return;
        }
        int first = BTreeNode.cellOffset(b, 0);
        if (lastLeafEntry != null && BTreeNode.compareCells(lastLeafEntry.page(), lastLeafEntry.cell(), b, first) >= 0) {
            problem(pageNo, "btree-leaf", "first entry " + describe(b, first) + " is not greater than the last entry "
                    + describe(lastLeafEntry.page(), lastLeafEntry.cell()) + " of page " + lastLeafEntryPage);
        }
        lastLeafEntry = new Bound(b, BTreeNode.cellOffset(b, n - 1));
        lastLeafEntryPage = pageNo;
    }

    private void checkLeafChain() {
        for (int i = 0; i < leaves.size(); i++) {
            int[] leaf = leaves.get(i);
            int expected = i + 1 < leaves.size() ? leaves.get(i + 1)[0] : 0;
            if (leaf[1] != expected) {
                problem(leaf[0], "btree-leaf", "right-sibling link is " + leaf[1] + ", expected " + expected
                        + (expected == 0 ? " (last leaf)" : " (next leaf in key order)"));
            }
        }
    }

    /** Pages the walk did not reach must be free (all zeros, e.g. left by a rolled-back split). */
    private void checkReachability() {
        for (int pageNo = BTree.META_PAGE + 1; pageNo < pageCount; pageNo++) {
            if (reached.get(pageNo)) {
                continue;
            }
            byte[] b = image(pageNo);
            if (b != null && Page.imageType(b) != PageType.FREE) {
                problem(pageNo, PageType.name(Page.imageType(b)), "not reachable from the root");
            }
        }
    }

    private static String describe(byte[] b, int cell) {
        byte[] key = Arrays.copyOfRange(b, cell + 2, cell + 2 + BTreeNode.keyLength(b, cell));
        return "(" + BTree.hex(key) + ", " + BTreeNode.rowId(b, cell) + ")";
    }
}
