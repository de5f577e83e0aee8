package dev.powdb.bench.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * A thread that only sleeps, {@link #INTERVAL_NANOS} at a time, and records by how much each sleep overran. It
 * touches no database, so when it woke late at the same moment as a stall of the writers, the whole process or
 * machine stalled (a GC pause, a stop of the virtual machine by its host, a timer delivered late to an idle CPU):
 * not the database. Linux's steal time misses the last kind, since an idle CPU wants nothing while it waits. On a
 * machine whose CPUs are all busy (unpaced writers) it also measures the wait for a CPU, up to a scheduler tick.
 */
final class HiccupMeter implements AutoCloseable {
    /** Length of one sleep: 200 wake-ups a second, few enough not to disturb the writers on a 2-core machine. */
    static final long INTERVAL_NANOS = 5_000_000L;
    /** Overruns below this are not recorded (a busy CPU delays a wake-up by up to a scheduler tick, 4 ms). */
    static final long RECORDED_NANOS = 2_000_000L;

    /**
     * One overrun.
     *
     * @param startNanos when the sleep began, as {@link System#nanoTime()}
     * @param lateNanos  how much longer than {@link #INTERVAL_NANOS} it took
     */
    record Hiccup(long startNanos, long lateNanos) {
        long endNanos() {
            return startNanos + INTERVAL_NANOS + lateNanos;
        }
    }

    private final Thread thread;
    private final LongConsumer sleeper;
    private final List<Hiccup> hiccups = new ArrayList<>();
    private volatile boolean stop;

    private HiccupMeter(LongConsumer sleeper) {
        this.sleeper = sleeper;
        this.thread = new Thread(this::run, "bench-hiccup-meter");
        thread.setDaemon(true);
    }

    /** Starts a meter that sleeps with {@link LockSupport#parkNanos(long)}. */
    static HiccupMeter start() {
        return start(LockSupport::parkNanos);
    }

    /** Starts a meter whose sleeps are {@code sleeper.accept(INTERVAL_NANOS)} (tests sleep longer once). */
    static HiccupMeter start(LongConsumer sleeper) {
        HiccupMeter m = new HiccupMeter(sleeper);
        m.thread.start();
        return m;
    }

    private void run() {
        while (!stop) {
            long t0 = System.nanoTime();
            sleeper.accept(INTERVAL_NANOS);
            long late = System.nanoTime() - t0 - INTERVAL_NANOS;
            if (late >= RECORDED_NANOS) {
                synchronized (hiccups) {
                    hiccups.add(new Hiccup(t0, late));
                }
            }
        }
    }

    /** Every overrun recorded so far, in time order. */
    List<Hiccup> hiccups() {
        synchronized (hiccups) {
            return List.copyOf(hiccups);
        }
    }

    /** The longest overrun of a sleep that overlapped {@code [from, until)}, in nanoseconds; 0 when none did. */
    static long longestOverlapping(List<Hiccup> hiccups, long from, long until) {
        long longest = 0;
        for (Hiccup h : hiccups) {
            if (h.startNanos() < until && h.endNanos() > from) {
                longest = Math.max(longest, h.lateNanos());
            }
        }
        return longest;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join();
    }
}
