package dev.powdb.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the copying part of a backup on threads with a lower CPU priority than the application's, so that on a
 * machine with few cores the application's commits are scheduled first while a backup reads, hashes and writes.
 *
 * <p>On a 2-core machine a backup's reader, hasher and writer threads otherwise take cores the application's
 * committing threads are waiting for. How much this buys there is measured in {@code docs/benchmarks/backup.md}
 * (within the disk's run-to-run noise in eight runs); nice only matters when threads compete for a core, so an idle
 * machine copies as fast as before.
 *
 * <p>Linux only: there every thread has its own nice value, and threads it starts inherit it. The value is raised
 * with {@code renice(1)} (no privilege is needed to raise one's own nice value; Java has no call for it). On other
 * systems, when {@code renice} or {@code /proc/thread-self} is missing, or when it fails, the work runs at normal
 * priority and nothing else changes. The nice value is only ever raised, never lowered.
 *
 * <p>The system property {@value #PROPERTY} sets the nice value: an integer from 0 to 19, default
 * {@value #DEFAULT_NICENESS}; 0 runs backups at the application's priority.
 */
final class LowPriority {
    /** System property naming the nice value of backup copy threads. */
    static final String PROPERTY = "powdb.backup.niceness";
    /** Nice value used when {@link #PROPERTY} is not set. */
    static final int DEFAULT_NICENESS = 10;
    /** Highest nice value Linux knows. */
    static final int MAX_NICENESS = 19;

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private LowPriority() {
    }

    /** Work that may throw {@link IOException}. */
    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }

    /**
     * The configured nice value.
     *
     * @throws IllegalArgumentException naming the property when its value is not an integer from 0 to 19
     */
    static int niceness() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_NICENESS;
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + PROPERTY + " must be an integer from 0 to "
                    + MAX_NICENESS + ", got \"" + value + "\"");
        }
        if (n < 0 || n > MAX_NICENESS) {
            throw new IllegalArgumentException("system property " + PROPERTY + " must be from 0 to " + MAX_NICENESS
                    + ", got " + n);
        }
        return n;
    }

    /**
     * Runs {@code work} on a new thread named {@code threadName} whose nice value is first raised to
     * {@link #niceness()}, and waits for it. Threads the work starts inherit the nice value. What the work returns
     * or throws is passed on unchanged. Runs {@code work} on the calling thread instead when the setting is 0 or
     * the system has no per-thread nice value. Note that the worker may take the buffer pool's lock (stable images
     * of pages caught mid-write), so commits can wait for a niced thread there; that happens only for such pages.
     * An interrupt of the waiting thread is passed to the worker (the copy stops
     * with an {@link java.io.InterruptedIOException}) and kept set on the waiting thread.
     */
    static <T> T call(String threadName, IoWork<T> work) throws IOException {
        int niceness = niceness();
        if (niceness == 0 || currentNiceness() == Integer.MIN_VALUE) {
            // Off, or no per-thread nice value to raise (not Linux): a thread of its own would buy nothing.
            return work.run();
        }
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(() -> {
            lowerCurrentThread(niceness);
            try {
                result[0] = work.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, threadName);
        worker.setDaemon(Thread.currentThread().isDaemon());
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                worker.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure[0];
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /**
     * Raises the calling thread's nice value to {@code niceness} (never lowers it).
     *
     * @return the thread's nice value afterwards, or {@link Integer#MIN_VALUE} when it cannot be read (not Linux)
     */
    static int lowerCurrentThread(int niceness) {
        int now = currentNiceness();
        if (now == Integer.MIN_VALUE || now >= niceness) {
            return now;
        }
        String tid;
        try {
            Path link = Files.readSymbolicLink(THREAD_SELF);
            tid = link.getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return now;
        }
        try {
            // The priority without -n is absolute in every renice we know of (util-linux, busybox, BSD).
            Process p = new ProcessBuilder("renice", Integer.toString(niceness), "-p", tid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            return now;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return now;
        }
        return currentNiceness();
    }

    /** The calling thread's nice value from {@code /proc/thread-self/stat}, or {@link Integer#MIN_VALUE}. */
    static int currentNiceness() {
        return niceness(THREAD_SELF.resolve("stat"));
    }

    /** The nice value in a {@code /proc/.../stat} file (field 19), or {@link Integer#MIN_VALUE}. */
    static int niceness(Path statFile) {
        String stat;
        try {
            stat = Files.readString(statFile, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return Integer.MIN_VALUE;
        }
        // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Integer.MIN_VALUE;
        }
        String[] fields = stat.substring(close + 1).trim().split(" +");
        // fields[0] is field 3 (state), so field 19 (nice) is fields[16].
        if (fields.length <= 16) {
            return Integer.MIN_VALUE;
        }
        try {
            return Integer.parseInt(fields[16]);
        } catch (NumberFormatException e) {
            return Integer.MIN_VALUE;
        }
    }
}
