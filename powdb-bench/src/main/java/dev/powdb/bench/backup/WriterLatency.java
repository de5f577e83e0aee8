package dev.powdb.bench.backup;

import dev.powdb.backup.BackupProgress;
import dev.powdb.backup.Backups;
import dev.powdb.storage.Database;
import dev.powdb.storage.Row;
import dev.powdb.storage.Transaction;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The writers part: {@code --writers} threads commit small transactions as fast as they can, and the latency of
 * each is recorded from {@code begin()} to {@code commit()} returning (so time spent waiting for the database's
 * write lock counts). One transaction in {@link #INSERT_EVERY} inserts a new row; the others read one row by its
 * indexed id (uniform over the loaded ids) and add 1 to its age.
 *
 * <p>By default each writer is a closed loop: it starts its next transaction when the last one returned, so a
 * writer stalled behind the backup issues no commits meanwhile and the stall shows as one slow commit per writer
 * (and fewer commits per second), not as a raised p99 ("coordinated omission"). With a rate ({@code --writer-rate}),
 * each writer has a schedule of intended start times, {@code 1/rate} apart, catches up without waiting when late, and
 * a commit's latency is measured from its intended start: time queued behind a stall counts, as it would for a
 * client issuing requests at that rate.
 *
 * <p>Two runs: with no backup (after {@code warmup} seconds, {@code seconds} measured), and with {@code backups}
 * full backups ({@code Backups.full}) taken one after another after the same warm-up and {@code warmupBackups}
 * unmeasured ones, {@link #GAP_MILLIS} apart (each deleted before the pause). In the first a commit counts when it
 * began inside the window; in the second when it began inside one backup's run, and {@link BackupWindows} splits
 * those commits by backup and by the backup's phase (start checkpoint, copy, end), from the backup's progress
 * reports. The warm-up backups are reported apart: in a fresh JVM the first backups taken while writers run are
 * when the JIT compiles the backup's code and the paths where it meets the writers, and its compiler threads run
 * at the application's priority. Traced with the kernel's scheduler events on the 2-core benchmark machine,
 * most commits of 2–4 ms in the first backups were writers waiting for a core held by a compiler thread (until
 * the next 4 ms tick), and the p99 of the first backup of a run was 1.7–6.4 ms against 0.25–0.7 ms for the fifth.
 * The JIT's compile time during each backup ({@code CompilationMXBean}) is logged and reported beside them.
 * Commits still in flight when a window closes are waited for and counted. A full backup with no writers is taken
 * first, to compare the backup's own time.
 *
 * <p>Every collection the JVM reports while the part runs is recorded ({@link GcRecorder}); for each window the GC
 * pauses overlapping it are added up ({@link GcPauses}), and those of at least {@link #LOGGED_PAUSE_MILLIS} are
 * logged one by one, because a single such pause can be a window's slowest commit.
 */
final class WriterLatency {
    /** One transaction in this many inserts a row; the rest update one. */
    static final int INSERT_EVERY = 10;
    /** GC pauses this long (ms) or longer are logged one by one: as long as a slow commit ({@code SLOW_NANOS}). */
    static final long LOGGED_PAUSE_MILLIS = CommitLatencies.SLOW_NANOS / 1_000_000;
    /** Pause between two backups of the loaded run, after the last one's files were deleted. */
    static final long GAP_MILLIS = 2_000;
    /** How many of the slowest commits during the backups are logged and reported one by one. */
    static final int SLOWEST_LOGGED = 10;

    private final Database db;
    private final long rows;
    private final AtomicLong nextId;
    private final int writers;
    /** Intended commits per second per writer, 0 for a closed loop. */
    private final int ratePerWriter;
    /** Full backups taken one after another in the run with backups. */
    private final int backups;
    /** Unmeasured full backups taken while the writers run, before the measured ones. */
    private final int warmupBackups;
    private final long seed;
    private final PrintStream out;

    /**
     * @param rows   ids 1..rows exist and are updated
     * @param nextId the id the next inserted row gets (shared with the other parts)
     */
    WriterLatency(Database db, long rows, AtomicLong nextId, int writers, int ratePerWriter, int backups,
                  int warmupBackups, long seed, PrintStream out) {
        this.db = db;
        this.rows = rows;
        this.nextId = nextId;
        this.writers = writers;
        this.ratePerWriter = ratePerWriter;
        this.backups = backups;
        this.warmupBackups = warmupBackups;
        this.seed = seed;
        this.out = out;
    }

    OnlineResults.WriterRuns run(int warmupSeconds, int seconds, Path scratch) throws Exception {
        try (GcRecorder gc = GcRecorder.start(); HiccupMeter hiccups = HiccupMeter.start()) {
            log("   garbage collector: %s (a GC notification is a pause unless its collector's name contains "
                    + "\"%s\")%s", String.join(", ", gc.collectors()), GcEvent.CONCURRENT_MARKER,
                    gc.recording() ? "" : "; no collector sends notifications, so GC pauses are not recorded");
            log("   hiccup meter: a thread sleeping %d ms at a time; \"hiccup\" below is its longest overrun (of at "
                    + "least %d ms) overlapping the window or stall, a stall of the whole process or machine",
                    HiccupMeter.INTERVAL_NANOS / 1_000_000, HiccupMeter.RECORDED_NANOS / 1_000_000);
            return run(warmupSeconds, seconds, scratch, gc, hiccups);
        }
    }

    /** "; hiccup N ms": the meter's longest overrun overlapping {@code [from, until)}. */
    private static String hiccupLine(HiccupMeter meter, long from, long until) {
        return String.format(Locale.ROOT, "; hiccup %.1f ms",
                HiccupMeter.longestOverlapping(meter.hiccups(), from, until) / 1e6);
    }

    private OnlineResults.WriterRuns run(int warmupSeconds, int seconds, Path scratch, GcRecorder gc,
                                         HiccupMeter hiccups) throws Exception {
        Files.createDirectories(scratch);
        // The JVM's first backup loads classes and the native hasher; keep that out of the comparison.
        Path warmUp = scratch.resolve("full-warm-up");
        log("   warm-up full backup (not in the results): %.3f s", timedBackup(warmUp));
        Disk.deleteTree(warmUp);
        Path quietDest = scratch.resolve("full-quiet");
        OnlineResults.BackupTiming quietBackup = new OnlineResults.BackupTiming(timedBackup(quietDest),
                Disk.sizeBytes(quietDest));
        Disk.deleteTree(quietDest);
        log("   full backup with no writers: %.3f s, %s", quietBackup.seconds(), BackupBench.mb(quietBackup.bytes()));

        Run quiet = new Run(0);
        quiet.start();
        Thread.sleep(warmupSeconds * 1000L);
        long from = System.nanoTime();
        quiet.recordFrom = from;
        long quietSteal0 = StealTime.millisNow();
        Thread.sleep(seconds * 1000L);
        long until = System.nanoTime();
        quiet.recordUntil = until;
        long quietSteal = steal(quietSteal0, StealTime.millisNow());
        CommitLatencies.Summary quietSummary = quiet.stop().summary((until - from) / 1e9);
        GcPauses.Summary quietGc = gcPauses(gc, from, until);
        log("   no backup:        %s%s%s%s", line(quietSummary), gcLine(quietGc), stealLine(quietSteal),
                hiccupLine(hiccups, from, until));
        logLongPauses(gc, from, until);
        logStalls(quiet.timeline(), from, until, hiccups);

        Run loaded = new Run(1);
        loaded.start();
        Thread.sleep(warmupSeconds * 1000L);
        loaded.recordFrom = System.nanoTime();
        List<BackupWindows.Window> warmWindows = new ArrayList<>();
        List<BackupWindows.Window> windows = new ArrayList<>();
        List<OnlineResults.BackupTiming> underLoad = new ArrayList<>();
        List<Long> warmJit = new ArrayList<>();
        List<Long> measuredJit = new ArrayList<>();
        List<Long> warmSteal = new ArrayList<>();
        List<Long> measuredSteal = new ArrayList<>();
        Exception failure = null;
        try {
            for (int b = 1 - warmupBackups; b <= backups; b++) {
                if (b > 1 - warmupBackups) {
                    Thread.sleep(GAP_MILLIS);
                }
                boolean warm = b < 1;
                String name = warm ? "warm-up " + (b + warmupBackups) : Integer.toString(b);
                Path dest = scratch.resolve("full-under-load-" + name.replace(' ', '-'));
                BackupWindows.Marks marks = new BackupWindows.Marks();
                long jit0 = jitMillis();
                long steal0 = StealTime.millisNow();
                long t0 = System.nanoTime();
                try {
                    Backups.full(db, dest, marks);
                } catch (RuntimeException e) {
                    Disk.deleteTree(dest);
                    throw new IllegalStateException("full backup " + name + " under load failed: " + e, e);
                }
                long t1 = System.nanoTime();
                long jit1 = jitMillis();
                (warm ? warmSteal : measuredSteal).add(steal(steal0, StealTime.millisNow()));
                (warm ? warmJit : measuredJit).add(jit0 < 0 || jit1 < 0 ? -1 : jit1 - jit0);
                (warm ? warmWindows : windows).add(marks.window(t0, t1));
                if (!warm) {
                    underLoad.add(new OnlineResults.BackupTiming((t1 - t0) / 1e9, Disk.sizeBytes(dest)));
                }
                Disk.deleteTree(dest);
            }
        } catch (Exception e) {
            failure = e;
        }
        loaded.recordUntil = System.nanoTime();
        try {
            loaded.stop();
        } catch (IllegalStateException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (failure != null) {
            throw failure;
        }
        CommitTimeline timeline = loaded.timeline();
        BackupWindows.Analysis analysis = BackupWindows.analyse(windows, timeline, SLOWEST_LOGGED);
        BackupWindows.Analysis warmAnalysis = warmWindows.isEmpty() ? null
                : BackupWindows.analyse(warmWindows, timeline, 0);
        if (warmAnalysis != null) {
            log("   warm-up backups (%d, not in the comparison): %s", warmWindows.size(),
                    line(warmAnalysis.pooled()));
            for (int b = 0; b < warmWindows.size(); b++) {
                BackupWindows.Window w = warmWindows.get(b);
                log("     warm-up backup %d: %.3f s from %.3f s of JVM uptime, JIT %s, %s%s%s%s", b + 1, w.seconds(),
                        uptimeSeconds(w.startNanos()), jitLine(warmJit.get(b)), line(warmAnalysis.perBackup().get(b)),
                        gcLine(gcPauses(gc, w.startNanos(), w.endNanos())), stealLine(warmSteal.get(b)),
                        hiccupLine(hiccups, w.startNanos(), w.endNanos()));
                logLongPauses(gc, w.startNanos(), w.endNanos());
            }
        }
        GcPauses.Summary loadedGc = null;
        for (BackupWindows.Window w : windows) {
            GcPauses.Summary one = gcPauses(gc, w.startNanos(), w.endNanos());
            loadedGc = one == null ? null : loadedGc == null ? one : loadedGc.plus(one);
        }
        log("   backups running:  %s%s", line(analysis.pooled()), gcLine(loadedGc));
        for (int b = 0; b < windows.size(); b++) {
            BackupWindows.Window w = windows.get(b);
            log("     backup %d: %.3f s from %.3f s of JVM uptime (start %.3f s, copy %.3f s, end %.3f s), JIT %s, "
                    + "%s%s%s", b + 1, w.seconds(), uptimeSeconds(w.startNanos()), w.seconds(BackupWindows.Phase.START),
                    w.seconds(BackupWindows.Phase.COPY), w.seconds(BackupWindows.Phase.END),
                    jitLine(measuredJit.get(b)), line(analysis.perBackup().get(b)), stealLine(measuredSteal.get(b)),
                    hiccupLine(hiccups, w.startNanos(), w.endNanos()));
            logLongPauses(gc, w.startNanos(), w.endNanos());
        }
        for (BackupWindows.PhaseLatency p : analysis.phases()) {
            log("     %s: %s", p.phase().label, line(p.latency()));
        }
        for (BackupWindows.SlowCommit c : analysis.slowest()) {
            long start = windows.get(c.backup() - 1).startNanos() + (long) (c.offsetMillis() * 1e6);
            long end = start + (long) (c.latencyMillis() * 1e6);
            log("     slow commit: %.3f ms, backup %d at %+.1f ms (%s)%s", c.latencyMillis(), c.backup(),
                    c.offsetMillis(), c.phase().label, hiccupLine(hiccups, start, end));
        }
        return new OnlineResults.WriterRuns(writers, ratePerWriter, warmupSeconds, quietSummary, analysis,
                warmAnalysis, quietBackup, underLoad, jitMillis() < 0 ? null
                        : new OnlineResults.JitTimes(warmJit, measuredJit), gc.recording()
                        ? new OnlineResults.GcWindows(gc.collectors(), quietGc, loadedGc) : null);
    }

    /** The pauses overlapping {@code [from, until)}, once the notifications of those that ended have arrived. */
    private GcPauses.Summary gcPauses(GcRecorder gc, long from, long until) throws InterruptedException {
        if (!gc.recording()) {
            return null;
        }
        if (!gc.awaitDelivered()) {
            log("   (some GC notifications had not arrived after %d ms; the next line may miss pauses)",
                    GcRecorder.DELIVERY_TIMEOUT_MILLIS);
        }
        return GcPauses.inWindow(gc.events(), from, until);
    }

    /**
     * Milliseconds this JVM's JIT compilers have spent compiling so far, or -1 when it does not say.
     */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return -1;
        }
        return jit.getTotalCompilationTime();
    }

    /**
     * The JVM's uptime in seconds at {@code nanoTime}, so that a window can be found in a JVM log ({@code -Xlog}
     * decorates with {@code uptime}).
     */
    static double uptimeSeconds(long nanoTime) {
        long nowNanos = System.nanoTime();
        long uptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        return (uptimeMillis - (nowNanos - nanoTime) / 1e6) / 1000.0;
    }

    /** Steal between two readings of {@link StealTime#millisNow()}, or -1 when either is unknown. */
    static long steal(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private static String stealLine(long millis) {
        return millis < 0 ? "" : String.format(Locale.ROOT, "; host steal %,d ms (all CPUs)", millis);
    }

    private static String jitLine(long millis) {
        return millis < 0 ? "n/a" : String.format(Locale.ROOT, "%,d ms compiling", millis);
    }

    private static String gcLine(GcPauses.Summary s) {
        return s == null ? "" : "; " + s.describe();
    }

    /**
     * One line per stall of commits slower than 10 ms in the window, with the JVM uptime at which it began (the
     * backups' slowest commits are listed one by one instead).
     */
    private void logStalls(CommitTimeline timeline, long from, long until, HiccupMeter hiccups) {
        for (Stalls.Stall s : Stalls.find(timeline, from, until, CommitLatencies.SLOW_NANOS)) {
            log("     stall: %,d commits over 10 ms from %.3f s of JVM uptime (%+.3f s of the window) for %.1f ms,"
                    + " slowest %.3f ms%s", s.commits(), uptimeSeconds(s.startNanos()), (s.startNanos() - from) / 1e9,
                    (s.endNanos() - s.startNanos()) / 1e6, s.slowestNanos() / 1e6,
                    hiccupLine(hiccups, s.startNanos(), s.endNanos()));
        }
    }

    /** One line per pause of at least {@link #LOGGED_PAUSE_MILLIS} overlapping the window, placed in it. */
    private void logLongPauses(GcRecorder gc, long from, long until) {
        for (GcEvent e : GcPauses.overlapping(gc.events(), from, until)) {
            if (e.durationMillis() >= LOGGED_PAUSE_MILLIS) {
                log("     GC pause %,d ms at %+.3f s of the window: %s, %s, %s", e.durationMillis(),
                        (e.startNanos() - from) / 1e9, e.collector(), e.action(), e.cause());
            }
        }
    }

    /** Seconds of a full backup into {@code dest} (no sync after it: the backup fsyncs what it writes). */
    private double timedBackup(Path dest) {
        long t0 = System.nanoTime();
        Backups.full(db, dest, BackupProgress.NONE);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String line(CommitLatencies.Summary s) {
        return String.format(Locale.ROOT, "%,d commits in %.3f s (%,.0f/s), p50 %.3f ms, p99 %.3f ms, "
                        + "p99.9 %.3f ms, max %.3f ms, %,d slower than 10 ms", s.commits(), s.windowSeconds(),
                s.commitsPerSecond(), s.p50Millis(), s.p99Millis(), s.p999Millis(), s.maxMillis(), s.slowCommits());
    }

    /** One run of the writer threads; {@link #recordFrom} and {@link #recordUntil} bound the measured window. */
    private final class Run {
        volatile long recordFrom = Long.MAX_VALUE;
        volatile long recordUntil = Long.MAX_VALUE;
        private volatile boolean stop;
        private boolean stopped;
        private final List<Thread> threads = new ArrayList<>();
        private final List<CommitLatencies> latencies = new ArrayList<>();
        private final List<CommitTimeline> timelines = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final int runNumber;

        Run(int runNumber) {
            this.runNumber = runNumber;
        }

        void start() {
            for (int w = 0; w < writers; w++) {
                CommitLatencies mine = new CommitLatencies();
                latencies.add(mine);
                CommitTimeline timeline = new CommitTimeline();
                timelines.add(timeline);
                Random random = new Random(seed * 1_000_003L + runNumber * 1_009L + w);
                Thread t = new Thread(() -> write(random, mine, timeline), "online-bench-writer-" + w);
                threads.add(t);
                t.start();
            }
        }

        private void write(Random random, CommitLatencies mine, CommitTimeline timeline) {
            long interval = ratePerWriter > 0 ? 1_000_000_000L / ratePerWriter : 0;
            long intended = System.nanoTime();
            try {
                // Paced writers finish every start scheduled inside the window, so a stall's queue is counted.
                while (failure.get() == null && (!stop || (interval > 0 && intended < recordUntil))) {
                    if (interval > 0) {
                        waitUntil(intended);
                    }
                    long t0 = System.nanoTime();
                    commitOne(random);
                    long t1 = System.nanoTime();
                    long start = interval > 0 ? intended : t0;
                    if (start >= recordFrom && start < recordUntil) {
                        mine.record(t1 - start);
                        timeline.record(start, t1 - start);
                    }
                    intended += interval;
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                stop = true;
            }
        }

        /** Stops the writers, waits for them, and returns every recorded commit. */
        CommitLatencies stop() throws InterruptedException {
            stop = true;
            for (Thread t : threads) {
                t.join();
            }
            stopped = true;
            if (failure.get() != null) {
                throw new IllegalStateException("a writer failed: " + failure.get(), failure.get());
            }
            CommitLatencies all = new CommitLatencies();
            for (CommitLatencies l : latencies) {
                all.add(l);
            }
            return all;
        }

        /** Every recorded commit with its start, once {@link #stop()} returned. */
        CommitTimeline timeline() {
            if (!stopped) {
                throw new IllegalStateException("the writers are still running");
            }
            CommitTimeline all = new CommitTimeline();
            for (CommitTimeline t : timelines) {
                all.add(t);
            }
            return all;
        }
    }

    private static void waitUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void commitOne(Random random) {
        try (Transaction tx = db.begin()) {
            if (random.nextInt(INSERT_EVERY) == 0) {
                long id = nextId.getAndIncrement();
                tx.insertValues("users", id, OnlineBench.nameFor(id), (long) random.nextInt(100));
            } else {
                long id = 1 + random.nextLong(rows);
                Row r = tx.getBy("users", "id", id)
                        .orElseThrow(() -> new IllegalStateException("PowDB: id " + id + " not found"));
                tx.updateBy("users", "id", id, Map.of("age", (Long) r.get(2) + 1));
            }
            tx.commit();
        }
    }

    private void log(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
