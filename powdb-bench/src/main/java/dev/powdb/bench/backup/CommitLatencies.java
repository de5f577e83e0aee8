package dev.powdb.bench.backup;

import org.HdrHistogram.Histogram;

import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Commit latencies of one writer thread (or, after {@link #add}, of several) in nanoseconds: an HdrHistogram with
 * three significant digits (a percentile is the top of its bucket, at most 0.1% above the true value, and never above
 * the maximum), the exact maximum, and the exact count of
 * commits slower than {@link #SLOW_NANOS}. Not thread-safe: each writer records into its own and they are added up
 * after the writers stopped.
 */
final class CommitLatencies {
    /** A commit slower than this (10 ms) counts as slow. */
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Largest latency the histogram resolves; longer ones are recorded as this (the exact maximum is kept). */
    static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);

    private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
    private long slowCommits;
    private long maxNanos;

    /** Records one commit that took {@code nanos} (negative values, from a clock step, count as 0). */
    void record(long nanos) {
        long v = Math.max(0, nanos);
        histogram.recordValue(Math.min(v, HIGHEST_NANOS));
        if (v > SLOW_NANOS) {
            slowCommits++;
        }
        maxNanos = Math.max(maxNanos, v);
    }

    /** Adds every commit of {@code other} to this one. */
    void add(CommitLatencies other) {
        histogram.add(other.histogram);
        slowCommits += other.slowCommits;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    long commits() {
        return histogram.getTotalCount();
    }

    /** The summary of what was recorded during a measured window of {@code windowSeconds}. */
    Summary summary(double windowSeconds) {
        if (histogram.getTotalCount() == 0) {
            return new Summary(0, windowSeconds, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        return new Summary(histogram.getTotalCount(), windowSeconds, percentileMillis(50), percentileMillis(99),
                percentileMillis(99.9), millis(maxNanos), slowCommits);
    }

    /** The histogram's value at {@code percentile}: the top of its bucket, never above the exact maximum. */
    private double percentileMillis(double percentile) {
        return millis(Math.min(histogram.getValueAtPercentile(percentile), maxNanos));
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    /**
     * One run's commit latencies. Percentiles and the maximum are in milliseconds (NaN when nothing committed).
     *
     * @param commits       commits recorded (those that began inside the measured window)
     * @param windowSeconds length of the measured window
     * @param slowCommits   commits slower than {@link #SLOW_NANOS}
     */
    record Summary(long commits, double windowSeconds, double p50Millis, double p99Millis, double p999Millis,
                   double maxMillis, long slowCommits) {
        /** Commits per second of the window, or NaN for an empty window. */
        double commitsPerSecond() {
            return windowSeconds > 0 ? commits / windowSeconds : Double.NaN;
        }

        /** This run's p99 divided by {@code baseline}'s; empty when either has no commits or the baseline's is 0. */
        OptionalDouble p99Ratio(Summary baseline) {
            if (commits == 0 || baseline.commits == 0 || !(baseline.p99Millis > 0)) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(p99Millis / baseline.p99Millis);
        }
    }
}
