package dev.powdb.storage.heap;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageEdit;
import dev.powdb.storage.page.PageType;
import dev.powdb.storage.page.PagedFile;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A table's rows in slotted pages. Layout of a heap page after the common header:
 * <pre>
 *  24 u16 slot count      26 u16 free start (end of the slot array)
 *  28 u16 free end (start of record data, which grows down from the page end)   30 u16 reserved
 *  32 slots: u16 record offset (0 = empty slot), u16 record length
 * </pre>
 * A row id is {@code pageNo << 16 | slot}. Values too large for a row live in overflow pages
 * ({@code 24 u32 next page (0 = last), 28 u16 bytes used, 30 data}).
 *
 * <p>Free space is tracked in memory (rebuilt lazily by one pass over the file) so that an insert finds a page in
 * amortised constant time and loading N rows costs O(N). Only the writer calls mutating methods.
 */
public final class HeapFile {
    static final int OFF_SLOTS = 24;
    static final int OFF_FREE_START = 26;
    static final int OFF_FREE_END = 28;
    static final int SLOT_ARRAY = 32;
    static final int OFF_OVF_NEXT = 24;
    static final int OFF_OVF_USED = 28;
    static final int OVF_DATA = 30;
    /** Bytes of data one overflow page holds. */
    public static final int OVERFLOW_CAPACITY = Page.SIZE - OVF_DATA;
    /** Largest record that fits in a heap page (with its slot). */
    public static final int MAX_RECORD = Page.SIZE - SLOT_ARRAY - 4;
    /** A page with at least this many free bytes is a candidate for inserts. */
    private static final int CANDIDATE_FREE = 256;

    private final PagedFile file;
    private int[] freeBytes;
    private BitSet candidates;
    private ArrayDeque<Integer> freePages;
    private int lastInsertPage = -1;
    private int searchCursor = 1;
    private static final int MAX_PROBES = 8;

    public HeapFile(PagedFile file) {
        this.file = file;
    }

    public PagedFile file() {
        return file;
    }

    /** Writes the header page of a new heap file. */
    public static void initialize(PagedFile file, EditLog log) {
        file.writeHeader(log, PagedFile.KIND_HEAP);
    }

    public static long rowId(int pageNo, int slot) {
        return ((long) pageNo << 16) | slot;
    }

    public static int pageOf(long rowId) {
        return (int) (rowId >>> 16);
    }

    public static int slotOf(long rowId) {
        return (int) (rowId & 0xFFFF);
    }

    /** Forgets free-space hints (after a rollback changed pages behind their back). */
    public void invalidateFreeSpace() {
        freeBytes = null;
        candidates = null;
        freePages = null;
        lastInsertPage = -1;
    }

    private void ensureFreeSpaceMap() {
        if (freeBytes != null) {
            return;
        }
        int n = file.pageCount();
        freeBytes = new int[Math.max(16, n * 2)];
        candidates = new BitSet();
        freePages = new ArrayDeque<>();
        for (int p = 1; p < n; p++) {
            Page page = file.pin(p);
            try {
                int type = page.type();
                if (type == PageType.FREE) {
                    freePages.add(p);
                } else if (type == PageType.HEAP) {
                    noteFree(p, freeSpace(page));
                }
            } finally {
                page.unpin();
            }
        }
    }

    private void noteFree(int pageNo, int free) {
        if (pageNo >= freeBytes.length) {
            freeBytes = Arrays.copyOf(freeBytes, Math.max(pageNo + 1, freeBytes.length * 2));
        }
        freeBytes[pageNo] = free;
        candidates.set(pageNo, free >= CANDIDATE_FREE);
    }

    static int freeSpace(Page p) {
        return p.getUnsignedShort(OFF_FREE_END) - p.getUnsignedShort(OFF_FREE_START) + fragmented(p);
    }

    private static int fragmented(Page p) {
        // Bytes between records that deletes and shrinking updates left behind.
        int slots = p.getUnsignedShort(OFF_SLOTS);
        int used = 0;
        for (int s = 0; s < slots; s++) {
            used += p.getUnsignedShort(SLOT_ARRAY + 4 * s + 2);
        }
        return (Page.SIZE - p.getUnsignedShort(OFF_FREE_END)) - used;
    }

    private static void formatHeap(Page p) {
        p.format(PageType.HEAP);
        p.putShort(OFF_SLOTS, 0);
        p.putShort(OFF_FREE_START, SLOT_ARRAY);
        p.putShort(OFF_FREE_END, Page.SIZE);
    }

    /**
     * Stores a record and returns its row id.
     *
     * @param record at most {@link #MAX_RECORD} bytes
     */
    public long insert(EditLog log, byte[] record) {
        if (record.length > MAX_RECORD) {
            throw new IllegalArgumentException("record of " + record.length + " bytes exceeds " + MAX_RECORD);
        }
        ensureFreeSpaceMap();
        int need = record.length + 4;
        if (lastInsertPage > 0 && freeBytes[lastInsertPage] >= need) {
            long rid = tryInsert(log, lastInsertPage, record);
            if (rid >= 0) {
                return rid;
            }
        }
        // Look at a bounded number of candidate pages from a rotating cursor, so that an insert costs O(1)
        // amortised even when many pages have a little free space that is too small for this record.
        int probes = 0;
        for (int p = nextCandidate(searchCursor); p >= 0 && probes < MAX_PROBES; p = nextCandidate(p + 1)) {
            probes++;
            searchCursor = p + 1;
            if (freeBytes[p] >= need) {
                long rid = tryInsert(log, p, record);
                if (rid >= 0) {
                    lastInsertPage = p;
                    return rid;
                }
            }
        }
        int p = newPage(log, true);
        long rid = tryInsert(log, p, record);
        if (rid < 0) {
            throw new IllegalStateException("record of " + record.length + " bytes does not fit an empty page");
        }
        lastInsertPage = p;
        return rid;
    }

    /** Takes a free page or extends the file; formats it as a heap page or leaves it for overflow use. */
    private int newPage(EditLog log, boolean heap) {
        Page page = null;
        while (!freePages.isEmpty()) {
            Page candidate = file.pin(freePages.poll());
            if (candidate.type() == PageType.FREE) {
                page = candidate;
                break;
            }
            candidate.unpin();
        }
        if (page == null) {
            page = file.allocate();
        }
        int no = page.pageNo();
        try {
            if (heap) {
                try (PageEdit e = PageEdit.begin(page, log)) {
                    formatHeap(page);
                }
                noteFree(no, freeSpace(page));
            } else {
                noteFree(no, 0);
            }
        } finally {
            page.unpin();
        }
        return no;
    }

    private long tryInsert(EditLog log, int pageNo, byte[] record) {
        Page p = file.pin(pageNo);
        try {
            if (p.type() == PageType.FREE) {
                try (PageEdit e = PageEdit.begin(p, log)) {
                    formatHeap(p);
                }
            } else if (p.type() != PageType.HEAP) {
                noteFree(pageNo, 0);
                return -1;
            }
            int slots = p.getUnsignedShort(OFF_SLOTS);
            int slot = findEmptySlot(p, slots);
            int slotCost = slot == slots ? 4 : 0;
            int contiguous = p.getUnsignedShort(OFF_FREE_END) - p.getUnsignedShort(OFF_FREE_START);
            if (contiguous < record.length + slotCost) {
                if (freeSpace(p) < record.length + slotCost) {
                    noteFree(pageNo, freeSpace(p));
                    return -1;
                }
                try (PageEdit e = PageEdit.begin(p, log)) {
                    compact(p);
                }
            }
            try (PageEdit e = PageEdit.begin(p, log)) {
                int end = p.getUnsignedShort(OFF_FREE_END) - record.length;
                p.putBytes(end, record, 0, record.length);
                p.putShort(OFF_FREE_END, end);
                if (slot == slots) {
                    p.putShort(OFF_SLOTS, slots + 1);
                    p.putShort(OFF_FREE_START, SLOT_ARRAY + 4 * (slots + 1));
                }
                p.putShort(SLOT_ARRAY + 4 * slot, end);
                p.putShort(SLOT_ARRAY + 4 * slot + 2, record.length);
            }
            // The contiguous space is a lower bound of the free space and costs no walk over the slots.
            noteFree(pageNo, p.getUnsignedShort(OFF_FREE_END) - p.getUnsignedShort(OFF_FREE_START));
            return rowId(pageNo, slot);
        } finally {
            p.unpin();
        }
    }

    /** The next candidate page at or after {@code from}, wrapping around once; -1 when there is none. */
    private int nextCandidate(int from) {
        int p = candidates.nextSetBit(Math.max(from, 1));
        if (p < 0 && from > 1) {
            p = candidates.nextSetBit(1);
            searchCursor = 1;
        }
        return p;
    }

    private static int findEmptySlot(Page p, int slots) {
        for (int s = 0; s < slots; s++) {
            if (p.getUnsignedShort(SLOT_ARRAY + 4 * s) == 0) {
                return s;
            }
        }
        return slots;
    }

    /** Moves all records to the end of the page so that free space is contiguous. */
    private static void compact(Page p) {
        int slots = p.getUnsignedShort(OFF_SLOTS);
        byte[] copy = p.getBytes(0, Page.SIZE);
        int end = Page.SIZE;
        for (int s = 0; s < slots; s++) {
            int off = Page.readShort(copy, SLOT_ARRAY + 4 * s);
            int len = Page.readShort(copy, SLOT_ARRAY + 4 * s + 2);
            if (off == 0) {
                continue;
            }
            end -= len;
            p.putBytes(end, copy, off, len);
            p.putShort(SLOT_ARRAY + 4 * s, end);
        }
        int freeStart = p.getUnsignedShort(OFF_FREE_START);
        p.fill(freeStart, end - freeStart, (byte) 0);
        p.putShort(OFF_FREE_END, end);
    }

    /** The record stored under {@code rowId}, or null when there is none. */
    public byte[] read(long rowId) {
        int pageNo = pageOf(rowId);
        int slot = slotOf(rowId);
        if (pageNo < 1 || pageNo >= file.pageCount()) {
            return null;
        }
        Page p = file.pin(pageNo);
        try {
            p.latch().readLock().lock();
            try {
                return recordAt(p, slot);
            } finally {
                p.latch().readLock().unlock();
            }
        } finally {
            p.unpin();
        }
    }

    private byte[] recordAt(Page p, int slot) {
        if (p.type() != PageType.HEAP || slot >= p.getUnsignedShort(OFF_SLOTS)) {
            return null;
        }
        int off = p.getUnsignedShort(SLOT_ARRAY + 4 * slot);
        if (off == 0) {
            return null;
        }
        int len = p.getUnsignedShort(SLOT_ARRAY + 4 * slot + 2);
        if (off < SLOT_ARRAY || off + len > Page.SIZE) {
            throw new CorruptionException(file.name(), (long) p.pageNo() * Page.SIZE + SLOT_ARRAY + 4 * slot,
                    "slot " + slot + " of page " + p.pageNo(), "a record inside the page",
                    "offset " + off + " length " + len, "damaged page");
        }
        return p.getBytes(off, len);
    }

    /** Removes the record {@code rowId}; returns false if there was none. */
    public boolean delete(EditLog log, long rowId) {
        int pageNo = pageOf(rowId);
        int slot = slotOf(rowId);
        Page p = file.pin(pageNo);
        try {
            if (recordAt(p, slot) == null) {
                return false;
            }
            try (PageEdit e = PageEdit.begin(p, log)) {
                int slots = p.getUnsignedShort(OFF_SLOTS);
                if (slot == slots - 1) {
                    // Trim trailing empty slots so the slot array does not only grow.
                    int n = slot;
                    while (n > 0 && p.getUnsignedShort(SLOT_ARRAY + 4 * (n - 1)) == 0) {
                        n--;
                    }
                    p.fill(SLOT_ARRAY + 4 * n, 4 * (slots - n), (byte) 0);
                    p.putShort(OFF_SLOTS, n);
                    p.putShort(OFF_FREE_START, SLOT_ARRAY + 4 * n);
                } else {
                    p.putInt(SLOT_ARRAY + 4 * slot, 0);
                }
            }
            if (freeBytes != null) {
                noteFree(pageNo, freeSpace(p));
            }
            return true;
        } finally {
            p.unpin();
        }
    }

    /**
     * Replaces the record {@code rowId}. Keeps the row id when the new record fits in the same page, otherwise
     * moves it.
     *
     * @return the row id after the update
     */
    public long update(EditLog log, long rowId, byte[] record) {
        int pageNo = pageOf(rowId);
        int slot = slotOf(rowId);
        Page p = file.pin(pageNo);
        try {
            byte[] old = recordAt(p, slot);
            if (old == null) {
                throw new IllegalStateException("update of missing row " + Long.toHexString(rowId));
            }
            if (record.length <= old.length) {
                try (PageEdit e = PageEdit.begin(p, log)) {
                    int off = p.getUnsignedShort(SLOT_ARRAY + 4 * slot);
                    p.putBytes(off, record, 0, record.length);
                    p.putShort(SLOT_ARRAY + 4 * slot + 2, record.length);
                }
                return rowId;
            }
            if (freeSpace(p) + old.length >= record.length) {
                try (PageEdit e = PageEdit.begin(p, log)) {
                    p.putInt(SLOT_ARRAY + 4 * slot, 0);
                    if (p.getUnsignedShort(OFF_FREE_END) - p.getUnsignedShort(OFF_FREE_START) < record.length) {
                        compact(p);
                    }
                    int end = p.getUnsignedShort(OFF_FREE_END) - record.length;
                    p.putBytes(end, record, 0, record.length);
                    p.putShort(OFF_FREE_END, end);
                    p.putShort(SLOT_ARRAY + 4 * slot, end);
                    p.putShort(SLOT_ARRAY + 4 * slot + 2, record.length);
                }
                return rowId;
            }
        } finally {
            p.unpin();
        }
        delete(log, rowId);
        return insert(log, record);
    }

    /** Visits every record in page and slot order. The visitor returns false to stop. */
    public void scan(RecordVisitor visitor) {
        scanInPlace((rid, page, off, len) -> visitor.visit(rid, Arrays.copyOfRange(page, off, off + len)));
    }

    /** Receives records from {@link #scan}. */
    @FunctionalInterface
    public interface RecordVisitor {
        boolean visit(long rowId, byte[] record);
    }

    /** Receives records from {@link #scanInPlace} as slices of a private copy of their page. */
    @FunctionalInterface
    public interface SliceVisitor {
        boolean visit(long rowId, byte[] page, int offset, int length);
    }

    /**
     * Like {@link #scan}, but copies each page once and hands out slices of that copy, which saves an allocation
     * per row. The copy belongs to the visitor (rows may keep it).
     */
    public void scanInPlace(SliceVisitor visitor) {
        int n = file.pageCount();
        int[] offs = new int[Page.SIZE / 4];
        int[] lens = new int[Page.SIZE / 4];
        for (int pageNo = 1; pageNo < n; pageNo++) {
            Page p = file.pin(pageNo);
            byte[] copy;
            int slots;
            p.latch().readLock().lock();
            try {
                if (p.type() != PageType.HEAP) {
                    continue;
                }
                slots = p.getUnsignedShort(OFF_SLOTS);
                for (int s = 0; s < slots; s++) {
                    int off = p.getUnsignedShort(SLOT_ARRAY + 4 * s);
                    int len = p.getUnsignedShort(SLOT_ARRAY + 4 * s + 2);
                    if (off != 0 && (off < SLOT_ARRAY || off + len > Page.SIZE)) {
                        recordAt(p, s); // throws the precise corruption error
                    }
                    offs[s] = off;
                    lens[s] = len;
                }
                copy = p.getBytes(0, Page.SIZE);
            } finally {
                p.latch().readLock().unlock();
                p.unpin();
            }
            for (int s = 0; s < slots; s++) {
                if (offs[s] != 0 && !visitor.visit(rowId(pageNo, s), copy, offs[s], lens[s])) {
                    return;
                }
            }
        }
    }

    // ---- overflow chains --------------------------------------------------------------------------------------

    /** Stores {@code value} in a chain of overflow pages; returns the first page number. */
    public int writeOverflow(EditLog log, byte[] value) {
        ensureFreeSpaceMap();
        int pages = Math.max(1, (value.length + OVERFLOW_CAPACITY - 1) / OVERFLOW_CAPACITY);
        int[] chain = new int[pages];
        for (int i = 0; i < pages; i++) {
            chain[i] = newPage(log, false);
        }
        for (int i = 0; i < pages; i++) {
            int from = i * OVERFLOW_CAPACITY;
            int len = Math.min(OVERFLOW_CAPACITY, value.length - from);
            Page p = file.pin(chain[i]);
            try (PageEdit e = PageEdit.begin(p, log)) {
                p.format(PageType.OVERFLOW);
                p.putInt(OFF_OVF_NEXT, i + 1 < pages ? chain[i + 1] : 0);
                p.putShort(OFF_OVF_USED, len);
                p.putBytes(OVF_DATA, value, from, len);
            } finally {
                p.unpin();
            }
        }
        return chain[0];
    }

    /** Reads {@code length} bytes from the overflow chain starting at {@code firstPage}. */
    public byte[] readOverflow(int firstPage, int length) {
        byte[] out = new byte[length];
        int pos = 0;
        int pageNo = firstPage;
        while (pos < length) {
            if (pageNo <= 0 || pageNo >= file.pageCount()) {
                throw new CorruptionException(file.name(), (long) pageNo * Page.SIZE, "overflow chain",
                        "a page holding byte " + pos + " of " + length, "page " + pageNo, "broken chain");
            }
            Page p = file.pin(pageNo);
            try {
                if (p.type() != PageType.OVERFLOW) {
                    throw new CorruptionException(file.name(), (long) pageNo * Page.SIZE, "overflow page type",
                            "overflow", PageType.name(p.type()), "broken chain");
                }
                int used = Math.min(p.getUnsignedShort(OFF_OVF_USED), length - pos);
                p.getBytes(OVF_DATA, out, pos, used);
                pos += used;
                pageNo = p.getInt(OFF_OVF_NEXT);
            } finally {
                p.unpin();
            }
        }
        return out;
    }

    /** Returns the pages of an overflow chain to the free list. */
    public void freeOverflow(EditLog log, int firstPage) {
        ensureFreeSpaceMap();
        int pageNo = firstPage;
        while (pageNo > 0) {
            Page p = file.pin(pageNo);
            try {
                if (p.type() != PageType.OVERFLOW) {
                    return;
                }
                int next = p.getInt(OFF_OVF_NEXT);
                try (PageEdit e = PageEdit.begin(p, log)) {
                    p.format(PageType.FREE);
                }
                freePages.add(pageNo);
                noteFree(pageNo, 0);
                pageNo = next;
            } finally {
                p.unpin();
            }
        }
    }
}
