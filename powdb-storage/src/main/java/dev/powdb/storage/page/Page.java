package dev.powdb.storage.page;

import dev.powdb.storage.CorruptionException;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * One 4096-byte page held in memory by the buffer pool.
 *
 * <p>Every page starts with the common header:
 * <pre>
 *   0  u32  CRC32C of bytes [4, 4096)
 *   4  u8   page type ({@link PageType})
 *   5  u8   flags (0)
 *   6  u16  reserved (0)
 *   8  u64  page LSN: LSN of the last WAL record that changed this page
 *  16  u32  page number inside its file (detects misdirected writes)
 *  20  u32  file id (detects pages copied between files)
 *  24  ...  type-specific content
 * </pre>
 * Integers are big-endian. A page of all zero bytes is a page that was never written; it has no checksum.
 *
 * <p>Pages can only be changed while a {@link PageEdit} is open on them: every {@code put} call checks that and
 * records the changed byte range, and closing the edit writes a WAL record with those ranges and stamps the page LSN.
 * This makes an unlogged page change impossible by construction.
 */
public final class Page {
    /** Bytes in a page. */
    public static final int SIZE = 4096;
    /** Bytes of the common header; type-specific content starts here. */
    public static final int HEADER_SIZE = 24;

    static final int OFF_CRC = 0;
    static final int OFF_TYPE = 4;
    static final int OFF_LSN = 8;
    static final int OFF_PAGE_NO = 16;
    static final int OFF_FILE_ID = 20;

    private static final int MAX_RANGES = 48;

    // The identity changes only while the pool holds the page claimed for reuse (pins == -1, not resident): a
    // thread that holds a pin always sees the identity the page was pinned under.
    private int fileId;
    private int pageNo;
    final byte[] data = new byte[SIZE];
    /** Guards {@link #data} between the writer and the page flusher / concurrent readers. */
    final ReentrantReadWriteLock latch = new ReentrantReadWriteLock();

    // Buffer-pool bookkeeping (guarded by the pool's lock).
    /** Pins held; -1 while the pool is evicting the page (it can then not be pinned through the fast path). */
    final java.util.concurrent.atomic.AtomicInteger pins = new java.util.concurrent.atomic.AtomicInteger();
    boolean referenced;
    volatile boolean dirty;

    // Edit state: only touched by the thread holding the write latch.
    private boolean editing;
    private byte[] before;
    private final int[] rangeStart = new int[MAX_RANGES];
    private final int[] rangeEnd = new int[MAX_RANGES];
    private int rangeCount;
    private boolean wholePage;
    PagedFile owner;
    boolean torn;
    volatile boolean discarded;
    /**
     * While the page has changes whose WAL record is deferred: the page as of its last logged change (its LSN
     * matches). The pool writes this image instead of the page, so disk never holds an unlogged change.
     * Changed only under the write latch.
     */
    byte[] pendingBase;
    /**
     * Whether {@link #pendingBase} is already on disk. Writing it again would only create a chance of tearing a
     * page whose last logged change may be older than the last checkpoint, so no WAL image could repair it.
     */
    boolean pendingBaseOnDisk;

    Page(PagedFile owner, int pageNo) {
        this.owner = owner;
        this.fileId = owner.fileId();
        this.pageNo = pageNo;
    }

    /**
     * Gives an evicted frame a new identity, so that a page read does not allocate a new frame (with 4 KiB of data
     * and the edit buffers). The caller is the pool, holding its lock and the page claimed (pins -1): nobody holds
     * a pin, no edit is open and no change is pending. The contents are left as they are; the caller loads them.
     */
    void reuse(PagedFile newOwner, int newPageNo) {
        owner = newOwner;
        fileId = newOwner.fileId();
        pageNo = newPageNo;
        dirty = false;
        referenced = false;
        torn = false;
        discarded = false;
        pendingBase = null;
        pendingBaseOnDisk = false;
    }

    /**
     * Debug aid ({@code powdb.debug.poisonEvicted}): fills an evicted frame with a pattern that fails every check,
     * and removes its identity, so code that kept using a page after unpinning it reads garbage instead of a stale
     * but plausible copy.
     */
    void poison() {
        Arrays.fill(data, (byte) 0xA5);
        owner = null;
        fileId = -1;
        pageNo = -1;
    }

    /** Id of the file this page belongs to. */
    public int fileId() {
        return fileId;
    }

    /** Number of this page inside its file (page 0 is the file header). */
    public int pageNo() {
        return pageNo;
    }

    /** LSN of the last change to this page. */
    public long lsn() {
        return getLong(OFF_LSN);
    }

    /** The page type byte; see {@link PageType}. */
    public int type() {
        return data[OFF_TYPE] & 0xFF;
    }

    /**
     * True when this page was loaded for WAL redo and failed its checks on disk (torn or damaged); it then holds
     * zeros until a full-page image from the WAL replaces it.
     */
    public boolean torn() {
        return torn;
    }

    /** Releases the caller's pin; the page object must not be used afterwards. */
    public void unpin() {
        owner.pool().unpin(this);
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    public byte getByte(int off) {
        return data[off];
    }

    public int getUnsignedShort(int off) {
        return ((data[off] & 0xFF) << 8) | (data[off + 1] & 0xFF);
    }

    public int getInt(int off) {
        return ((data[off] & 0xFF) << 24) | ((data[off + 1] & 0xFF) << 16) | ((data[off + 2] & 0xFF) << 8)
                | (data[off + 3] & 0xFF);
    }

    public long getLong(int off) {
        return ((long) getInt(off) << 32) | (getInt(off + 4) & 0xFFFFFFFFL);
    }

    public void getBytes(int off, byte[] dst, int dstOff, int len) {
        System.arraycopy(data, off, dst, dstOff, len);
    }

    public byte[] getBytes(int off, int len) {
        return Arrays.copyOfRange(data, off, off + len);
    }

    /** Compares {@code len} bytes at {@code off} with {@code key} as unsigned bytes, like {@link Arrays#compareUnsigned}. */
    public int compareUnsigned(int off, int len, byte[] key) {
        return Arrays.compareUnsigned(data, off, off + len, key, 0, key.length);
    }

    /** Read latch for a consistent view while other threads may flush this page. */
    public ReentrantReadWriteLock latch() {
        return latch;
    }

    // ---- writes (only inside an edit) -------------------------------------------------------------------------

    public void putByte(int off, int v) {
        touch(off, 1);
        data[off] = (byte) v;
    }

    public void putShort(int off, int v) {
        touch(off, 2);
        data[off] = (byte) (v >>> 8);
        data[off + 1] = (byte) v;
    }

    public void putInt(int off, int v) {
        touch(off, 4);
        data[off] = (byte) (v >>> 24);
        data[off + 1] = (byte) (v >>> 16);
        data[off + 2] = (byte) (v >>> 8);
        data[off + 3] = (byte) v;
    }

    public void putLong(int off, long v) {
        putInt(off, (int) (v >>> 32));
        putInt(off + 4, (int) v);
    }

    public void putBytes(int off, byte[] src, int srcOff, int len) {
        touch(off, len);
        System.arraycopy(src, srcOff, data, off, len);
    }

    /** Moves {@code len} bytes inside the page from {@code from} to {@code to} (ranges may overlap). */
    public void moveBytes(int from, int to, int len) {
        touch(to, len);
        System.arraycopy(data, from, data, to, len);
    }

    public void fill(int off, int len, byte v) {
        touch(off, len);
        Arrays.fill(data, off, off + len, v);
    }

    /** Sets the page type; used when a page is (re)initialised. */
    public void setType(int type) {
        putByte(OFF_TYPE, type);
    }

    /** Clears the page to zeros and writes its identity (type, page number, file id). */
    public void format(int type) {
        // Everything but the LSN: the LSN always names the last logged change of the page.
        fill(0, OFF_LSN, (byte) 0);
        fill(OFF_LSN + 8, SIZE - OFF_LSN - 8, (byte) 0);
        putByte(OFF_TYPE, type);
        putInt(OFF_PAGE_NO, pageNo);
        putInt(OFF_FILE_ID, fileId);
    }

    private void touch(int off, int len) {
        if (!editing) {
            throw new IllegalStateException("page " + fileId + ":" + pageNo + " changed outside a logged edit");
        }
        if (off < OFF_LSN + 8 && off + len > OFF_LSN) {
            // The LSN is only ever set from the WAL record of the edit, never by callers.
            throw new IllegalStateException("page LSN may only be set by the WAL");
        }
        capture(off, len);
        if (wholePage) {
            return;
        }
        int end = off + len;
        if (rangeCount > 0) {
            int last = rangeCount - 1;
            if (off <= rangeEnd[last] + 8 && end >= rangeStart[last] - 8) {
                rangeStart[last] = Math.min(rangeStart[last], off);
                rangeEnd[last] = Math.max(rangeEnd[last], end);
                return;
            }
        }
        if (rangeCount == MAX_RANGES) {
            compactRanges();
            if (rangeCount >= MAX_RANGES - 8) {
                wholePage = true;
                return;
            }
        }
        rangeStart[rangeCount] = off;
        rangeEnd[rangeCount] = end;
        rangeCount++;
    }

    private boolean beforeCaptured;
    /** One bit per byte of the page: set when the byte's value before the edit has been saved in {@link #before}. */
    private final long[] captured = new long[SIZE / 64];

    /**
     * Saves the original value of every byte in {@code [off, off + len)} not saved yet in this edit, so undo
     * information costs what the edit touches rather than a copy of the whole page.
     */
    private void capture(int off, int len) {
        if (before == null) {
            before = new byte[SIZE];
        }
        beforeCaptured = true;
        int end = off + len;
        int i = off;
        while (i < end) {
            int w = i >>> 6;
            int wordEnd = Math.min(end, (w + 1) << 6);
            int lo = i & 63;
            int hi = wordEnd - (w << 6);
            long mask = hi == 64 ? -1L << lo : ((1L << hi) - 1) & (-1L << lo);
            long word = captured[w];
            if ((word & mask) == 0) {
                System.arraycopy(data, i, before, i, wordEnd - i);
                captured[w] = word | mask;
            } else if ((word & mask) != mask) {
                for (int j = i; j < wordEnd; j++) {
                    long bit = 1L << (j & 63);
                    if ((word & bit) == 0) {
                        before[j] = data[j];
                        word |= bit;
                    }
                }
                captured[w] = word;
            }
            i = wordEnd;
        }
    }

    /** Puts back every byte saved by {@link #capture} (an edit whose logging failed). */
    void restoreCaptured() {
        for (int w = 0; w < captured.length; w++) {
            long word = captured[w];
            for (int b = 0; word != 0 && b < 64; b++) {
                if ((word & (1L << b)) != 0) {
                    data[(w << 6) + b] = before[(w << 6) + b];
                }
            }
        }
    }

    private void compactRanges() {
        // Sort by start (insertion sort: at most MAX_RANGES entries) and merge close neighbours.
        for (int i = 1; i < rangeCount; i++) {
            int s = rangeStart[i];
            int e = rangeEnd[i];
            int j = i - 1;
            while (j >= 0 && rangeStart[j] > s) {
                rangeStart[j + 1] = rangeStart[j];
                rangeEnd[j + 1] = rangeEnd[j];
                j--;
            }
            rangeStart[j + 1] = s;
            rangeEnd[j + 1] = e;
        }
        int n = 0;
        for (int i = 0; i < rangeCount; i++) {
            if (n > 0 && rangeStart[i] <= rangeEnd[n - 1] + 16) {
                rangeEnd[n - 1] = Math.max(rangeEnd[n - 1], rangeEnd[i]);
            } else {
                rangeStart[n] = rangeStart[i];
                rangeEnd[n] = rangeEnd[i];
                n++;
            }
        }
        rangeCount = n;
    }

    // ---- edit protocol (package-private; driven by PageEdit) -----------------------------------------------------

    void beginEdit() {
        editing = true;
        if (beforeCaptured) {
            java.util.Arrays.fill(captured, 0L);
        }
        beforeCaptured = false;
        rangeCount = 0;
        wholePage = false;
    }

    /**
     * Ends the edit and returns the changed ranges as {@code [start0, end0, start1, end1, ...]}, sorted and merged,
     * or an empty array when nothing changed.
     */
    int[] endEdit() {
        editing = false;
        if (!beforeCaptured) {
            return new int[0];
        }
        if (wholePage) {
            // Bytes never touched are unchanged, so their current value is the before value.
            capture(0, OFF_LSN);
            capture(OFF_LSN + 8, SIZE - OFF_LSN - 8);
            return new int[] {0, OFF_LSN, OFF_LSN + 8, SIZE};
        }
        compactRanges();
        // Merging may have joined ranges across the LSN field; the LSN is never part of a logged range.
        int[] out = new int[rangeCount * 4];
        int n = 0;
        for (int i = 0; i < rangeCount; i++) {
            int s = rangeStart[i];
            int e = rangeEnd[i];
            if (s < OFF_LSN + 8 && e > OFF_LSN) {
                if (s < OFF_LSN) {
                    out[n++] = s;
                    out[n++] = OFF_LSN;
                }
                if (e > OFF_LSN + 8) {
                    out[n++] = OFF_LSN + 8;
                    out[n++] = e;
                }
            } else {
                out[n++] = s;
                out[n++] = e;
            }
        }
        // Merged ranges include small untouched gaps; their current bytes are also their before bytes.
        for (int i = 0; i < n; i += 2) {
            capture(out[i], out[i + 1] - out[i]);
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The page's bytes as they were before the current edit; only bytes inside the edit's changed ranges are
     * meaningful.
     */
    byte[] beforeImage() {
        return before;
    }

    boolean changedInEdit() {
        return beforeCaptured;
    }

    void stampLsn(long lsn) {
        writeLong(data, OFF_LSN, lsn);
        owner.pool().changes().note(fileId, pageNo);
    }

    // ---- raw image helpers (buffer pool, recovery, verify) -------------------------------------------------------

    /** Copies raw bytes in without logging: used when loading from disk and by WAL redo. */
    void load(byte[] src) {
        System.arraycopy(src, 0, data, 0, SIZE);
    }

    /**
     * Copies the page's last logged state into {@code dst} with a fresh checksum, ready to be written to disk.
     * Caller holds the read latch.
     *
     * @return whether changes remain that the copy does not hold (deferred, not yet logged)
     */
    int copyForWrite(byte[] dst) {
        if (pendingBase != null && pendingBaseOnDisk) {
            return COPY_NOTHING;
        }
        byte[] src = pendingBase != null ? pendingBase : data;
        System.arraycopy(src, 0, dst, 0, SIZE);
        writeInt(dst, OFF_CRC, checksum(dst));
        return pendingBase != null ? COPY_BASE : COPY_ALL;
    }

    /**
     * Copies the last logged state (the base of deferred changes, or the page itself) with its checksum set, or
     * zeros when that state is all zeros. Caller holds at least the read latch.
     */
    void copyLogged(byte[] dst) {
        byte[] src = pendingBase != null ? pendingBase : data;
        System.arraycopy(src, 0, dst, 0, SIZE);
        writeInt(dst, OFF_CRC, 0);
        if (!isZero(dst)) {
            writeInt(dst, OFF_CRC, checksum(dst));
        }
    }

    /** {@link #copyForWrite}: the page is copied, nothing remains unwritten. */
    static final int COPY_ALL = 0;
    /** {@link #copyForWrite}: the last logged state is copied; deferred changes remain. */
    static final int COPY_BASE = 1;
    /** {@link #copyForWrite}: nothing to write (the last logged state is on disk; deferred changes remain). */
    static final int COPY_NOTHING = 2;


    /** The file this page belongs to. */
    public PagedFile file() {
        return owner;
    }

    /** The last logged state while changes are deferred, else null. Only for the writer holding the latch. */
    public byte[] pendingBase() {
        return pendingBase;
    }

    /** Ends the pending state (after the net change was logged or found empty). Caller holds the write latch. */
    public void clearPending() {
        pendingBase = null;
    }

    /** Stamps the LSN of the record that logged the page's deferred changes. Caller holds the write latch. */
    public void stampLogged(long lsn) {
        stampLsn(lsn);
        dirty = true;
    }

    /** The page as it was before the current edit (bytes the edit did not touch are unchanged). */
    byte[] imageBeforeEdit() {
        byte[] img = Arrays.copyOf(data, SIZE);
        if (beforeCaptured) {
            for (int w = 0; w < captured.length; w++) {
                long word = captured[w];
                if (word == -1L) {
                    System.arraycopy(before, w << 6, img, w << 6, 64);
                } else if (word != 0) {
                    for (int b = 0; b < 64; b++) {
                        if ((word & (1L << b)) != 0) {
                            img[(w << 6) + b] = before[(w << 6) + b];
                        }
                    }
                }
            }
        }
        return img;
    }


    /** CRC32C of bytes [4, SIZE) of an on-disk page image. */
    public static int checksum(byte[] image) {
        CRC32C crc = new CRC32C();
        crc.update(image, 4, SIZE - 4);
        return (int) crc.getValue();
    }

    /** True when every byte of the image is zero (a page that was allocated but never written). */
    public static boolean isZero(byte[] image) {
        return Arrays.mismatch(image, ZEROS) < 0;
    }

    private static final byte[] ZEROS = new byte[SIZE];

    /**
     * Checks an on-disk image: checksum, page number and file id. All-zero images pass (never written).
     *
     * @throws CorruptionException naming {@code resource} and the page's byte offset
     */
    public static void verifyImage(byte[] image, String resource, int expectedFileId, int expectedPageNo) {
        if (isZero(image)) {
            return;
        }
        long offset = (long) expectedPageNo * SIZE;
        int stored = readInt(image, OFF_CRC);
        int actual = checksum(image);
        if (stored != actual) {
            throw new CorruptionException(resource, offset, "page " + expectedPageNo + " checksum mismatch",
                    String.format("CRC32C %08x", actual), String.format("%08x", stored),
                    "torn write or media damage");
        }
        int pageNo = readInt(image, OFF_PAGE_NO);
        if (pageNo == 0 && readInt(image, OFF_FILE_ID) == 0 && imageType(image) == PageType.FREE) {
            // An allocated page whose creation was rolled back: zeros apart from its LSN. Unused, not damage.
            return;
        }
        if (pageNo != expectedPageNo) {
            throw new CorruptionException(resource, offset, "page number mismatch", "page " + expectedPageNo,
                    "page " + pageNo, "misdirected write or file copied out of order");
        }
        int fid = readInt(image, OFF_FILE_ID);
        if (fid != expectedFileId) {
            throw new CorruptionException(resource, offset, "file id mismatch", "file id " + expectedFileId,
                    "file id " + fid, "page belongs to another file");
        }
    }

    /** Page LSN stored in an on-disk image. */
    public static long imageLsn(byte[] image) {
        return readLong(image, OFF_LSN);
    }

    /** Page type stored in an on-disk image. */
    public static int imageType(byte[] image) {
        return image[OFF_TYPE] & 0xFF;
    }

    public static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** Unsigned 16-bit value at {@code off}. */
    public static int readShort(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    public static long readLong(byte[] b, int off) {
        return ((long) readInt(b, off) << 32) | (readInt(b, off + 4) & 0xFFFFFFFFL);
    }

    public static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    public static void writeLong(byte[] b, int off, long v) {
        writeInt(b, off, (int) (v >>> 32));
        writeInt(b, off + 4, (int) v);
    }
}
