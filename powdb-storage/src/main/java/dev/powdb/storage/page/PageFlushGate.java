package dev.powdb.storage.page;

/** The write-ahead rule: before a page is written to its file, the WAL must be durable up to the page's LSN. */
public interface PageFlushGate {
    /** Blocks until every WAL record with an LSN up to {@code lsn} is on stable storage. */
    void makeDurable(long lsn);

    /** A gate for files that are not covered by a WAL (tests, tools). */
    PageFlushGate NONE = lsn -> { };
}
