package dev.powdb.storage.index;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageType;
import dev.powdb.storage.page.PagedFile;

import java.util.Arrays;

import static dev.powdb.storage.index.BTreeNode.Tie;

/**
 * One ordered scan over the leaf chain between two key bounds.
 *
 * <p>Entries are copied out of a leaf (under its read latch) in one batch and handed to the visitor only after the
 * leaf is released. So a visitor never runs while this scan holds a latch or reads a page that the visitor itself
 * might cause to change (a caller that scans and then writes under the writer lock cannot deadlock on a latch).
 */
final class LeafScan {
    /** Finds the leaf where a scan from {@code lo} starts. */
    @FunctionalInterface
    interface StartFinder {
        int leafFor(BTree.Meta meta, byte[] lo, Tie tie);
    }

    private final PagedFile file;
    private final byte[] lo;
    private final Tie loTie;
    private final byte[] hi;
    private final boolean hiInclusive;
    private final boolean copyKeys;

    /**
     * @param copyKeys whether the visitor needs each entry's key; when false it receives {@code hi} instead
     *                 (used by exact-key scans, where every key equals the bound)
     */
    LeafScan(PagedFile file, byte[] lo, boolean loInclusive, byte[] hi, boolean hiInclusive, boolean copyKeys) {
        this.file = file;
        this.lo = lo;
        this.loTie = loInclusive ? Tie.BEFORE_ALL : Tie.AFTER_ALL;
        this.hi = hi;
        this.hiInclusive = hiInclusive;
        this.copyKeys = copyKeys;
    }

    void run(BTree.Meta meta, StartFinder finder, BTree.EntryVisitor visitor) {
        if (lo != null && hi != null) {
            int c = Arrays.compareUnsigned(lo, hi);
            if (c > 0 || (c == 0 && (loTie == Tie.AFTER_ALL || !hiInclusive))) {
                return;
            }
        }
        int pageNo = finder.leafFor(meta, lo, loTie);
        boolean first = true;
        int visited = 0;
        while (pageNo != 0) {
            checkChainLength(file, pageNo, ++visited);
            Batch batch = read(pageNo, first);
            first = false;
            for (int i = 0; i < batch.size; i++) {
                if (!visitor.visit(copyKeys ? batch.keys[i] : hi, batch.rowIds[i])) {
                    return;
                }
            }
            if (batch.reachedEnd) {
                return;
            }
            pageNo = batch.next;
        }
    }

    /** Entries of one leaf inside the bounds. */
    private static final class Batch {
        byte[][] keys;
        long[] rowIds;
        int size;
        int next;
        boolean reachedEnd;
    }

    private Batch read(int pageNo, boolean first) {
        Page p = file.pin(pageNo);
        try {
            p.latch().readLock().lock();
            try {
                if (p.type() != PageType.BTREE_LEAF) {
                    throw new CorruptionException(file.name(), (long) pageNo * Page.SIZE,
                            "B+tree leaf chain at page " + pageNo, PageType.name(PageType.BTREE_LEAF),
                            PageType.name(p.type()), "damaged index; rebuild it");
                }
                int n = BTreeNode.count(p);
                int start = first && lo != null ? BTreeNode.lowerBound(p, lo, 0, loTie) : 0;
                Batch b = new Batch();
                b.keys = copyKeys ? new byte[Math.max(n - start, 0)][] : null;
                b.rowIds = new long[Math.max(n - start, 0)];
                for (int i = start; i < n; i++) {
                    int cell = BTreeNode.cellOffset(p, i);
                    if (hi != null) {
                        int c = BTreeNode.compareKey(p, cell, hi);
                        if (c > 0 || (c == 0 && !hiInclusive)) {
                            b.reachedEnd = true;
                            break;
                        }
                    }
                    if (copyKeys) {
                        b.keys[b.size] = BTreeNode.key(p, cell);
                    }
                    b.rowIds[b.size++] = BTreeNode.rowId(p, cell);
                }
                b.next = BTreeNode.link(p);
                return b;
            } finally {
                p.latch().readLock().unlock();
            }
        } finally {
            p.unpin();
        }
    }

    /** Stops a walk along a leaf chain that a damaged link has turned into a cycle. */
    static void checkChainLength(PagedFile file, int pageNo, int visited) {
        if (visited > file.pageCount()) {
            throw new CorruptionException(file.name(), (long) pageNo * Page.SIZE, "B+tree leaf chain",
                    "at most " + file.pageCount() + " leaves", "a longer chain (cycle)", "damaged index; rebuild it");
        }
    }
}
