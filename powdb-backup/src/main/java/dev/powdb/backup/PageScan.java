package dev.powdb.backup;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Finds the pages of a paged file that an incremental backup must store: those whose page LSN is past the base's
 * source LSN, and every page past the base's end (new pages, whatever their LSN: an allocated page that was never
 * written is all zeros).
 *
 * <p>The file is memory-mapped and only the 8-byte LSN of each page is touched, so the scan costs a page-cache
 * lookup per page rather than a copy of the file.
 */
final class PageScan {
    /** Offset of the page LSN within a page (see {@code docs/formats/pages.md}). */
    static final int LSN_OFFSET = 8;
    private static final long WINDOW_BYTES = 256L << 20;

    private PageScan() {
    }

    /**
     * Page numbers, increasing, of the pages of the first {@code sizeBytes} bytes of {@code in} with LSN greater
     * than {@code sinceLsn} or number at least {@code basePages}.
     */
    static int[] changedPages(FileChannel in, long sizeBytes, int pageSize, long sinceLsn, long basePages)
            throws IOException {
        long pages = sizeBytes / pageSize;
        int[] out = new int[16];
        int n = 0;
        long windowPages = WINDOW_BYTES / pageSize;
        for (long first = 0; first < pages; first += windowPages) {
            long count = Math.min(windowPages, pages - first);
            MappedByteBuffer map = in.map(FileChannel.MapMode.READ_ONLY, first * pageSize, count * pageSize);
            for (long i = 0; i < count; i++) {
                long pageNo = first + i;
                long lsn = map.getLong((int) (i * pageSize) + LSN_OFFSET);
                if (lsn > sinceLsn || pageNo >= basePages) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = (int) pageNo;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The same answer as {@link #changedPages} from a superset of candidate pages known to the engine: reads only
     * the candidates' LSNs (plus every page past the base's end, which is always stored), so the cost follows the
     * change rather than the file.
     */
    static int[] filter(FileChannel in, int[] candidates, long sizeBytes, int pageSize, long sinceLsn,
                        long basePages) throws IOException {
        long pages = sizeBytes / pageSize;
        int[] out = new int[16];
        int n = 0;
        java.nio.ByteBuffer lsn = java.nio.ByteBuffer.allocate(8);
        for (int pageNo : candidates) {
            if (pageNo >= Math.min(pages, basePages)) {
                break;
            }
            lsn.clear();
            while (lsn.hasRemaining()) {
                if (in.read(lsn, (long) pageNo * pageSize + LSN_OFFSET + lsn.position()) < 0) {
                    throw new IOException("page " + pageNo + " is past the end of the file");
                }
            }
            if (lsn.getLong(0) > sinceLsn) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = pageNo;
            }
        }
        for (long p = Math.min(pages, basePages); p < pages; p++) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = (int) p;
        }
        return Arrays.copyOf(out, n);
    }
}
