package dev.powdb.backup;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.spi.PageImages;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The changed pages of one paged file in an incremental backup, stored as {@code <name>.delta}. Layout, all
 * integers big-endian:
 * <pre>
 *    0  8 bytes  magic "POWDBDLT"
 *    8  u32      format version (1)
 *   12  u32      page size in bytes
 *   16  u32      file id (the catalog's id of the file the pages belong to)
 *   20  u32      page count N
 *   24  u64      base length: the file's length in the parent state
 *   32  u64      length: the file's length after the delta is applied
 *   40  N x u32  page numbers, strictly increasing, each below length / page size
 *   ..  N pages  the page images, in the same order
 * </pre>
 * The manifest records the delta file's length and BLAKE3; applying a delta checks both, the header against the
 * manifest entry, and every page image's checksum, page number and file id.
 */
final class DeltaFile {
    static final byte[] MAGIC = "POWDBDLT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 40;
    /** Suffix of a delta file's name. */
    static final String SUFFIX = ".delta";

    private DeltaFile() {
    }

    /** Length in bytes of a delta holding {@code pages} pages. */
    static long lengthBytes(long pages, int pageSizeBytes) {
        return HEADER_BYTES + pages * 4 + pages * (long) pageSizeBytes;
    }

    /** Name of the stored delta of data file {@code name}. */
    static String storedName(String name) {
        return name + SUFFIX;
    }

    /** Header and page index of a delta. */
    static byte[] header(int pageSizeBytes, int fileId, long baseLengthBytes, long lengthBytes, int[] pageNos) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 4 * pageNos.length);
        b.put(MAGIC).putInt(VERSION).putInt(pageSizeBytes).putInt(fileId).putInt(pageNos.length)
                .putLong(baseLengthBytes).putLong(lengthBytes);
        for (int p : pageNos) {
            b.putInt(p);
        }
        return b.array();
    }

    /**
     * A channel producing the bytes of a delta: the header, then each listed page read from {@code source}. Every
     * page is checked (checksum, page number, file id) as it is read, so a damaged page of the database is not
     * carried into a backup.
     */
    static ReadableByteChannel producer(FileChannel source, String resource, int pageSizeBytes, int fileId,
                                        long baseLengthBytes, long lengthBytes, int[] pageNos) {
        return producer(source, resource, pageSizeBytes, fileId, baseLengthBytes, lengthBytes, pageNos,
                HashingFileCopier.BlockFilter.NONE);
    }

    /** Like the other producer, passing each page image read through {@code fixer} before it is checked. */
    static ReadableByteChannel producer(FileChannel source, String resource, int pageSizeBytes, int fileId,
                                        long baseLengthBytes, long lengthBytes, int[] pageNos,
                                        HashingFileCopier.BlockFilter fixer) {
        byte[] head = header(pageSizeBytes, fileId, baseLengthBytes, lengthBytes, pageNos);
        return new ReadableByteChannel() {
            private int headPos;
            private int page;
            private final byte[] image = new byte[pageSizeBytes];
            private int imagePos = pageSizeBytes;
            private boolean open = true;

            @Override
            public int read(ByteBuffer dst) throws IOException {
                int n = 0;
                while (dst.hasRemaining()) {
                    if (headPos < head.length) {
                        int k = Math.min(dst.remaining(), head.length - headPos);
                        dst.put(head, headPos, k);
                        headPos += k;
                        n += k;
                        continue;
                    }
                    if (imagePos == pageSizeBytes) {
                        if (page == pageNos.length) {
                            break;
                        }
                        readPage(pageNos[page++]);
                        imagePos = 0;
                    }
                    int k = Math.min(dst.remaining(), pageSizeBytes - imagePos);
                    dst.put(image, imagePos, k);
                    imagePos += k;
                    n += k;
                }
                return n == 0 && !dst.hasRemaining() ? 0 : n == 0 ? -1 : n;
            }

            private void readPage(int pageNo) throws IOException {
                ByteBuffer b = ByteBuffer.wrap(image);
                long pos = (long) pageNo * pageSizeBytes;
                while (b.hasRemaining()) {
                    int r = source.read(b, pos + b.position());
                    if (r < 0) {
                        throw new IOException(resource + ": ends before page " + pageNo);
                    }
                }
                fixer.filter(pos, ByteBuffer.wrap(image));
                PageImages.verify(image, resource, fileId, pageNo);
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }

    /**
     * Reads the delta file {@code delta}, checking it against {@code entry} and, when {@code target} is not null,
     * writing each page into it at its position. Returns the BLAKE3 of the bytes read; the caller compares it with
     * the manifest before trusting {@code target}.
     *
     * @throws CorruptionException naming the delta file, the offset and what is wrong
     */
    static String read(Path delta, BackupManifest.DeltaEntry entry, int pageSizeBytes, FileChannel target,
                       BackupProgress progress) throws IOException {
        String resource = delta.toString();
        Blake3 hash = new Blake3();
        try (FileChannel in = FileChannel.open(delta, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (in.size() != entry.deltaLengthBytes()) {
                throw corrupt(resource, 0, "length", entry.deltaLengthBytes() + " bytes", in.size() + " bytes");
            }
            ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES);
            readFully(in, head, 0, resource);
            hash.update(head.array(), 0, HEADER_BYTES);
            checkHeader(head, entry, pageSizeBytes, resource);
            long count = entry.pageCount();
            long pagesInFile = entry.lengthBytes() / pageSizeBytes;
            // The index is read twice in bounded chunks (checked and hashed first, then walked beside the page
            // images), so a hostile page count cannot make this allocate more than a chunk.
            IndexReader check = new IndexReader(in, count, resource);
            int previous = -1;
            for (long i = 0; i < count; i++) {
                int pageNo = check.next(hash);
                if (pageNo < 0 || pageNo >= pagesInFile || (i > 0 && pageNo <= previous)) {
                    throw corrupt(resource, HEADER_BYTES + 4L * i, "page index " + i, "increasing page numbers "
                            + "below " + pagesInFile, "page " + Integer.toUnsignedString(pageNo));
                }
                previous = pageNo;
            }
            IndexReader pageNos = new IndexReader(in, count, resource);
            long pos = HEADER_BYTES + 4L * count;
            byte[] image = new byte[pageSizeBytes];
            for (long i = 0; i < count; i++, pos += pageSizeBytes) {
                int pageNo = pageNos.next(null);
                ByteBuffer b = ByteBuffer.wrap(image);
                readFully(in, b, pos, resource);
                hash.update(image, 0, pageSizeBytes);
                try {
                    PageImages.verify(image, resource + " (page image " + i + ")", entry.fileId(), pageNo);
                } catch (CorruptionException e) {
                    throw new CorruptionException(resource, pos, "page image " + i + " for page " + pageNo,
                            "a valid page", e.getMessage(), "the backup is damaged");
                }
                if (target != null) {
                    ByteBuffer w = ByteBuffer.wrap(image);
                    long at = (long) pageNo * pageSizeBytes;
                    while (w.hasRemaining()) {
                        target.write(w, at + w.position());
                    }
                }
                progress.advance(pageSizeBytes);
            }
        }
        return hash.finishHex();
    }

    /** Reads the page index in chunks of 64 Ki entries, optionally hashing what it reads. */
    private static final class IndexReader {
        private final FileChannel in;
        private final long count;
        private final String resource;
        private final ByteBuffer chunk = ByteBuffer.allocate(4 << 16);
        private long read;

        IndexReader(FileChannel in, long count, String resource) {
            this.in = in;
            this.count = count;
            this.resource = resource;
            chunk.limit(0);
        }

        int next(Blake3 hash) throws IOException {
            if (!chunk.hasRemaining()) {
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), 4 * (count - read)));
                readFully(in, chunk, HEADER_BYTES + 4 * read, resource);
                if (hash != null) {
                    hash.update(chunk.array(), 0, chunk.limit());
                }
                read += chunk.limit() / 4;
                chunk.flip();
            }
            return chunk.getInt();
        }
    }

    private static void checkHeader(ByteBuffer head, BackupManifest.DeltaEntry entry, int pageSizeBytes,
                                    String resource) {
        byte[] magic = Arrays.copyOf(head.array(), 8);
        if (!Arrays.equals(magic, MAGIC)) {
            throw corrupt(resource, 0, "magic", "POWDBDLT", new String(magic, StandardCharsets.ISO_8859_1));
        }
        int version = head.getInt(8);
        if (version != VERSION) {
            throw new dev.powdb.storage.FormatVersionException(resource, version, VERSION, VERSION);
        }
        expect(resource, 12, "page size", pageSizeBytes, head.getInt(12));
        expect(resource, 16, "file id", entry.fileId(), head.getInt(16));
        expect(resource, 20, "page count", entry.pageCount(), Integer.toUnsignedLong(head.getInt(20)));
        expect(resource, 24, "base length", entry.baseLengthBytes(), head.getLong(24));
        expect(resource, 32, "length", entry.lengthBytes(), head.getLong(32));
    }

    private static void expect(String resource, long offset, String what, long expected, long actual) {
        if (expected != actual) {
            throw corrupt(resource, offset, what, expected + " (from the manifest)", String.valueOf(actual));
        }
    }

    private static void readFully(FileChannel in, ByteBuffer b, long pos, String resource) throws IOException {
        while (b.hasRemaining()) {
            if (in.read(b, pos + b.position()) < 0) {
                throw corrupt(resource, pos + b.position(), "data", "more bytes", "end of file");
            }
        }
    }

    private static CorruptionException corrupt(String resource, long offset, String what, String expected,
                                               String actual) {
        return new CorruptionException(resource, offset, "delta " + what, expected, actual,
                "the backup is damaged or was edited; take a new backup");
    }
}
