package dev.powdb.storage.page;

/**
 * Receives every page change. Implemented by the transaction that makes the change: it writes a WAL record and
 * returns that record's LSN, which becomes the page LSN.
 */
public interface EditLog {
    /**
     * Logs one edit of {@code page}.
     *
     * @param page   the page after the change
     * @param ranges changed byte ranges as {@code [start0, end0, start1, end1, ...]}, sorted, non-overlapping
     * @param before the whole page as it was before the edit (for undo)
     * @return the LSN of the WAL record
     */
    long logEdit(Page page, int[] ranges, byte[] before);

    /**
     * Whether this log collects a page's changes and writes them later as one record per page (see
     * {@link #deferEdit}) instead of one record per edit.
     */
    default boolean defersEdits() {
        return false;
    }

    /**
     * Takes an edit whose WAL record is deferred: the page has just become (or already was) pending, with
     * {@link Page#pendingBase()} holding its last logged state. The log must write the page's net change, and
     * stamp its LSN, before the transaction ends. {@code ranges} and {@code before} describe this edit alone (for
     * rolling back a statement).
     *
     * @param newlyPending the page was not pending before this edit
     */
    default void deferEdit(Page page, int[] ranges, byte[] before, boolean newlyPending) {
        throw new UnsupportedOperationException("this log does not defer edits");
    }
}
