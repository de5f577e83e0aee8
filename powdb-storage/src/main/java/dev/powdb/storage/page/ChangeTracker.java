package dev.powdb.storage.page;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pages changed in which stretch of the log, so that an incremental backup reads only the pages changed
 * since its base instead of every page's LSN.
 *
 * <p>The log is cut into windows at checkpoints: a window {@code [from, to)} lists every page that got a page
 * LSN in that range (and possibly a few from just before it: a superset is harmless, callers compare page LSNs).
 * Each checkpoint closes the current window ({@link #cut}) and the engine stores it in a small summary file, so the
 * record survives restarts and crashes; recovery re-notes every page its redo touches. The windows held form one
 * contiguous run ending at the current one; {@link #changedSince} answers for any LSN from the run's start on and
 * returns null before it (a summary lost or damaged, a fresh restore), upon which the backup scans page LSNs.
 *
 * <p>Every backup starts at a checkpoint (its own or the last one), so an increment's base start LSN is always a
 * window boundary and the answer holds exactly the windows after it. Old windows are merged pairwise when there
 * are more than {@link #MAX_WINDOWS}, which keeps the memory and the files bounded at the price of precision for
 * old bases.
 */
public final class ChangeTracker {
    /** Windows kept before the two oldest are merged. */
    public static final int MAX_WINDOWS = 48;

    /** A closed window: the pages (increasing, per file id) that changed with LSNs in {@code [from, to)}. */
    public record Window(long from, long to, Map<Integer, int[]> pages) {
        /** Number of page entries. */
        public long size() {
            long n = 0;
            for (int[] p : pages.values()) {
                n += p.length;
            }
            return n;
        }
    }

    private Map<Integer, BitSet> current = new HashMap<>();
    private long currentFrom = Long.MAX_VALUE;
    private final List<Window> windows = new ArrayList<>();

    /** Called whenever a page's LSN is set. */
    synchronized void note(int fileId, int pageNo) {
        current.computeIfAbsent(fileId, k -> new BitSet()).set(pageNo);
    }

    /**
     * Notes a page whose change is being logged; called from inside the WAL append that gives the change its LSN.
     * A checkpoint cuts a window with appends paused, so the page is noted in the window its LSN falls in. Noted only
     * when its LSN is stamped, after the append, it could land in the window after a cut that came in between,
     * and a crash before the next checkpoint loses that window: recovery notes only what it replays, from the cut
     * on, and an increment would then miss the page.
     */
    public void noteLogging(int fileId, int pageNo) {
        note(fileId, pageNo);
    }

    /** Notes a page that recovery's redo met in the log (whether or not the page needed the change again). */
    public void noteRecovered(int fileId, int pageNo) {
        note(fileId, pageNo);
    }

    /**
     * Starts tracking after recovery: {@code stored} are the windows read back from summaries (any order, may
     * overlap or have gaps), {@code redoLsn} the checkpoint recovery started from. Keeps the contiguous run of
     * windows ending exactly at {@code redoLsn}; the current window starts there (recovery notes what it redoes).
     *
     * @return the windows kept, oldest first
     */
    public synchronized List<Window> restore(List<Window> stored, long redoLsn) {
        windows.clear();
        Map<Long, Window> byEnd = new HashMap<>();
        for (Window w : stored) {
            if (w.to() <= redoLsn && w.from() < w.to()) {
                Window other = byEnd.get(w.to());
                if (other == null || w.from() > other.from()) {
                    byEnd.put(w.to(), w); // of two windows ending together, the shorter is more precise
                }
            }
        }
        List<Window> chain = new ArrayList<>();
        long end = redoLsn;
        for (Window w = byEnd.get(end); w != null; w = byEnd.get(end)) {
            chain.add(0, w);
            end = w.from();
        }
        windows.addAll(chain);
        currentFrom = redoLsn;
        return List.copyOf(windows);
    }

    /**
     * Closes the current window at {@code lsn} (the checkpoint's redo LSN, taken while no change can be logged)
     * and returns it; merges the two oldest windows when there are too many.
     */
    public synchronized Window cut(long lsn) {
        Map<Integer, int[]> pages = new HashMap<>();
        for (Map.Entry<Integer, BitSet> e : current.entrySet()) {
            pages.put(e.getKey(), e.getValue().stream().toArray());
        }
        Window w = new Window(currentFrom == Long.MAX_VALUE ? lsn : currentFrom, lsn, pages);
        current = new HashMap<>();
        currentFrom = lsn;
        if (w.from() < w.to()) {
            windows.add(w);
        }
        return w;
    }

    /**
     * Merges the two oldest windows if there are more than {@link #MAX_WINDOWS}.
     *
     * @return {@code {merged, first, second}}, or null when nothing was merged
     */
    public synchronized Window[] compact() {
        if (windows.size() <= MAX_WINDOWS) {
            return null;
        }
        Window a = windows.remove(0);
        Window b = windows.remove(0);
        Map<Integer, BitSet> union = new HashMap<>();
        for (Window w : List.of(a, b)) {
            for (Map.Entry<Integer, int[]> e : w.pages().entrySet()) {
                BitSet s = union.computeIfAbsent(e.getKey(), k -> new BitSet());
                for (int p : e.getValue()) {
                    s.set(p);
                }
            }
        }
        Map<Integer, int[]> pages = new HashMap<>();
        union.forEach((k, v) -> pages.put(k, v.stream().toArray()));
        Window merged = new Window(a.from(), b.to(), pages);
        windows.add(0, merged);
        return new Window[] {merged, a, b};
    }

    /**
     * Page numbers, increasing, of file {@code fileId} whose LSN may be above {@code sinceLsn}; null when the
     * windows do not reach back that far (the caller must scan page LSNs).
     */
    public synchronized int[] changedSince(int fileId, long sinceLsn) {
        if (sinceLsn + 1 < completeFrom()) {
            return null;
        }
        BitSet out = new BitSet();
        for (Window w : windows) {
            if (w.to() > sinceLsn + 1) {
                int[] p = w.pages().get(fileId);
                if (p != null) {
                    for (int n : p) {
                        out.set(n);
                    }
                }
            }
        }
        BitSet cur = current.get(fileId);
        if (cur != null) {
            out.or(cur);
        }
        return out.stream().toArray();
    }

    /** The lowest LSN from which every change is known (Long.MAX_VALUE before tracking started). */
    public synchronized long completeFrom() {
        return windows.isEmpty() ? currentFrom : windows.get(0).from();
    }

    /** The windows held, oldest first. */
    public synchronized List<Window> windows() {
        return List.copyOf(windows);
    }
}
