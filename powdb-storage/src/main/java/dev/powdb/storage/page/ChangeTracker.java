package dev.powdb.storage.page;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, in memory, which pages got a new page LSN since tracking started (after recovery, at open), so an
 * incremental backup reads only those pages instead of every page's LSN. It is not persisted: after a restart it
 * knows nothing about changes before the open, and {@link #changedSince} says so by returning null, upon which the
 * backup falls back to scanning page LSNs. The answer is a superset of the pages changed after the asked LSN (it
 * holds every page changed since tracking started); callers still compare page LSNs.
 */
public final class ChangeTracker {
    private final ConcurrentHashMap<Integer, BitSet> pages = new ConcurrentHashMap<>();
    private volatile long completeAfterLsn = Long.MAX_VALUE;

    /** Called whenever a page's LSN is set. */
    void note(int fileId, int pageNo) {
        BitSet b = pages.computeIfAbsent(fileId, k -> new BitSet());
        synchronized (b) {
            b.set(pageNo);
        }
    }

    /** From now on every change with an LSN above {@code lsn} is known. */
    public void start(long lsn) {
        pages.clear();
        completeAfterLsn = lsn;
    }

    /**
     * Page numbers, increasing, of file {@code fileId} whose LSN may be above {@code sinceLsn}; null when tracking
     * does not reach back that far (the caller must scan).
     */
    public int[] changedSince(int fileId, long sinceLsn) {
        if (sinceLsn < completeAfterLsn) {
            return null;
        }
        BitSet b = pages.get(fileId);
        if (b == null) {
            return new int[0];
        }
        synchronized (b) {
            return b.stream().toArray();
        }
    }

    /** The LSN after which tracking is complete (Long.MAX_VALUE before it started). */
    public long completeAfterLsn() {
        return completeAfterLsn;
    }
}
