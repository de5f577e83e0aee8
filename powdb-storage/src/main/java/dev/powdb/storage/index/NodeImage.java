package dev.powdb.storage.index;

import dev.powdb.storage.page.Page;

import java.util.Arrays;

import static dev.powdb.storage.index.BTreeNode.OFF_CELL_START;
import static dev.powdb.storage.index.BTreeNode.OFF_COUNT;
import static dev.powdb.storage.index.BTreeNode.OFF_FRAG;
import static dev.powdb.storage.index.BTreeNode.OFF_LEVEL;
import static dev.powdb.storage.index.BTreeNode.OFF_LINK;
import static dev.powdb.storage.index.BTreeNode.OFF_SLOTS;

/**
 * A private, mutable copy of one node that the writer reshapes (insert, remove, compact, split) and then writes back
 * with {@link #writeTo(Page)}. Writing back compares the copy with the bytes it started from and stores only the
 * spans that differ, so the WAL carries the changed bytes of an operation rather than the whole page, however the
 * operation was computed.
 *
 * <p>Each instance belongs to one call of the writer; nothing here is shared between threads.
 */
final class NodeImage {
    /** Equal bytes tolerated inside one written span before a new span starts (a span has its own WAL cost). */
    private static final int SPAN_GAP = 8;
    /** Beyond this many spans one covering span is written (the page layer tracks a bounded number of ranges). */
    private static final int MAX_SPANS = 24;

    private final byte[] original;
    private final byte[] buf;
    private final boolean leaf;

    private NodeImage(byte[] original, byte[] buf, boolean leaf) {
        this.original = original;
        this.buf = buf;
        this.leaf = leaf;
    }

    /** A copy of the node on {@code page}. */
    static NodeImage of(Page page, boolean leaf) {
        byte[] bytes = page.getBytes(0, Page.SIZE);
        return new NodeImage(bytes.clone(), bytes, leaf);
    }

    /** An empty node for a freshly formatted (all-zero) page. */
    static NodeImage fresh(boolean leaf, int level) {
        NodeImage img = new NodeImage(new byte[Page.SIZE], new byte[Page.SIZE], leaf);
        BTreeNode.putU16(img.buf, OFF_CELL_START, Page.SIZE);
        BTreeNode.putU16(img.buf, OFF_LEVEL, level);
        return img;
    }

    boolean leaf() {
        return leaf;
    }

    int count() {
        return BTreeNode.count(buf);
    }

    int level() {
        return BTreeNode.level(buf);
    }

    int link() {
        return BTreeNode.link(buf);
    }

    void setLink(int pageNo) {
        Page.writeInt(buf, OFF_LINK, pageNo);
    }

    /** A copy of the bytes of cell {@code index}. */
    byte[] cell(int index) {
        int off = BTreeNode.cellOffset(buf, index);
        return Arrays.copyOfRange(buf, off, off + BTreeNode.cellSize(buf, off, leaf));
    }

    /** Bytes cell {@code index} takes, including its slot. */
    int footprint(int index) {
        return BTreeNode.cellSize(buf, BTreeNode.cellOffset(buf, index), leaf) + 2;
    }

    private int slotsEnd() {
        return OFF_SLOTS + 2 * count();
    }

    /** Whether a cell of {@code cellBytes} fits, compacting first if needed. */
    boolean fits(int cellBytes) {
        int free = BTreeNode.cellStart(buf) - slotsEnd() + BTreeNode.fragmented(buf);
        return free >= cellBytes + 2;
    }

    /** Inserts {@code cell} so that it becomes cell {@code pos}; the caller checked {@link #fits}. */
    void insert(int pos, byte[] cell) {
        int n = count();
        if (BTreeNode.cellStart(buf) - slotsEnd() < cell.length + 2) {
            compact();
        }
        int start = BTreeNode.cellStart(buf) - cell.length;
        if (start < slotsEnd() + 2) {
            throw new IllegalStateException("node overflow: " + cell.length + "-byte cell does not fit");
        }
        System.arraycopy(cell, 0, buf, start, cell.length);
        int slot = OFF_SLOTS + 2 * pos;
        System.arraycopy(buf, slot, buf, slot + 2, 2 * (n - pos));
        BTreeNode.putU16(buf, slot, start);
        BTreeNode.putU16(buf, OFF_COUNT, n + 1);
        BTreeNode.putU16(buf, OFF_CELL_START, start);
    }

    /** Removes cell {@code index}; its bytes become free (or fragmented until the next compaction). */
    void remove(int index) {
        int n = count();
        int off = BTreeNode.cellOffset(buf, index);
        int size = BTreeNode.cellSize(buf, off, leaf);
        int slot = OFF_SLOTS + 2 * index;
        System.arraycopy(buf, slot + 2, buf, slot, 2 * (n - index - 1));
        // The stale last slot is left as is: it lies in free space and rewriting it would only add WAL bytes.
        BTreeNode.putU16(buf, OFF_COUNT, n - 1);
        if (n == 1) {
            BTreeNode.putU16(buf, OFF_CELL_START, Page.SIZE);
            BTreeNode.putU16(buf, OFF_FRAG, 0);
        } else if (off == BTreeNode.cellStart(buf)) {
            BTreeNode.putU16(buf, OFF_CELL_START, off + size);
        } else {
            BTreeNode.putU16(buf, OFF_FRAG, BTreeNode.fragmented(buf) + size);
        }
    }

    /** Keeps only the first {@code keep} cells and packs them (used for the left half of a split). */
    void truncate(int keep) {
        BTreeNode.putU16(buf, OFF_COUNT, keep);
        compact();
    }

    /**
     * Packs the live cells against the end of the page, removing fragmentation. Cells keep their physical order,
     * so cells that already sit packed at the end do not move and cost no WAL bytes.
     */
    void compact() {
        int n = count();
        long[] byOffset = new long[n];
        for (int i = 0; i < n; i++) {
            byOffset[i] = ((long) BTreeNode.cellOffset(buf, i) << 16) | i;
        }
        Arrays.sort(byOffset);
        int top = Page.SIZE;
        for (int k = n - 1; k >= 0; k--) {
            int off = (int) (byOffset[k] >>> 16);
            int index = (int) (byOffset[k] & 0xFFFF);
            int size = BTreeNode.cellSize(buf, off, leaf);
            top -= size;
            // Moving towards the page end never overwrites a cell that is still to be moved: those lie lower.
            if (off != top) {
                System.arraycopy(buf, off, buf, top, size);
                BTreeNode.putU16(buf, OFF_SLOTS + 2 * index, top);
            }
        }
        BTreeNode.putU16(buf, OFF_CELL_START, top);
        BTreeNode.putU16(buf, OFF_FRAG, 0);
    }

    /**
     * Stores the changed bytes of the node area into {@code page}, which must be open in a
     * {@link dev.powdb.storage.page.PageEdit}. The common page header (including the page LSN) is never written.
     */
    void writeTo(Page page) {
        int from = Page.HEADER_SIZE;
        int to = Page.SIZE;
        int[] spans = new int[2 * MAX_SPANS];
        int n = 0;
        int firstStart = -1;
        int lastEnd = -1;
        int i = from;
        while (i < to) {
            int m = Arrays.mismatch(original, i, to, buf, i, to);
            if (m < 0) {
                break;
            }
            int start = i + m;
            int end = start + 1;
            for (int j = end; j < to && j - end < SPAN_GAP; j++) {
                if (original[j] != buf[j]) {
                    end = j + 1;
                }
            }
            if (firstStart < 0) {
                firstStart = start;
            }
            lastEnd = end;
            if (n < MAX_SPANS) {
                spans[2 * n] = start;
                spans[2 * n + 1] = end;
            }
            n++;
            i = end;
        }
        if (n > MAX_SPANS) {
            page.putBytes(firstStart, buf, firstStart, lastEnd - firstStart);
        } else {
            for (int k = 0; k < n; k++) {
                page.putBytes(spans[2 * k], buf, spans[2 * k], spans[2 * k + 1] - spans[2 * k]);
            }
        }
        System.arraycopy(buf, from, original, from, to - from);
    }
}
