package dev.powdb.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Side-by-side storage benchmark: generates the rows once, then runs the {@link Workload}s on each engine in
 * turn, {@code --repeat} times (engines take turns so slow phases of a shared machine hit all of them), each run in
 * its own fresh directory {@code DIR/<engine>/run<k>}, and prints a table of median ops/s with PowDB/peer ratios.
 * A Markdown copy, with every run's numbers, goes to {@code --results}.
 *
 * <p>Every workload's answer is checked against {@link BenchData}'s expectations; a wrong answer is reported as
 * WRONG and never compared. Exit code: 0 when everything ran and was right, 1 otherwise, 2 for a usage error.
 */
public final class StorageBench {

    private StorageBench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmark; returns the process exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            err.println("Error: " + e.getMessage());
            err.println("Run with --help for usage.");
            return 2;
        }
        if (options.help) {
            out.println(BenchOptions.USAGE);
            return 0;
        }
        try {
            WorkDir.reset(options.dir);
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
        String command = System.getProperty("powdb.bench.command",
                "java -jar powdb-bench.jar " + String.join(" ", args)).strip();
        Map<String, String> machine = MachineInfo.collect(options.dir);
        out.println("PowDB storage benchmark: " + command);
        machine.forEach((k, v) -> out.println("  " + k + ": " + v));

        long t0 = System.nanoTime();
        BenchData data = new BenchData(options.rows, options.lookups, options.updates, options.seed);
        out.printf(Locale.ROOT, "generated %,d rows in %.1f s%n", options.rows, (System.nanoTime() - t0) / 1e9);

        machine.put("load average at start", MachineInfo.loadAverage());
        out.println("  load average at start: " + machine.get("load average at start"));
        List<EngineRuns> engines = new ArrayList<>();
        for (String name : options.engines) {
            engines.add(new EngineRuns(newEngine(name).name()));
        }
        for (int run = 1; run <= options.repeat; run++) {
            for (int e = 0; e < engines.size(); e++) {
                BenchEngine engine = newEngine(options.engines.get(e));
                Path dir = options.dir.resolve(options.engines.get(e)).resolve("run" + run);
                out.println();
                out.println("== " + engine.name() + " run " + run + " of " + options.repeat + " in " + dir);
                engines.get(e).runs.add(runEngine(engine, dir, data, options, out, err));
            }
        }
        machine.put("load average at end", MachineInfo.loadAverage());
        out.println();
        out.println("load average at end: " + machine.get("load average at end"));

        Report report = new Report(options, command, machine, engines);
        out.println();
        out.print(report.consoleTable());
        try {
            Path parent = options.results.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(options.results, report.markdown());
            out.println("results written to " + options.results);
        } catch (IOException e) {
            err.println("Error: could not write " + options.results + ": " + e.getMessage());
            return 1;
        }
        return allValid(engines, options) ? 0 : 1;
    }

    static BenchEngine newEngine(String name) {
        switch (name) {
            case "powdb": return new PowDbEngine();
            case "sqlite": return new SqliteEngine();
            case "h2": return new H2Engine();
            default: throw new IllegalArgumentException("unknown engine " + name);
        }
    }

    private static boolean allValid(List<EngineRuns> engines, BenchOptions options) {
        for (EngineRuns e : engines) {
            for (EngineResult r : e.runs) {
                if (!r.otherProblems.isEmpty()) {
                    return false;
                }
            }
            for (Workload w : options.workloads) {
                if (!e.allValid(w)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Runs every workload on one engine; a failure ends that engine's run and is recorded, never thrown. */
    private static EngineResult runEngine(BenchEngine engine, Path dir, BenchData data, BenchOptions options,
                                          PrintStream out, PrintStream err) {
        EngineResult result = new EngineResult(engine.name());
        Workload current = null;
        try {
            Files.createDirectories(dir);
            engine.open(dir, options);
            result.description = engine.describe();
            out.println("  " + result.description);

            current = Workload.BULK_LOAD;
            long start = startTimer();
            engine.bulkLoad(data);
            record(result, current, Measurement.ok(data.rows, System.nanoTime() - start), out);
            result.bytesAfterLoad = WorkDir.sizeBytes(dir);

            if (options.runs(Workload.DURABLE_INSERTS)) {
                current = Workload.DURABLE_INSERTS;
                engine.prepareDurableInserts();
                start = startTimer();
                engine.durableInserts(data, options.fsyncInserts);
                record(result, current, Measurement.ok(options.fsyncInserts, System.nanoTime() - start), out);
                engine.finishDurableInserts();
            }

            if (options.runs(Workload.LOOKUP)) {
                current = Workload.LOOKUP;
                record(result, current, timeLookups(engine, data), out);
            }

            if (options.runs(Workload.SCAN)) {
                current = Workload.SCAN;
                record(result, current, timeScans(engine, data, options.scans), out);
            }

            boolean updated = options.runs(Workload.UPDATE);
            if (updated) {
                current = Workload.UPDATE;
                start = startTimer();
                engine.updateAgeByKey(data.updateIds, options.updateBatch);
                long nanos = System.nanoTime() - start;
                long ageSum = engine.sumAge();
                record(result, current, ageSum == data.expectedAgeSumAfterUpdates
                        ? Measurement.ok(data.updateIds.length, nanos)
                        : Measurement.wrong(data.updateIds.length, nanos, "sum(age) after updates is " + ageSum
                        + ", expected " + data.expectedAgeSumAfterUpdates), out);
            }

            if (options.runs(Workload.QUERY_LOOKUP)) {
                current = Workload.QUERY_LOOKUP;
                record(result, current, timeQueryLookups(engine, data, updated), out);
            }

            if (options.runs(Workload.QUERY_COUNT)) {
                current = Workload.QUERY_COUNT;
                record(result, current, timeQueryCounts(engine, data, options.scans, updated), out);
            }
        } catch (Exception | AssertionError e) {
            String what = e.toString();
            if (current == null) {
                result.otherProblems.add("open failed: " + what);
            } else {
                result.measurements.put(current, Measurement.failed("FAILED: " + what));
            }
            out.println("  " + (current == null ? "open" : current.label) + " FAILED: " + what);
            e.printStackTrace(err);
        } finally {
            closeQuietly(engine, result, out, err);
        }
        try {
            result.bytesAfterClose = WorkDir.sizeBytes(dir);
        } catch (IOException e) {
            result.otherProblems.add("could not measure directory size: " + e);
        }
        return result;
    }

    private static Measurement timeLookups(BenchEngine engine, BenchData data) throws Exception {
        long warm = engine.lookup(data.lookupIds);
        long start = startTimer();
        long checksum = engine.lookup(data.lookupIds);
        long nanos = System.nanoTime() - start;
        if (warm != data.expectedLookupChecksum || checksum != data.expectedLookupChecksum) {
            return Measurement.wrong(data.lookupIds.length, nanos, "lookup checksum " + warm + "/" + checksum
                    + ", expected " + data.expectedLookupChecksum);
        }
        return Measurement.ok(data.lookupIds.length, nanos);
    }

    private static Measurement timeScans(BenchEngine engine, BenchData data, int scans) throws Exception {
        long start = startTimer();
        long wrongCount = -1;
        for (int i = 0; i < scans; i++) {
            long n = engine.countAge(BenchData.SCAN_AGE);
            if (n != data.expectedScanCount) {
                wrongCount = n;
            }
        }
        long nanos = System.nanoTime() - start;
        if (wrongCount >= 0) {
            return Measurement.wrong(scans, nanos, "count(age = " + BenchData.SCAN_AGE + ") returned "
                    + wrongCount + ", expected " + data.expectedScanCount);
        }
        return Measurement.ok(scans, nanos);
    }

    /** Workload 6; the expected checksum depends on whether workload 5 changed the ages before it. */
    private static Measurement timeQueryLookups(BenchEngine engine, BenchData data, boolean updated)
            throws Exception {
        long expected = updated ? data.expectedLookupChecksumAfterUpdates : data.expectedLookupChecksum;
        long warm = engine.queryLookup(data.lookupIds);
        long start = startTimer();
        long checksum = engine.queryLookup(data.lookupIds);
        long nanos = System.nanoTime() - start;
        if (warm != expected || checksum != expected) {
            return Measurement.wrong(data.lookupIds.length, nanos, "query lookup checksum " + warm + "/" + checksum
                    + ", expected " + expected);
        }
        return Measurement.ok(data.lookupIds.length, nanos);
    }

    /** Workload 7; like {@link #timeScans} but through the query language, after workload 5 if it ran. */
    private static Measurement timeQueryCounts(BenchEngine engine, BenchData data, int counts, boolean updated)
            throws Exception {
        long expected = updated ? data.expectedScanCountAfterUpdates : data.expectedScanCount;
        long start = startTimer();
        long wrongCount = -1;
        for (int i = 0; i < counts; i++) {
            long n = engine.queryCountAge(BenchData.SCAN_AGE);
            if (n != expected) {
                wrongCount = n;
            }
        }
        long nanos = System.nanoTime() - start;
        if (wrongCount >= 0) {
            return Measurement.wrong(counts, nanos, "query count(age = " + BenchData.SCAN_AGE + ") returned "
                    + wrongCount + ", expected " + expected);
        }
        return Measurement.ok(counts, nanos);
    }

    /** Collects the previous workload's garbage outside the measurement, then starts the clock. */
    private static long startTimer() {
        System.gc();
        return System.nanoTime();
    }

    private static void record(EngineResult result, Workload w, Measurement m, PrintStream out) {
        result.measurements.put(w, m);
        out.printf(Locale.ROOT, "  %-32s %,12d %-8s in %8.3f s  %,14.1f ops/s%s%n", w.label, m.ops, w.unit,
                m.seconds(), m.opsPerSecond(), m.problem == null ? "" : "  " + m.problem);
    }

    private static void closeQuietly(BenchEngine engine, EngineResult result, PrintStream out, PrintStream err) {
        try {
            engine.close();
        } catch (Exception | AssertionError e) {
            result.otherProblems.add("close failed: " + e);
            out.println("  close FAILED: " + e);
            e.printStackTrace(err);
        }
    }
}
