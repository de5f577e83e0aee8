package dev.powdb.bench.backup;

import java.util.ArrayList;
import java.util.List;

/**
 * The commits of a window slower than a threshold, gathered into stalls: slow commits that began within
 * {@link #GAP_NANOS} of the one before belong to the same stall (one event holds up both writers and the commits
 * queued behind it). The log gives each stall's start, so it can be found in a JVM or kernel trace.
 */
final class Stalls {
    /** Slow commits further apart than this are separate stalls. */
    static final long GAP_NANOS = 100_000_000L;

    /**
     * One stall.
     *
     * @param startNanos   when its first slow commit began, as {@link System#nanoTime()}
     * @param endNanos     when its last slow commit ended
     * @param commits      how many commits in it were slower than the threshold
     * @param slowestNanos the slowest of them
     */
    record Stall(long startNanos, long endNanos, int commits, long slowestNanos) {
    }

    private Stalls() {
    }

    /** The stalls among the commits of {@code timeline} that began in {@code [from, until)}, in time order. */
    static List<Stall> find(CommitTimeline timeline, long from, long until, long thresholdNanos) {
        List<long[]> slow = new ArrayList<>();
        for (int i = 0; i < timeline.size(); i++) {
            long start = timeline.startNanos(i);
            long took = timeline.nanos(i);
            if (start >= from && start < until && took > thresholdNanos) {
                slow.add(new long[] {start, took});
            }
        }
        slow.sort((a, b) -> Long.compare(a[0], b[0]));
        List<Stall> stalls = new ArrayList<>();
        long first = 0;
        long lastStart = 0;
        long end = 0;
        long slowest = 0;
        int count = 0;
        for (long[] c : slow) {
            if (count > 0 && c[0] - lastStart > GAP_NANOS) {
                stalls.add(new Stall(first, end, count, slowest));
                count = 0;
            }
            if (count == 0) {
                first = c[0];
                end = 0;
                slowest = 0;
            }
            count++;
            lastStart = c[0];
            end = Math.max(end, c[0] + c[1]);
            slowest = Math.max(slowest, c[1]);
        }
        if (count > 0) {
            stalls.add(new Stall(first, end, count, slowest));
        }
        return stalls;
    }
}
