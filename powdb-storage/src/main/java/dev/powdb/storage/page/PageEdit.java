package dev.powdb.storage.page;

/**
 * An open change to one page: holds the page's write latch, lets the page's {@code put} methods run, and on
 * {@link #close()} logs the changed ranges through the {@link EditLog} and stamps the page LSN. If logging fails the
 * page is put back as it was, so memory never holds an unlogged change.
 */
public final class PageEdit implements AutoCloseable {
    private final Page page;
    private final EditLog log;
    private boolean closed;

    PageEdit(Page page, EditLog log) {
        this.page = page;
        this.log = log;
        page.latch.writeLock().lock();
        page.beginEdit();
    }

    /** Opens an edit of {@code page}; always use in try-with-resources. */
    public static PageEdit begin(Page page, EditLog log) {
        return new PageEdit(page, log);
    }

    /** The page being edited. */
    public Page page() {
        return page;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int[] ranges = page.endEdit();
            if (ranges.length > 0 && log.defersEdits()) {
                boolean newlyPending = page.pendingBase == null;
                if (newlyPending) {
                    page.pendingBase = page.imageBeforeEdit();
                    // A clean page's last logged state is what the disk holds.
                    page.pendingBaseOnDisk = !page.dirty;
                }
                page.dirty = true;
                log.deferEdit(page, ranges, page.beforeImage(), newlyPending);
            } else if (ranges.length > 0) {
                long lsn;
                try {
                    lsn = log.logEdit(page, ranges, page.beforeImage());
                } catch (RuntimeException | Error e) {
                    page.restoreCaptured();
                    throw e;
                }
                page.stampLsn(lsn);
                page.dirty = true;
            }
        } finally {
            page.latch.writeLock().unlock();
        }
    }
}
