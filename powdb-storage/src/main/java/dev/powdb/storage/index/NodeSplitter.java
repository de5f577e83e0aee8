package dev.powdb.storage.index;

import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageEdit;
import dev.powdb.storage.page.PageType;
import dev.powdb.storage.page.PagedFile;

/**
 * Inserts a cell into a node, splitting the node when it is full. The writer calls it for the leaf and then, while
 * splits propagate, for each parent.
 *
 * <p>A split looks at the node's cells plus the new one as one ordered list of {@code n + 1} cells and cuts it at
 * index {@code m}:
 * <ul>
 *   <li>leaf: cells {@code [0, m)} stay, {@code [m, n]} move to a new right sibling, and a copy of cell {@code m}'s
 *       key and row id becomes the separator;</li>
 *   <li>inner: cells {@code [0, m)} stay, cell {@code m} moves up as the separator and its child becomes the new
 *       node's leftmost child, cells {@code (m, n]} move to the new node.</li>
 * </ul>
 * The cut balances bytes, except when the new cell goes at the very end of the node: then nearly everything stays
 * left, so that ascending inserts (and growing runs of one duplicate key) leave full nodes behind instead of half-empty
 * ones.
 */
final class NodeSplitter {
    /** The result of a split: the separator (a cell whose key and row id are copied up) and the new right node. */
    record Split(byte[] separator, int rightPage) {
    }

    private NodeSplitter() {
    }

    /**
     * Inserts {@code cell} as cell {@code pos} of the node on {@code page}.
     *
     * @return null when it fitted, otherwise the split the parent must absorb
     */
    static Split insert(PagedFile file, EditLog log, Page page, int pos, byte[] cell) {
        boolean leaf = page.type() == PageType.BTREE_LEAF;
        if (insertInPlace(log, page, pos, cell)) {
            return null;
        }
        NodeImage img = NodeImage.of(page, leaf);
        if (img.fits(cell.length)) {
            img.insert(pos, cell);
            try (PageEdit e = PageEdit.begin(page, log)) {
                img.writeTo(e.page());
            }
            return null;
        }
        return split(file, log, page, img, pos, cell);
    }

    /**
     * The common case without copying the node: the cell fits in the contiguous free space, so the edit writes the
     * cell, shifts the slots after {@code pos} and updates the header, nothing else.
     *
     * @return false when the node needs compaction or a split (nothing was changed)
     */
    static boolean insertInPlace(EditLog log, Page page, int pos, byte[] cell) {
        int n = BTreeNode.count(page);
        int cellStart = page.getUnsignedShort(BTreeNode.OFF_CELL_START);
        int slotsEnd = BTreeNode.OFF_SLOTS + 2 * n;
        int start = cellStart - cell.length;
        if (start < slotsEnd + 2) {
            return false;
        }
        try (PageEdit e = PageEdit.begin(page, log)) {
            page.putBytes(start, cell, 0, cell.length);
            int slot = BTreeNode.OFF_SLOTS + 2 * pos;
            if (pos < n) {
                page.moveBytes(slot, slot + 2, 2 * (n - pos));
            }
            page.putShort(slot, start);
            page.putShort(BTreeNode.OFF_COUNT, n + 1);
            page.putShort(BTreeNode.OFF_CELL_START, start);
        }
        return true;
    }

    private static Split split(PagedFile file, EditLog log, Page page, NodeImage img, int pos, byte[] cell) {
        boolean leaf = img.leaf();
        int n = img.count();
        int[] sizes = new int[n + 1];
        for (int j = 0; j <= n; j++) {
            sizes[j] = j == pos ? cell.length + 2 : img.footprint(j < pos ? j : j - 1);
        }
        int m = chooseCut(sizes, leaf, pos == n);
        byte[] separator = logicalCell(img, pos, cell, m);
        Page right = file.allocate();
        try {
            NodeImage r = NodeImage.fresh(leaf, img.level());
            int firstRight = leaf ? m : m + 1;
            for (int j = firstRight; j <= n; j++) {
                r.insert(j - firstRight, logicalCell(img, pos, cell, j));
            }
            r.setLink(leaf ? img.link() : BTreeNode.child(separator, 0));
            try (PageEdit e = PageEdit.begin(right, log)) {
                e.page().format(leaf ? PageType.BTREE_LEAF : PageType.BTREE_INNER);
                r.writeTo(e.page());
            }
        } finally {
            right.unpin();
        }
        // The cells staying left are a prefix of the node's current cells, plus the new cell if it falls left.
        img.truncate(pos < m ? m - 1 : m);
        if (pos < m) {
            img.insert(pos, cell);
        }
        if (leaf) {
            img.setLink(right.pageNo());
        }
        try (PageEdit e = PageEdit.begin(page, log)) {
            img.writeTo(e.page());
        }
        return new Split(separator, right.pageNo());
    }

    /** Cell {@code j} of the node's cells with {@code cell} inserted at {@code pos}. */
    private static byte[] logicalCell(NodeImage img, int pos, byte[] cell, int j) {
        return j == pos ? cell : img.cell(j < pos ? j : j - 1);
    }

    /**
     * Picks the cut index {@code m} for the {@code sizes.length} cells (footprints including slots).
     *
     * @param appending the new cell is the last one: keep as much as possible on the left
     */
    static int chooseCut(int[] sizes, boolean leaf, boolean appending) {
        int n = sizes.length - 1;
        int[] prefix = new int[n + 2];
        for (int j = 0; j <= n; j++) {
            prefix[j + 1] = prefix[j] + sizes[j];
        }
        int total = prefix[n + 1];
        // Both kinds keep at least one cell on each side; an inner node also sends one cell up.
        int lo = 1;
        int hi = leaf ? n : n - 1;
        int best = -1;
        if (appending) {
            best = hi;
        } else {
            int bestWorst = Integer.MAX_VALUE;
            for (int m = lo; m <= hi; m++) {
                int left = prefix[m];
                int right = total - (leaf ? prefix[m] : prefix[m + 1]);
                int worst = Math.max(left, right);
                if (worst < bestWorst) {
                    bestWorst = worst;
                    best = m;
                }
            }
        }
        int left = prefix[best];
        int right = total - (leaf ? prefix[best] : prefix[best + 1]);
        if (best < lo || left > BTreeNode.USABLE || right > BTreeNode.USABLE) {
            throw new IllegalStateException("no valid split of " + (n + 1) + " cells (" + total + " bytes)");
        }
        return best;
    }
}
