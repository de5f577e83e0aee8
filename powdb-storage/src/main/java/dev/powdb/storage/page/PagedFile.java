package dev.powdb.storage.page;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.io.StorageFile;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A file made of 4096-byte pages (heap or B+tree). Page 0 is the file header:
 * <pre>
 *   0..23  common page header (type FILE_HEADER)
 *  24  8 bytes magic "POWDBPG\0"
 *  32  u32 format version (currently 1)
 *  36  u32 page size (4096)
 *  40  u8  file kind (1 = heap, 2 = index)
 * </pre>
 * The header is written once, when the file is created, and never changed afterwards, so it cannot be torn by a
 * later crash.
 *
 * <p>The logical page count may run ahead of the file's length: newly allocated pages live only in the buffer pool
 * until they are flushed.
 */
public final class PagedFile implements Closeable {
    /** File kind of a table heap. */
    public static final int KIND_HEAP = 1;
    /** File kind of a B+tree index. */
    public static final int KIND_INDEX = 2;
    /** Current format version of paged files. */
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = "POWDBPG\0".getBytes(StandardCharsets.US_ASCII);
    private static final int OFF_MAGIC = Page.HEADER_SIZE;
    private static final int OFF_VERSION = OFF_MAGIC + 8;
    private static final int OFF_PAGE_SIZE = OFF_VERSION + 4;
    private static final int OFF_KIND = OFF_PAGE_SIZE + 4;

    private final int fileId;
    private final String name;
    private final Path path;
    private final StorageFile file;
    private final BufferPool pool;
    private volatile int pageCount;
    /**
     * Cached pages by page number. Written under the buffer pool's lock with release stores, read without it
     * (the pool's lock-free pin path) with acquire loads, so a page is seen only fully loaded.
     */
    private volatile Page[] resident = new Page[16];
    private static final java.lang.invoke.VarHandle SLOT =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(Page[].class);

    /**
     * @param fileId the file's id (recorded in every page)
     * @param name   the file's name inside the data directory, for messages
     */
    public PagedFile(int fileId, String name, Path path, StorageFile file, BufferPool pool) throws IOException {
        this.fileId = fileId;
        this.name = name;
        this.path = path;
        this.file = file;
        this.pool = pool;
        long size = file.size();
        this.pageCount = (int) ((size + Page.SIZE - 1) / Page.SIZE);
    }

    public int fileId() {
        return fileId;
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    public BufferPool pool() {
        return pool;
    }

    /** Pages in the file, including pages allocated but not yet written. */
    public int pageCount() {
        return pageCount;
    }

    /** The cached page {@code pageNo} or null; caller holds the pool lock. */
    Page resident(int pageNo) {
        Page[] r = resident;
        return pageNo < r.length ? (Page) SLOT.getAcquire(r, pageNo) : null;
    }

    /** Records (or with null forgets) the cached page {@code pageNo}; caller holds the pool lock. */
    void setResident(int pageNo, Page page) {
        Page[] r = resident;
        if (pageNo >= r.length) {
            if (page == null) {
                return;
            }
            r = java.util.Arrays.copyOf(r, Math.max(pageNo + 1, r.length * 2));
            resident = r;
        }
        SLOT.setRelease(r, pageNo, page);
    }

    /** Pins page {@code pageNo}; call {@link Page#unpin()} when done. */
    public Page pin(int pageNo) {
        if (pageNo < 0 || pageNo >= pageCount) {
            throw new CorruptionException(name, (long) pageNo * Page.SIZE, "reference to page " + pageNo,
                    "a page below " + pageCount, "page " + pageNo, "damaged pointer");
        }
        return pool.pin(this, pageNo, false);
    }

    /** Appends a new zero page and returns it pinned; the caller formats it inside an edit. */
    public synchronized Page allocate() {
        int pageNo = pageCount;
        pageCount = pageNo + 1;
        return pool.pin(this, pageNo, true);
    }

    /** Pins a page, extending the logical page count when it lies past the end (rollback of an extension). */
    public Page pinOrAllocate(int pageNo) {
        ensurePageCount(pageNo + 1);
        return pool.pin(this, pageNo, false);
    }

    /** Makes sure the logical page count covers {@code pageNo} (WAL redo of a page past the end). */
    public synchronized void ensurePageCount(int count) {
        if (count > pageCount) {
            pageCount = count;
        }
    }

    /** Writes the file header into page 0 (which must be freshly allocated) inside {@code log}'s transaction. */
    public void writeHeader(EditLog log, int kind) {
        Page p = pageCount == 0 ? allocate() : pin(0);
        try (PageEdit e = PageEdit.begin(p, log)) {
            p.format(PageType.FILE_HEADER);
            p.putBytes(OFF_MAGIC, MAGIC, 0, MAGIC.length);
            p.putInt(OFF_VERSION, FORMAT_VERSION);
            p.putInt(OFF_PAGE_SIZE, Page.SIZE);
            p.putByte(OFF_KIND, kind);
        } finally {
            p.unpin();
        }
    }

    /**
     * Checks the header page: magic, version, page size and kind.
     *
     * @throws CorruptionException or {@link dev.powdb.storage.FormatVersionException} naming this file
     */
    public void checkHeader(int expectedKind) {
        if (pageCount == 0) {
            throw new CorruptionException(name, 0, "file header", "a header page", "an empty file",
                    "file truncated?");
        }
        Page p = pin(0);
        try {
            for (int i = 0; i < MAGIC.length; i++) {
                if (p.getByte(OFF_MAGIC + i) != MAGIC[i]) {
                    throw new CorruptionException(name, OFF_MAGIC, "file magic", "POWDBPG",
                            new String(p.getBytes(OFF_MAGIC, 8), StandardCharsets.ISO_8859_1).trim(),
                            "not a PowDB paged file");
                }
            }
            int version = p.getInt(OFF_VERSION);
            if (version != FORMAT_VERSION) {
                throw new dev.powdb.storage.FormatVersionException(name, version, FORMAT_VERSION, FORMAT_VERSION);
            }
            int ps = p.getInt(OFF_PAGE_SIZE);
            if (ps != Page.SIZE) {
                throw new CorruptionException(name, OFF_PAGE_SIZE, "page size", String.valueOf(Page.SIZE),
                        String.valueOf(ps), "file from a build with another page size");
            }
            int kind = p.getByte(OFF_KIND);
            if (kind != expectedKind) {
                throw new CorruptionException(name, OFF_KIND, "file kind", String.valueOf(expectedKind),
                        String.valueOf(kind), "heap and index files swapped?");
            }
        } finally {
            p.unpin();
        }
    }

    /**
     * Reads a page image from disk into {@code dst} (zeros past end of file).
     *
     * @return true when the image passed its checks, false when it did not (only with {@code lenient})
     */
    boolean readImage(int pageNo, byte[] dst, boolean lenient) {
        ByteBuffer buf = ByteBuffer.wrap(dst);
        try {
            int n = file.readFully(buf, (long) pageNo * Page.SIZE);
            if (n < Page.SIZE) {
                java.util.Arrays.fill(dst, Math.max(n, 0), Page.SIZE, (byte) 0);
            }
        } catch (IOException e) {
            throw new PowDbException(ErrorCode.IO, "cannot read page " + pageNo + " of " + name + ": "
                    + e.getMessage(), e);
        }
        try {
            Page.verifyImage(dst, name, fileId, pageNo);
            return true;
        } catch (CorruptionException e) {
            if (lenient) {
                return false;
            }
            throw e;
        }
    }

    void writeImage(int pageNo, byte[] image) throws IOException {
        file.write(ByteBuffer.wrap(image), (long) pageNo * Page.SIZE);
    }

    /** Flushes this file's dirty pages and fsyncs it. */
    public void flushAndSync() {
        pool.flushFile(this);
        try {
            file.sync();
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of " + name + " failed", e);
        }
    }

    /** fsyncs the file without flushing the pool. */
    public void sync() throws IOException {
        file.sync();
    }

    /** Drops this file's pages from the pool (without writing them) and closes it. */
    public void discard() throws IOException {
        pool.discardFile(this);
        file.close();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
