package dev.powdb.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the copying part of a backup on threads with a lower CPU priority than the application's, so that on a
 * machine with few cores the application's commits are scheduled first while a backup reads, hashes and writes.
 *
 * <p>By default the copy threads use Linux's {@code SCHED_IDLE} policy: they run only on cores no other thread
 * wants, and a thread of the application that wakes up takes the core from them at once. A raised nice value only
 * lowers their share: on the 2-core machine of {@code docs/benchmarks/backup.md}, with the kernel's 4 ms tick, a
 * writer that woke while both cores copied still often waited up to a tick, and the backup's copy phase raised the
 * writers' p99 commit latency from 0.25 to 0.8 ms at nice 10; under {@code SCHED_IDLE} it was 0.34 ms. An idle
 * machine copies as fast either way.
 *
 * <p>Linux only: there every thread has its own policy and nice value, and threads it starts inherit them. The
 * policy is set with {@code chrt(1)} and the nice value with {@code renice(1)} (Java has no call for either; no
 * privilege is needed to lower one's own priority). When {@code chrt} is missing or fails the copy falls back to
 * nice 19; when {@code renice} or {@code /proc/thread-self} is missing too, or on other systems, the work runs at
 * normal priority and nothing else changes. The priority is only ever lowered, never raised.
 *
 * <p>The system property {@value #PROPERTY} chooses: {@code idle} (the default) for {@code SCHED_IDLE}, or a nice
 * value from 0 to 19; 0 runs backups on the calling thread at the application's priority.
 */
final class LowPriority {
    /** System property choosing the CPU priority of backup copy threads: {@code idle} or a nice value. */
    static final String PROPERTY = "powdb.backup.niceness";
    /** The value of {@link #PROPERTY} that selects the {@code SCHED_IDLE} policy (the default). */
    static final String IDLE = "idle";
    /** Nice value used when {@code SCHED_IDLE} cannot be set. */
    static final int FALLBACK_NICENESS = 19;
    /** Highest nice value Linux knows. */
    static final int MAX_NICENESS = 19;
    /** Linux's number for the {@code SCHED_IDLE} policy, as {@code /proc/.../stat} shows it. */
    static final int SCHED_IDLE = 5;

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");
    /** The program that sets the policy; tests name a missing one to see the fallback. */
    static volatile String chrtCommand = "chrt";

    private LowPriority() {
    }

    /**
     * What the copy threads run at.
     *
     * @param idle      the {@code SCHED_IDLE} policy (nice 19 where it cannot be set)
     * @param niceness  otherwise the nice value; 0 runs the copy on the calling thread
     */
    record Setting(boolean idle, int niceness) {
        static final Setting DEFAULT = new Setting(true, FALLBACK_NICENESS);

        /** For messages: "idle" or "nice 10". */
        String describe() {
            return idle ? IDLE : "nice " + niceness;
        }
    }

    /** Work that may throw {@link IOException}. */
    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }

    /**
     * The configured setting.
     *
     * @throws IllegalArgumentException naming the property when its value is neither {@code idle} nor an integer
     *                                  from 0 to 19
     */
    static Setting setting() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return Setting.DEFAULT;
        }
        String v = value.trim();
        if (v.equalsIgnoreCase(IDLE)) {
            return Setting.DEFAULT;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + PROPERTY + " must be idle or an integer from 0 "
                    + "to " + MAX_NICENESS + ", got \"" + value + "\"");
        }
        if (n < 0 || n > MAX_NICENESS) {
            throw new IllegalArgumentException("system property " + PROPERTY + " must be idle or from 0 to "
                    + MAX_NICENESS + ", got " + n);
        }
        return new Setting(false, n);
    }

    /**
     * Runs {@code work} on a thread named {@code threadName} whose priority was lowered as {@link #setting()} says,
     * and waits for it. Threads the work starts inherit the priority. What the work returns or throws is passed on
     * unchanged. Runs {@code work} on the calling thread instead when the setting is nice 0 or the system has no
     * per-thread priority. Note that the worker may take the buffer pool's lock (stable images of pages caught
     * mid-write), so commits can wait for a niced thread there; that happens only for such pages. An interrupt of
     * the waiting thread is passed to the worker (the copy stops with an {@link java.io.InterruptedIOException})
     * and kept set on the waiting thread.
     *
     * <p>The worker comes from a pool of threads that keep their lowered priority between backups and end after
     * {@link #KEEP_ALIVE_SECONDS} idle seconds, so a new process ({@code chrt} or {@code renice}) is started only
     * when a thread is: starting one costs a fork and an exec, a few milliseconds of CPU at the application's
     * priority, which on a 2-core machine delayed commits at the start of every backup.
     */
    static <T> T call(String threadName, IoWork<T> work) throws IOException {
        Setting setting = setting();
        if ((!setting.idle() && setting.niceness() == 0) || currentNiceness() == Integer.MIN_VALUE) {
            // Off, or no per-thread nice value to raise (not Linux): a thread of its own would buy nothing.
            return work.run();
        }
        Task<T> task = new Task<>(threadName, work);
        String chrt = chrtCommand;
        Deque<Worker> idle = IDLE_WORKERS.computeIfAbsent(setting.describe() + "|" + chrt,
                key -> new ConcurrentLinkedDeque<>());
        Worker worker = idle.pollFirst();
        if (worker == null) {
            worker = new Worker(setting, chrt, idle);
        }
        worker.mailbox.add(task);
        task.await();
        return task.result();
    }

    /** How long an idle low-priority thread waits for the next backup before it ends. */
    static final long KEEP_ALIVE_SECONDS = 600;

    /**
     * Idle low-priority threads, one stack per setting and {@code chrt} program (a thread's priority cannot be
     * raised again). The most recently used thread is taken first.
     */
    private static final Map<String, Deque<Worker>> IDLE_WORKERS = new ConcurrentHashMap<>();

    private static final AtomicLong THREADS_STARTED = new AtomicLong();

    /** Low-priority threads started so far, each lowering its priority once; for tests. */
    static long threadsStarted() {
        return THREADS_STARTED.get();
    }

    /** A thread that lowers its own priority once and then runs one call's work after another. */
    private static final class Worker implements Runnable {
        private final Setting setting;
        private final String chrt;
        private final Deque<Worker> idle;
        final BlockingQueue<Task<?>> mailbox = new LinkedBlockingQueue<>();

        Worker(Setting setting, String chrt, Deque<Worker> idle) {
            this.setting = setting;
            this.chrt = chrt;
            this.idle = idle;
            Thread t = new Thread(this, "powdb-low-priority");
            // Daemon: an idle worker must not keep the JVM alive (a caller waits for its own work anyway).
            t.setDaemon(true);
            t.setContextClassLoader(LowPriority.class.getClassLoader());
            t.start();
            THREADS_STARTED.incrementAndGet();
        }

        @Override
        public void run() {
            if (!setting.idle() || !idleCurrentThread(chrt)) {
                lowerCurrentThread(setting.niceness());
            }
            while (true) {
                Task<?> task;
                try {
                    task = mailbox.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    continue; // only a call's own interrupt is meant for this thread, and none is running
                }
                if (task == null) {
                    if (idle.remove(this)) {
                        return;
                    }
                    continue; // a caller took this worker just now: its task is on the way
                }
                task.run();
                // Back on the stack before the caller learns its work is done, so its next call reuses this thread.
                idle.addFirst(this);
                task.complete();
            }
        }
    }

    /** One call's work as it runs on a worker: its outcome, and the thread to interrupt while it runs. */
    private static final class Task<T> implements Runnable {
        private final String threadName;
        private final IoWork<T> work;
        private final CountDownLatch done = new CountDownLatch(1);
        private Thread runner;
        private boolean interruptAsked;
        private boolean finished;
        private T result;
        private Throwable failure;

        Task(String threadName, IoWork<T> work) {
            this.threadName = threadName;
            this.work = work;
        }

        @Override
        public void run() {
            Thread self = Thread.currentThread();
            String poolName = self.getName();
            synchronized (this) {
                runner = self;
                if (interruptAsked) {
                    self.interrupt(); // the caller was interrupted before the work began
                }
            }
            self.setName(threadName);
            try {
                result = work.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                synchronized (this) {
                    finished = true;
                }
                // An interrupt meant for this call must not reach the thread's next one.
                Thread.interrupted();
                self.setName(poolName);
            }
        }

        void complete() {
            done.countDown();
        }

        /** Waits for the work to end; an interrupt is passed to the worker and kept set on the caller. */
        void await() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    synchronized (this) {
                        interruptAsked = true;
                        if (runner != null && !finished) {
                            runner.interrupt();
                        }
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        T result() throws IOException {
            Throwable t = failure;
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
            return result;
        }
    }

    /**
     * Puts the calling thread under the {@code SCHED_IDLE} policy with {@code chrt(1)}.
     *
     * @param chrt the program to run ({@link #chrtCommand} when the worker was started)
     * @return whether the thread runs under it afterwards
     */
    static boolean idleCurrentThread(String chrt) {
        if (currentPolicy() == SCHED_IDLE) {
            return true;
        }
        String tid = threadId();
        if (tid == null) {
            return false;
        }
        run(chrt, "--idle", "--pid", "0", tid);
        return currentPolicy() == SCHED_IDLE;
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
        String tid = threadId();
        if (tid == null) {
            return now;
        }
        // The priority without -n is absolute in every renice we know of (util-linux, busybox, BSD).
        run("renice", Integer.toString(niceness), "-p", tid);
        return currentNiceness();
    }

    /** The calling thread's id from {@code /proc/thread-self}, or null. */
    private static String threadId() {
        try {
            return Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Runs a command, discarding its output; gives up silently after 5 s or when it cannot be started. */
    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // Not installed: the caller checks what it got.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The calling thread's nice value from {@code /proc/thread-self/stat}, or {@link Integer#MIN_VALUE}. */
    static int currentNiceness() {
        return niceness(THREAD_SELF.resolve("stat"));
    }

    /** The calling thread's scheduling policy from {@code /proc/thread-self/stat}, or {@link Integer#MIN_VALUE}. */
    static int currentPolicy() {
        return policy(THREAD_SELF.resolve("stat"));
    }

    /** The nice value in a {@code /proc/.../stat} file (field 19), or {@link Integer#MIN_VALUE}. */
    static int niceness(Path statFile) {
        return statField(statFile, 19);
    }

    /** The scheduling policy in a {@code /proc/.../stat} file (field 41; 0 normal, 5 idle), or MIN_VALUE. */
    static int policy(Path statFile) {
        return statField(statFile, 41);
    }

    /** Numeric field {@code field} (counted from 1, as proc(5) does) of a stat file, or MIN_VALUE. */
    private static int statField(Path statFile, int field) {
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
        // fields[0] is field 3 (state).
        int index = field - 3;
        if (fields.length <= index) {
            return Integer.MIN_VALUE;
        }
        try {
            return Integer.parseInt(fields[index].trim());
        } catch (NumberFormatException e) {
            return Integer.MIN_VALUE;
        }
    }
}
