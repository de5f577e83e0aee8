package dev.powdb.bench.backup;

import dev.powdb.bench.MachineInfo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The backup benchmark's {@code main}. For each target size the rows are generated (same sequence as the storage
 * benchmark), and each system in turn is loaded into a fresh directory, measured {@code --runs} times in every cache
 * mode, closed and deleted before the next one starts, so at most one system's data is on disk at a time.
 *
 * <p>One measurement, in order: full backup, the system's own deep check, {@code b3sum} over the backup's files,
 * restore (checked by opening the result and comparing row count and age sum), and for systems with increments: the
 * change of about {@code --change-percent} percent of the pages, the incremental backup and a restore of full plus
 * increment (checked the same way). Before every timed step the page cache is dropped (cold) or the step's input is
 * read once (warm); after every step that writes, {@code sync} runs inside the time.
 *
 * <p>That is the {@code compare} part. {@code --parts} adds the online parts ({@link OnlineBench}: writer latency
 * during a backup, increments after 0.1–10% changes, WAL replay), which run after it on a database of their own.
 *
 * <p>Exit code 0 when every step of every system ran and checked out, 1 when something failed (the report lists
 * it), 2 for a bad command line.
 */
public final class BackupBench {
    private final BackupBenchOptions options;
    private final PrintStream out;
    private final Results results = new Results();
    private final List<String> probeReports = new ArrayList<>();
    private final OnlineResults online = new OnlineResults();

    private BackupBench(BackupBenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        BackupBenchOptions options;
        try {
            options = BackupBenchOptions.parse(args);
            if (options.help) {
                out.println(BackupBenchOptions.USAGE);
                return 0;
            }
            options.resolveCache(Disk.canDropCaches());
        } catch (BackupBenchOptions.UsageException e) {
            err.println("Error: " + e.getMessage());
            err.println("Run with --help for the options.");
            return 2;
        }
        try {
            return new BackupBench(options, out).runAll();
        } catch (Exception e) {
            err.println("Error: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private int runAll() throws Exception {
        Disk.resetWorkDir(options.dir);
        String loadBefore = MachineInfo.loadAverage();
        boolean compare = options.parts.contains(BenchPart.COMPARE);
        for (int sizeMb : compare ? options.sizesMb : List.<Integer>of()) {
            runSize(sizeMb);
        }
        boolean anyOnline = options.parts.stream().anyMatch(BenchPart::online);
        if (anyOnline) {
            try {
                new OnlineBench(options, results, online, out).run();
            } catch (Exception | Error e) {
                results.failure("online parts: " + e);
                log("FAILED online parts: %s", e);
                e.printStackTrace(out);
            }
        }
        if (compare && options.probes) {
            Path probeDir = options.dir.resolve("blake3-probe");
            Files.createDirectories(probeDir);
            probeReports.add(Blake3Probe.run(options.probeMib, probeDir, options.probeBouncyCastleJar, out));
            Disk.deleteTree(probeDir);
        }
        String report = new BackupReport(options, results, MachineInfo.collect(options.dir), probeReports,
                loadBefore, MachineInfo.loadAverage())
                .withOnline(anyOnline ? new OnlineReport(options, online).markdown() : "").markdown();
        Files.createDirectories(options.results.toAbsolutePath().getParent());
        Files.writeString(options.results, report);
        out.println();
        out.println(report);
        out.println("Results written to " + options.results.toAbsolutePath());
        return results.failures().isEmpty() ? 0 : 1;
    }

    private void runSize(int sizeMb) throws Exception {
        long rows = BackupBenchOptions.rowsFor(sizeMb);
        results.rows(sizeMb, rows);
        long needed = 7L * sizeMb * 1_000_000;
        long free = Disk.usableBytes(options.dir);
        if (free < needed) {
            throw new IOException("size " + sizeMb + " MB needs about " + needed / 1_000_000 + " MB free in "
                    + options.dir.toAbsolutePath() + ", only " + free / 1_000_000 + " MB are");
        }
        log("== size %d MB: %,d rows (seed %d), %d MB free", sizeMb, rows, options.seed, free / 1_000_000);
        long ageSum = RowSource.ageSum(rows, options.seed);
        for (String name : options.systems) {
            Path systemDir = options.dir.resolve(sizeMb + "mb").resolve(name);
            try (BackupSystem system = create(name)) {
                runSystem(sizeMb, rows, ageSum, system, systemDir);
            } catch (Exception | Error e) {
                String message = sizeMb + " MB, " + name + ": " + e;
                results.failure(message);
                log("FAILED %s", message);
                e.printStackTrace(out);
            } finally {
                Disk.deleteTree(systemDir);
            }
        }
        Disk.deleteTree(options.dir.resolve(sizeMb + "mb"));
    }

    static BackupSystem create(String name) {
        return switch (name) {
            case "powdb" -> new PowDbSystem();
            case "cp" -> new CpSystem();
            case "sqlite" -> new SqliteSystem();
            case "rocksdb" -> new RocksDbSystem();
            case "h2" -> new H2System();
            default -> throw new IllegalArgumentException("unknown system " + name);
        };
    }

    private void runSystem(int sizeMb, long rows, long ageSum, BackupSystem system, Path systemDir)
            throws Exception {
        Path data = systemDir.resolve("data");
        Files.createDirectories(data);
        long t0 = System.nanoTime();
        system.load(data, new RowSource(rows, options.seed));
        double loadSeconds = seconds(t0);
        Disk.syncAll();
        long dirBytes = Disk.sizeBytes(data);
        results.describe(system.name(), system.describe());
        log("%s: loaded %,d rows in %.1f s, data directory %s, source of a backup %s", system.name(), rows,
                loadSeconds, mb(dirBytes), mb(system.sourceBytes()));
        Expected expected = new Expected(rows, ageSum);
        for (int run = 1; run <= options.runs; run++) {
            for (CacheMode mode : options.cache) {
                results.add(sizeMb, system.name(), mode, Metric.LOAD_SECONDS, loadSeconds);
                results.add(sizeMb, system.name(), mode, Metric.DATA_BYTES, system.sourceBytes());
                results.add(sizeMb, system.name(), mode, Metric.DIR_BYTES, Disk.sizeBytes(data));
                new Measurement(sizeMb, system, mode, run, systemDir, expected).run();
            }
        }
        if (options.probes && system instanceof PowDbSystem) {
            for (CacheMode mode : options.cache) {
                probeReports.add(PhaseProbe.run(sizeMb, data, systemDir.resolve("phase-probe"), mode, out));
            }
        }
    }

    /** Row count and age sum the next restore must show; the age sum grows with every change. */
    private static final class Expected {
        final long rows;
        long ageSum;

        Expected(long rows, long ageSum) {
            this.rows = rows;
            this.ageSum = ageSum;
        }
    }

    /** One full measurement of one system in one cache mode. */
    private final class Measurement {
        private final int sizeMb;
        private final BackupSystem system;
        private final CacheMode mode;
        private final int run;
        private final Path dir;
        private final Expected expected;

        Measurement(int sizeMb, BackupSystem system, CacheMode mode, int run, Path dir, Expected expected) {
            this.sizeMb = sizeMb;
            this.system = system;
            this.mode = mode;
            this.run = run;
            this.dir = dir;
            this.expected = expected;
        }

        void run() throws Exception {
            Path data = system.dataDir();
            Path full = dir.resolve("full");
            Path restored = dir.resolve("restored");
            Path increment = dir.resolve("increment");
            Path chain = dir.resolve("restored-chain");
            try {
                double[] t = timed(List.of(data), () -> system.fullBackup(full), true);
                record(Metric.FULL_SECONDS, t[0]);
                record(Metric.FULL_SYNC_SECONDS, t[1]);
                long fullBytes = Disk.sizeBytes(full);
                record(Metric.FULL_BYTES, fullBytes);
                step("full backup", t, fullBytes);
                if (system.verifyMethod() != null) {
                    t = timed(List.of(full), () -> system.verify(full), false);
                    record(Metric.VERIFY_SECONDS, t[0]);
                    step("deep verify", t, -1);
                }
                t = timed(List.of(full), () -> b3sum(full), false);
                record(Metric.B3SUM_SECONDS, t[0]);
                step("b3sum of backup", t, -1);
                t = timed(List.of(full), () -> system.restore(full, restored), true);
                record(Metric.RESTORE_SECONDS, t[0]);
                record(Metric.RESTORE_SYNC_SECONDS, t[1]);
                step("restore", t, Disk.sizeBytes(restored));
                checkRestored(restored, "restore");
                Disk.deleteTree(restored);
                if (system.supportsIncremental()) {
                    incremental(data, full, increment, chain);
                }
            } finally {
                for (Path p : List.of(full, restored, increment, chain)) {
                    Disk.deleteTree(p);
                }
            }
        }

        private void incremental(Path data, Path full, Path increment, Path chain) throws Exception {
            PageDiff before = system.pageBytes() > 0
                    ? PageDiff.snapshot(data, system.pageBytes(), BackupBench::isPagedFile) : null;
            // The same ids on every system: the percentage of PowDB's pages, estimated from the row count.
            long estimatedPages = Math.round(expected.rows * BackupBenchOptions.POWDB_BYTES_PER_ROW
                    / PowDbLoad.PAGE_BYTES);
            int updates = ChangePlan.updatesFor(estimatedPages, options.changePercent, expected.rows);
            long[] ids = ChangePlan.spreadIds(expected.rows, updates);
            system.change(ids);
            expected.ageSum += ids.length;
            record(Metric.CHANGED_ROWS, ids.length);
            long[] incBytes = new long[1];
            double[] t = timed(List.of(data), () -> incBytes[0] = system.incrementalBackup(full, increment), true);
            record(Metric.INC_SECONDS, t[0]);
            record(Metric.INC_BYTES, incBytes[0]);
            step("incremental (" + ids.length + " rows changed)", t, incBytes[0]);
            if (before != null) {
                PageDiff after = PageDiff.snapshot(data, system.pageBytes(), BackupBench::isPagedFile);
                long changed = before.changedPages(after);
                record(Metric.CHANGED_PAGES, changed);
                record(Metric.TOTAL_PAGES, after.totalPages());
                log("   %s: %,d of %,d pages of the data files changed (%.2f%%)", system.name(), changed,
                        after.totalPages(), 100.0 * changed / after.totalPages());
            }
            t = timed(List.of(full, increment), () -> system.restoreChain(full, increment, chain), true);
            record(Metric.CHAIN_RESTORE_SECONDS, t[0]);
            step("restore full + increment", t, Disk.sizeBytes(chain));
            checkRestored(chain, "restore of full + increment");
        }

        private void checkRestored(Path restored, String what) throws Exception {
            long[] got = system.countAndAgeSum(restored);
            if (got[0] != expected.rows || got[1] != expected.ageSum) {
                throw new IllegalStateException(system.name() + " " + what + ": " + got[0] + " rows with age sum "
                        + got[1] + ", expected " + expected.rows + " rows with age sum " + expected.ageSum);
            }
        }

        private void record(Metric metric, double value) {
            results.add(sizeMb, system.name(), mode, metric, value);
        }

        private void step(String what, double[] t, long bytes) {
            log("   %s %s run %d: %-22s %8.3f s%s%s", system.name(), mode.label(), run, what, t[0],
                    t[1] > 0 ? String.format(Locale.ROOT, " (sync %.3f s)", t[1]) : "",
                    bytes >= 0 ? ", " + mb(bytes) : "");
        }

        /**
         * Waits {@code --settle-seconds} before a step that writes, prepares the cache, runs the step, then (when
         * asked) {@code sync}; returns {total, sync} seconds.
         */
        private double[] timed(List<Path> inputs, Step step, boolean syncAfter) throws Exception {
            if (syncAfter && options.settleSeconds > 0) {
                Disk.syncAll();
                Thread.sleep(options.settleSeconds * 1000L);
            }
            if (mode == CacheMode.COLD) {
                Disk.dropCaches();
            } else {
                Disk.syncAll();
                Disk.warm(inputs);
            }
            long start = System.nanoTime();
            step.run();
            long stepped = System.nanoTime();
            if (syncAfter) {
                Disk.syncAll();
            }
            long end = System.nanoTime();
            return new double[] {(end - start) / 1e9, syncAfter ? (end - stepped) / 1e9 : 0};
        }
    }

    /** A timed step. */
    private interface Step {
        void run() throws Exception;
    }

    /** Heap and index files: the paged files whose changed pages an increment stores. */
    static boolean isPagedFile(String name) {
        return name.endsWith(".heap") || name.endsWith(".idx");
    }

    private static void b3sum(Path backup) throws IOException {
        List<String> command = new ArrayList<>(List.of("b3sum", "--no-names"));
        for (Path file : Disk.regularFiles(backup)) {
            command.add(file.toString());
        }
        Disk.run(command);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private void log(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
