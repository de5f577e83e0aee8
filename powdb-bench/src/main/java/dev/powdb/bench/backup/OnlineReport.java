package dev.powdb.bench.backup;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The online parts' results as a Markdown section (appended to {@link BackupReport}'s): writer commit latency with
 * and without a running full backup (and the GC pauses in each window), increments after changing a fraction of
 * the pages with the bytes they read and wrote, and WAL replay speed. One run of each part; MB = 10^6 bytes.
 */
final class OnlineReport {
    /** Goal: an increment reads at most 1.1 times the bytes of the pages that changed. */
    static final double GOAL_READ_PER_CHANGED = 1.1;

    private final BackupBenchOptions options;
    private final OnlineResults online;

    OnlineReport(BackupBenchOptions options, OnlineResults online) {
        this.options = options;
        this.online = online;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("\n## Online backup, increments and WAL replay (PowDB)\n\n");
        OnlineResults.LoadedDatabase db = online.database;
        if (db == null) {
            md.append("The database for the online parts was not loaded (see Failures).\n");
            return md.toString();
        }
        md.append(String.format(Locale.ROOT, "%d MB target: %,d rows, data files %s MB after the load. One run of each "
                        + "part, in this order on the same database; sync NORMAL, buffer pool %,d pages.\n",
                db.sizeMb(), db.rows(), BackupReport.fmt(db.dataBytes() / 1e6, 1), PowDbLoad.BUFFER_POOL_PAGES));
        if (online.writers != null) {
            writers(md, online.writers);
        }
        if (!online.increments.isEmpty()) {
            increments(md);
        }
        if (!online.replays.isEmpty()) {
            replays(md);
        }
        return md.toString();
    }

    private static String joinMillis(List<Long> millis) {
        StringBuilder sb = new StringBuilder();
        for (long m : millis) {
            sb.append(sb.length() == 0 ? "" : ", ").append(m < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", m));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static void writers(StringBuilder md, OnlineResults.WriterRuns w) {
        md.append("\n### Writer commit latency, ").append(w.writers()).append(" writer thread")
                .append(w.writers() == 1 ? "" : "s").append("\n\n");
        md.append("Each transaction updates one row found by its indexed id (9 in 10) or inserts one (1 in 10). ");
        if (w.ratePerWriter() > 0) {
            md.append(String.format(Locale.ROOT, "Each writer follows a schedule of %,d commits per second; latency "
                    + "is from a commit's scheduled start to `commit()` returning, so time queued behind a stall "
                    + "counts (a quiet run below %,d commits/s means the database did not keep up with the "
                    + "schedule). ", w.ratePerWriter(), (long) w.ratePerWriter() * w.writers()));
        } else {
            md.append("Writers commit as fast as they can (closed loop); latency is `begin()` to `commit()` "
                    + "returning, waiting for the write lock included. A writer stalled behind the backup issues "
                    + "nothing meanwhile, so a stall shows as one slow commit per writer (see max and commits/s), "
                    + "hardly in p99; `--writer-rate` measures against a schedule instead. ");
        }
        int backups = w.backupsUnderLoad().size();
        md.append(w.warmupSeconds()).append(" s of warm-up before each run are not counted. With backups, ");
        if (w.warmUpBackups() != null) {
            int warm = w.warmUpBackups().perBackup().size();
            md.append(warm).append(" warm-up backup").append(warm == 1 ? " was" : "s were")
                    .append(" taken first and ").append(warm == 1 ? "is" : "are")
                    .append(" not in the comparison (in a fresh JVM the JIT compiles the backup's code meanwhile; "
                    + "see the row below), then ");
        }
        md.append(backups).append(" full backup").append(backups == 1 ? " was" : "s were")
                .append(" taken one after another (").append(WriterLatency.GAP_MILLIS / 1000)
                .append(" s apart) while the writers ran; a commit counts when it began, or was scheduled, inside "
                + "a backup's run, and the pooled row holds all of them.\n\n");
        md.append("| run | window s | commits | commits/s | p50 ms | p99 ms | p99.9 ms | max ms | commits > 10 ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        latencyRow(md, "no backup", w.quiet());
        latencyRow(md, backups == 1 ? "full backup running" : "full backups running (pooled)", w.withBackup());
        if (w.warmUpBackups() != null) {
            latencyRow(md, "warm-up backups running (pooled, not compared)", w.warmUpBackups().pooled());
        }
        if (backups > 1) {
            for (int b = 0; b < backups; b++) {
                latencyRow(md, "backup " + (b + 1), w.withBackups().perBackup().get(b));
            }
        }
        OptionalDouble ratio = w.withBackup().p99Ratio(w.quiet());
        md.append("\np99 with a backup running ÷ p99 without: **")
                .append(ratio.isPresent() ? BackupReport.fmt(ratio.getAsDouble(), 2) : "n/a").append("**");
        if (backups > 1) {
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (CommitLatencies.Summary one : w.withBackups().perBackup()) {
                OptionalDouble r = one.p99Ratio(w.quiet());
                if (r.isPresent()) {
                    low = Math.min(low, r.getAsDouble());
                    high = Math.max(high, r.getAsDouble());
                }
            }
            if (low <= high) {
                md.append(" (pooled; single backups ").append(BackupReport.fmt(low, 2)).append("–")
                        .append(BackupReport.fmt(high, 2)).append(")");
            }
        }
        md.append(".\n\n");
        if (w.jit() != null) {
            md.append("JIT compilation while each backup ran (ms, the JVM's `CompilationMXBean`, all compiler threads "
                    + "added up; they run at the application's priority): ");
            if (!w.jit().warmUp().isEmpty()) {
                md.append("warm-up ").append(joinMillis(w.jit().warmUp())).append("; ");
            }
            md.append("measured ").append(joinMillis(w.jit().measured())).append(".\n\n");
        }
        md.append("By phase of the backups (start: checks, the start checkpoint and opening the files, until the "
                + "first progress report; copy: until every data file's bytes were reported; end: the WAL of the "
                + "backup, control file and manifest):\n\n");
        md.append("| phase | window s | commits | commits/s | p50 ms | p99 ms | p99.9 ms | max ms | commits > 10 ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BackupWindows.PhaseLatency p : w.withBackups().phases()) {
            latencyRow(md, p.phase().label, p.latency());
        }
        if (!w.withBackups().slowest().isEmpty()) {
            md.append("\nSlowest commits while a backup ran:\n\n| ms | backup | started at ms of it | phase |\n"
                    + "|---:|---:|---:|---|\n");
            for (BackupWindows.SlowCommit c : w.withBackups().slowest()) {
                md.append("| ").append(ms(c.latencyMillis())).append(" | ").append(c.backup()).append(" | ")
                        .append(BackupReport.fmt(c.offsetMillis(), 1)).append(" | ").append(c.phase().label)
                        .append(" |\n");
            }
        }
        md.append('\n');
        gcPauses(md, w.gc());
        md.append("| full backup (`Backups.full`) | s | MB | MB/s |\n|---|---:|---:|---:|\n");
        backupRow(md, "with no writers", w.backupQuiet());
        for (int b = 0; b < backups; b++) {
            backupRow(md, "while the writers ran" + (backups == 1 ? "" : ", " + (b + 1)), w.backupsUnderLoad().get(b));
        }
    }

    /** The garbage collector's pauses in each window, next to the latencies they can explain. */
    private static void gcPauses(StringBuilder md, OnlineResults.GcWindows gc) {
        if (gc == null) {
            md.append("GC pauses: not recorded (no garbage collector of this JVM sends notifications).\n\n");
            return;
        }
        md.append("Garbage collector (the JVM's `GarbageCollectorMXBean`s): ").append(String.join(", ",
                gc.collectors())).append(". Every collection during the part was recorded from the JVM's GC "
                + "notifications; one counts as a pause unless its collector's name contains \"")
                .append(GcEvent.CONCURRENT_MARKER).append("\" (ZGC's and Shenandoah's concurrent cycles, which run "
                + "beside the writers; their stops come from the \"Pauses\" beans). A pause counts in a window "
                + "when it overlaps it, with its whole duration (GcInfo, whole milliseconds, so sub-millisecond "
                + "pauses add 0). With G1 before JDK 20, its Remark and Cleanup pauses reach no bean and are "
                + "missing.\n\n");
        md.append("| run | GC pauses | GC pause ms | longest GC pause ms |\n|---|---:|---:|---:|\n");
        gcRow(md, "no backup", gc.quiet());
        gcRow(md, "full backups running", gc.withBackup());
        md.append('\n');
    }

    private static void gcRow(StringBuilder md, String run, GcPauses.Summary s) {
        md.append("| ").append(run)
                .append(" | ").append(String.format(Locale.ROOT, "%,d", s.pauses()))
                .append(" | ").append(String.format(Locale.ROOT, "%,d", s.totalMillis()))
                .append(" | ").append(String.format(Locale.ROOT, "%,d", s.longestMillis()))
                .append(" |\n");
    }

    private static void latencyRow(StringBuilder md, String run, CommitLatencies.Summary s) {
        md.append("| ").append(run)
                .append(" | ").append(BackupReport.fmt(s.windowSeconds(), 3))
                .append(" | ").append(String.format(Locale.ROOT, "%,d", s.commits()))
                .append(" | ").append(count(s.commitsPerSecond()))
                .append(" | ").append(ms(s.p50Millis()))
                .append(" | ").append(ms(s.p99Millis()))
                .append(" | ").append(ms(s.p999Millis()))
                .append(" | ").append(ms(s.maxMillis()))
                .append(" | ").append(String.format(Locale.ROOT, "%,d", s.slowCommits()))
                .append(" |\n");
    }

    private static void backupRow(StringBuilder md, String what, OnlineResults.BackupTiming b) {
        OptionalDouble rate = b.megabytesPerSecond();
        md.append("| ").append(what)
                .append(" | ").append(BackupReport.fmt(b.seconds(), 3))
                .append(" | ").append(BackupReport.fmt(b.bytes() / 1e6, 1))
                .append(" | ").append(rate.isPresent() ? count(rate.getAsDouble()) : "n/a")
                .append(" |\n");
    }

    private void increments(StringBuilder md) {
        md.append("\n### Incremental backup after changing a fraction of the pages\n\n");
        md.append("Each row: a full backup, the update of rows spread so that the target fraction of the heap and "
                + "index pages changes, a checkpoint (timed apart), then `Database.backup(dest, base)`, timed with "
                + "the `sync` after it. \"Read\" is the growth of `rchar` in `/proc/self/io` during the call: bytes "
                + "returned by `read()`/`pread()` system calls of the whole process, page cache hits included, pages "
                + "touched through a memory map not; \"read calls\" is `syscr`, the number of those calls (reading one "
                + "page's 8-byte LSN is one); \"storage read\" is `read_bytes` (what reached the disk: mapped pages "
                + "and the kernel's read-ahead around small reads included); \"written\" is `wchar`. Changed pages "
                + "are counted by `PageDiff` (CRC32C of every 4 KiB page before and after), independently of the "
                + "engine.\n\n");
        md.append("| cache | target | rows updated | pages changed | pages in the deltas | changed MB "
                + "| checkpoint s | increment s | % of full time | read MB | read ÷ changed | read calls "
                + "| storage read MB | written MB | increment MB | % of full bytes |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (OnlineResults.Increment r : online.increments) {
            OptionalDouble readRatio = r.readPerChanged();
            md.append("| ").append(r.mode().label())
                    .append(" | ").append(BackupReport.fmt(r.percent(), 2)).append('%')
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", r.rowsUpdated()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d of %,d (%s%%)", r.changedPages(),
                            r.totalPages(), BackupReport.fmt(100.0 * r.changedPages() / r.totalPages(), 2)))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", r.deltaPages()))
                    .append(" | ").append(mb3(r.changedBytes()))
                    .append(" | ").append(BackupReport.fmt(r.checkpointSeconds(), 3))
                    .append(" | ").append(BackupReport.fmt(r.seconds(), 3))
                    .append(" | ").append(percent(r.seconds(), r.fullSeconds()))
                    .append(" | ").append(r.io() == null ? "n/a" : mb3(r.io().rcharBytes()))
                    .append(" | ").append(readRatio.isPresent() ? BackupReport.fmt(readRatio.getAsDouble(), 3) + "x"
                            : "n/a")
                    .append(" | ").append(r.io() == null ? "n/a" : String.format(Locale.ROOT, "%,d",
                            r.io().readCalls()))
                    .append(" | ").append(r.io() == null ? "n/a" : mb3(r.io().readBytes()))
                    .append(" | ").append(r.io() == null ? "n/a" : mb3(r.io().wcharBytes()))
                    .append(" | ").append(mb3(r.incrementBytes()))
                    .append(" | ").append(percent(r.incrementBytes(), r.fullBytes()))
                    .append(" |\n");
        }
        md.append("\nThe full backups these increments are based on:\n\n");
        md.append("| cache | target | full backup s | MB | read MB | read calls | storage read MB | written MB |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (OnlineResults.Increment r : online.increments) {
            md.append("| ").append(r.mode().label())
                    .append(" | ").append(BackupReport.fmt(r.percent(), 2)).append('%')
                    .append(" | ").append(BackupReport.fmt(r.fullSeconds(), 3))
                    .append(" | ").append(BackupReport.fmt(r.fullBytes() / 1e6, 1))
                    .append(" | ").append(r.fullIo() == null ? "n/a" : mb1(r.fullIo().rcharBytes()))
                    .append(" | ").append(r.fullIo() == null ? "n/a" : String.format(Locale.ROOT, "%,d",
                            r.fullIo().readCalls()))
                    .append(" | ").append(r.fullIo() == null ? "n/a" : mb1(r.fullIo().readBytes()))
                    .append(" | ").append(r.fullIo() == null ? "n/a" : mb1(r.fullIo().wcharBytes()))
                    .append(" |\n");
        }
        md.append("\n| goal | cache | target | measured | met |\n|---|---|---:|---:|---|\n");
        for (OnlineResults.Increment r : online.increments) {
            OptionalDouble readRatio = r.readPerChanged();
            md.append("| increment reads ≤ ").append(BackupReport.fmt(GOAL_READ_PER_CHANGED, 1))
                    .append("x the changed bytes | ").append(r.mode().label())
                    .append(" | ").append(BackupReport.fmt(r.percent(), 2)).append('%')
                    .append(" | ").append(readRatio.isPresent() ? BackupReport.fmt(readRatio.getAsDouble(), 3) + "x"
                            : "n/a")
                    .append(" | ").append(readRatio.isEmpty() ? "n/a"
                            : readRatio.getAsDouble() <= GOAL_READ_PER_CHANGED ? "yes" : "**no**")
                    .append(" |\n");
        }
        md.append("\n`-Dpowdb.backup.checkTracker` was ").append(online.checkTracker).append(online.checkTracker
                ? ": every increment also scanned every page LSN through a memory map (not in \"read\", in "
                + "\"storage read\" when the cache was cold), so its time is not the normal one." : " (the default): "
                + "increments used the engine's change tracking alone.");
        if (!online.procIo) {
            md.append(" `/proc/self/io` could not be read, so there are no byte counts.");
        }
        md.append('\n');
    }

    private void replays(StringBuilder md) {
        md.append("\n### WAL replay (crash recovery)\n\n");
        md.append(String.format(Locale.ROOT, "After a full backup (whose checkpoint left %s MB of WAL files, "
                        + "counted below, nothing in them to redo) and with automatic checkpoints off, %,d "
                        + "transactions of %d operations (9 in 10 add 1 to a row's age by id, 1 in 10 insert a row) "
                        + "ran for %.1f s, then the process let go of the directory as if killed. Each row times "
                        + "`Database.openExisting` on a fresh `cp -a` copy: recovery replays the WAL from the last "
                        + "checkpoint (the redo of a point-in-time restore) and ends with a checkpoint. WAL MB is the "
                        + "sum of the `wal/*.wal` file sizes before opening; the workload ran until it had added "
                        + "%d MB to them (the \"workload\" columns).\n\n",
                BackupReport.fmt(online.replayWalBytesBefore / 1e6, 1), online.replayWorkloadTransactions,
                WalReplayBench.OPS_PER_TRANSACTION, online.replayWorkloadSeconds, options.walMb));
        md.append("| cache | WAL MB | workload WAL MB | segment files | WAL records | open with recovery s | WAL MB/s "
                + "| workload WAL MB/s | records/s | rows after recovery |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (OnlineResults.Replay r : online.replays) {
            OptionalDouble rate = r.walMegabytesPerSecond();
            long workloadBytes = r.walBytes() - online.replayWalBytesBefore;
            OptionalDouble workloadRate = r.megabytesPerSecond(workloadBytes);
            md.append("| ").append(r.mode().label())
                    .append(" | ").append(mb1(r.walBytes()))
                    .append(" | ").append(mb1(workloadBytes))
                    .append(" | ").append(r.walFiles())
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", r.records()))
                    .append(" | ").append(BackupReport.fmt(r.openSeconds(), 3))
                    .append(" | ").append(rate.isPresent() ? count(rate.getAsDouble()) : "n/a")
                    .append(" | ").append(workloadRate.isPresent() ? count(workloadRate.getAsDouble()) : "n/a")
                    .append(" | ").append(r.openSeconds() > 0 ? count(r.records() / r.openSeconds()) : "n/a")
                    .append(" | ").append(r.rowsMatch() ? "as committed" : "**differ**")
                    .append(" |\n");
        }
    }

    private static String ms(double millis) {
        return Double.isNaN(millis) ? "n/a" : BackupReport.fmt(millis, 3);
    }

    private static String count(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String mb1(long bytes) {
        return BackupReport.fmt(bytes / 1e6, 1);
    }

    private static String mb3(long bytes) {
        return BackupReport.fmt(bytes / 1e6, 3);
    }

    private static String percent(double part, double whole) {
        return whole > 0 ? BackupReport.fmt(100 * part / whole, 2) + "%" : "n/a";
    }
}
