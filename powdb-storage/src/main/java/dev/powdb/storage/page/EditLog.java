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
}
