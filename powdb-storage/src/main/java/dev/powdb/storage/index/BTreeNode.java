package dev.powdb.storage.index;

import dev.powdb.storage.page.Page;

import java.util.Arrays;

/**
 * Byte layout of B+tree nodes (leaf and inner pages) and read-only accessors over a pinned {@link Page} or over a
 * copy of its bytes. The full grammar with a worked example is in {@code docs/formats/btree.md}.
 *
 * <pre>
 *   0..23  common page header (type BTREE_LEAF or BTREE_INNER)
 *  24  u16  cell count n
 *  26  u16  cell start: lowest byte used by a cell; cells live in [cellStart, 4096)
 *  28  u16  fragmented bytes: bytes of deleted cells inside [cellStart, 4096)
 *  30  u16  level: 0 for leaves, child level + 1 for inner nodes
 *  32  u32  link: leaf = right sibling page (0 = last leaf); inner = leftmost child page
 *  36  u16[n] cell offsets, in (key, rowId) order
 *  ... free space ...
 *  cellStart .. 4095  cells, in any physical order
 *
 *  leaf cell:  u16 keyLen, keyLen bytes key, i64 rowId
 *  inner cell: u16 keyLen, keyLen bytes key, i64 rowId, u32 child page
 * </pre>
 * An inner cell (k, r, c) says that child {@code c} holds the entries {@code >= (k, r)} and below the next cell's
 * separator; the leftmost child holds everything below the first separator. Separators carry the row id so they are
 * unique even when keys repeat.
 */
final class BTreeNode {
    static final int OFF_COUNT = Page.HEADER_SIZE;
    static final int OFF_CELL_START = OFF_COUNT + 2;
    static final int OFF_FRAG = OFF_CELL_START + 2;
    static final int OFF_LEVEL = OFF_FRAG + 2;
    static final int OFF_LINK = OFF_LEVEL + 2;
    static final int OFF_SLOTS = OFF_LINK + 4;
    /** Bytes available to slots and cells together. */
    static final int USABLE = Page.SIZE - OFF_SLOTS;
    /** Fixed bytes of a leaf cell besides the key: length prefix and row id. */
    static final int LEAF_CELL_OVERHEAD = 2 + 8;
    /** Fixed bytes of an inner cell besides the key: length prefix, row id and child page. */
    static final int INNER_CELL_OVERHEAD = 2 + 8 + 4;

    /** How a search probe orders against entries with an equal key. */
    enum Tie {
        /** Compare row ids: the probe is the entry (key, rowId). */
        EXACT,
        /** The probe sorts before every entry with its key (used to find the first one). */
        BEFORE_ALL,
        /** The probe sorts after every entry with its key (used to skip past them). */
        AFTER_ALL
    }

    private BTreeNode() {
    }

    // ---- accessors over a pinned page (readers; no copy) ------------------------------------------------------

    static int count(Page p) {
        return p.getUnsignedShort(OFF_COUNT);
    }

    static int link(Page p) {
        return p.getInt(OFF_LINK);
    }

    static int level(Page p) {
        return p.getUnsignedShort(OFF_LEVEL);
    }

    static int cellOffset(Page p, int index) {
        return p.getUnsignedShort(OFF_SLOTS + 2 * index);
    }

    static int keyLength(Page p, int cell) {
        return p.getUnsignedShort(cell);
    }

    static byte[] key(Page p, int cell) {
        return p.getBytes(cell + 2, keyLength(p, cell));
    }

    static long rowId(Page p, int cell) {
        return p.getLong(cell + 2 + keyLength(p, cell));
    }

    /** Child page of an inner cell. */
    static int child(Page p, int cell) {
        return p.getInt(cell + 2 + keyLength(p, cell) + 8);
    }

    /** Compares the cell's key with {@code key} (unsigned bytes). */
    static int compareKey(Page p, int cell, byte[] key) {
        return p.compareUnsigned(cell + 2, keyLength(p, cell), key);
    }

    /** Orders the cell's entry against the probe; never 0 unless {@code tie} is EXACT and the entry is equal. */
    static int compare(Page p, int cell, byte[] key, long rowId, Tie tie) {
        int c = compareKey(p, cell, key);
        if (c != 0) {
            return c;
        }
        switch (tie) {
            case BEFORE_ALL:
                return 1;
            case AFTER_ALL:
                return -1;
            default:
                return Long.compare(rowId(p, cell), rowId);
        }
    }

    /** Index of the first cell that is {@code >= } the probe (count when none is). */
    static int lowerBound(Page p, byte[] key, long rowId, Tie tie) {
        int lo = 0;
        int hi = count(p);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(p, cellOffset(p, mid), key, rowId, tie) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of the first cell that is {@code > } the probe. */
    static int upperBound(Page p, byte[] key, long rowId, Tie tie) {
        int lo = 0;
        int hi = count(p);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(p, cellOffset(p, mid), key, rowId, tie) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The child of an inner node whose key range contains the probe. */
    static int childFor(Page p, byte[] key, long rowId, Tie tie) {
        int i = upperBound(p, key, rowId, tie);
        return i == 0 ? link(p) : child(p, cellOffset(p, i - 1));
    }

    // ---- accessors over a copy of the page's bytes (writer, verifier) -------------------------------------------

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static int count(byte[] b) {
        return u16(b, OFF_COUNT);
    }

    static int cellStart(byte[] b) {
        return u16(b, OFF_CELL_START);
    }

    static int fragmented(byte[] b) {
        return u16(b, OFF_FRAG);
    }

    static int level(byte[] b) {
        return u16(b, OFF_LEVEL);
    }

    static int link(byte[] b) {
        return Page.readInt(b, OFF_LINK);
    }

    static int cellOffset(byte[] b, int index) {
        return u16(b, OFF_SLOTS + 2 * index);
    }

    static int keyLength(byte[] b, int cell) {
        return u16(b, cell);
    }

    static long rowId(byte[] b, int cell) {
        return Page.readLong(b, cell + 2 + keyLength(b, cell));
    }

    static int child(byte[] b, int cell) {
        return Page.readInt(b, cell + 2 + keyLength(b, cell) + 8);
    }

    /** Total bytes of the cell at {@code cell}, for a leaf or an inner node. */
    static int cellSize(byte[] b, int cell, boolean leaf) {
        return keyLength(b, cell) + (leaf ? LEAF_CELL_OVERHEAD : INNER_CELL_OVERHEAD);
    }

    /** Orders two cells (possibly in different buffers) by key then row id. */
    static int compareCells(byte[] a, int cellA, byte[] b, int cellB) {
        int lenA = keyLength(a, cellA);
        int lenB = keyLength(b, cellB);
        int c = Arrays.compareUnsigned(a, cellA + 2, cellA + 2 + lenA, b, cellB + 2, cellB + 2 + lenB);
        return c != 0 ? c : Long.compare(rowId(a, cellA), rowId(b, cellB));
    }

    /** Encodes a leaf cell. */
    static byte[] leafCell(byte[] key, long rowId) {
        byte[] cell = new byte[key.length + LEAF_CELL_OVERHEAD];
        putU16(cell, 0, key.length);
        System.arraycopy(key, 0, cell, 2, key.length);
        Page.writeLong(cell, 2 + key.length, rowId);
        return cell;
    }

    /** Encodes an inner cell: the separator of {@code sepCell} (a leaf or inner cell) pointing at {@code child}. */
    static byte[] innerCell(byte[] sepCell, int child) {
        int keyLen = keyLength(sepCell, 0);
        byte[] cell = new byte[keyLen + INNER_CELL_OVERHEAD];
        System.arraycopy(sepCell, 0, cell, 0, 2 + keyLen + 8);
        Page.writeInt(cell, 2 + keyLen + 8, child);
        return cell;
    }
}
