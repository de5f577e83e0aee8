package dev.powdb.storage.spi;

import dev.powdb.storage.page.Page;

/** Reading and checking on-disk page images without reaching into the page layer. */
public final class PageImages {
    /** Size of a page in bytes. */
    public static final int PAGE_SIZE = Page.SIZE;

    private PageImages() {
    }

    /** The page LSN stored in an image of {@link #PAGE_SIZE} bytes (0 for a page never written). */
    public static long lsn(byte[] image) {
        return Page.imageLsn(image);
    }

    /**
     * Checks an image's checksum, page number and file id; all-zero images (allocated, never written) pass.
     *
     * @throws dev.powdb.storage.CorruptionException naming {@code resource}, the offset and what differs
     */
    public static void verify(byte[] image, String resource, int fileId, int pageNo) {
        Page.verifyImage(image, resource, fileId, pageNo);
    }
}
