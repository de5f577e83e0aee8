package dev.powdb.storage.page;

/** Applies WAL page changes to pages without going through an edit (recovery only). */
public final class PageRedo {
    private PageRedo() {
    }

    /**
     * Applies one logged change.
     *
     * @param fullImage zero the page first (the record carries the whole page)
     * @param ranges    {@code [offset, length]} pairs into {@code data}, consumed in order from {@code dataOff}
     * @param lsn       the record's LSN, stamped on the page
     */
    public static void apply(Page page, boolean fullImage, int[] ranges, byte[] data, int[] dataOffsets, long lsn) {
        page.latch.writeLock().lock();
        try {
            if (fullImage) {
                java.util.Arrays.fill(page.data, (byte) 0);
                page.torn = false;
            }
            for (int i = 0; i < ranges.length / 2; i++) {
                System.arraycopy(data, dataOffsets[i], page.data, ranges[2 * i], ranges[2 * i + 1]);
            }
            page.stampLsn(lsn);
            page.dirty = true;
        } finally {
            page.latch.writeLock().unlock();
        }
    }

    /**
     * Ranges {@code [start, end)} of non-zero bytes of the page (gaps shorter than 8 bytes merged), flattened as
     * {@code [start0, end0, ...]}: what a full-page image must carry.
     */
    public static int[] nonZeroRuns(Page page) {
        byte[] d = page.data;
        int[] out = new int[16];
        int n = 0;
        int i = 0;
        while (i < Page.SIZE) {
            while (i < Page.SIZE && d[i] == 0) {
                i++;
            }
            if (i >= Page.SIZE) {
                break;
            }
            int start = i;
            int zeros = 0;
            while (i < Page.SIZE && zeros < 8) {
                zeros = d[i] == 0 ? zeros + 1 : 0;
                i++;
            }
            int end = i - zeros;
            if (n + 2 > out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = start;
            out[n++] = end;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** The page's raw bytes (no copy): for encoding full images while the edit latch is held. */
    public static byte[] raw(Page page) {
        return page.data;
    }

    /**
     * Byte ranges where {@code now} differs from {@code base}, runs closer than 8 bytes merged, flattened as
     * {@code [start0, end0, ...]}; the LSN field is never part of a range.
     */
    public static int[] diff(byte[] base, byte[] now) {
        int[] out = new int[16];
        int n = 0;
        int i = 0;
        while (i < Page.SIZE) {
            int m = java.util.Arrays.mismatch(base, i, Page.SIZE, now, i, Page.SIZE);
            if (m < 0) {
                break;
            }
            int start = i + m;
            int end = start + 1;
            for (int j = end; j < Page.SIZE && j - end < 8; j++) {
                if (base[j] != now[j]) {
                    end = j + 1;
                }
            }
            if (n + 4 > out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            // Keep the LSN field (bytes 8..15) out of every range.
            if (start < 16 && end > 8) {
                if (start < 8) {
                    out[n++] = start;
                    out[n++] = 8;
                }
                if (end > 16) {
                    out[n++] = 16;
                    out[n++] = end;
                }
            } else {
                out[n++] = start;
                out[n++] = end;
            }
            i = end;
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
