package dev.powdb.bench.backup;

import java.util.Arrays;
import java.util.Objects;

/**
 * Every recorded commit of a run as a pair: when it began (or was scheduled to begin), as {@link System#nanoTime()},
 * and how long it took in nanoseconds. Lets a run with several backups count each commit in the backup (and the
 * phase of it) it fell into. Not thread-safe: each writer records into its own and they are added up after the
 * writers stopped.
 */
final class CommitTimeline {
    private long[] starts = new long[1024];
    private long[] nanos = new long[1024];
    private int size;

    void record(long startNanos, long tookNanos) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        starts[size] = startNanos;
        nanos[size] = tookNanos;
        size++;
    }

    /** Appends every commit of {@code other} (the order of commits does not matter to the users of this class). */
    void add(CommitTimeline other) {
        for (int i = 0; i < other.size; i++) {
            record(other.starts[i], other.nanos[i]);
        }
    }

    int size() {
        return size;
    }

    long startNanos(int i) {
        return starts[Objects.checkIndex(i, size)];
    }

    long nanos(int i) {
        return nanos[Objects.checkIndex(i, size)];
    }
}
