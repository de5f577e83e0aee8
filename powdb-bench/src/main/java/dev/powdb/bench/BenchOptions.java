package dev.powdb.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Command-line options of {@link StorageBench}, validated as a whole before anything touches the disk.
 *
 * <p>Every count is the number of operations of that workload; sizes are row counts.
 */
final class BenchOptions {
    /** Engines in the order they run by default. */
    static final List<String> ALL_ENGINES = List.of("powdb", "sqlite", "h2");

    static final String USAGE = String.join("\n",
            "Usage: run-storage-bench.sh [options]   (or java -jar powdb-bench.jar [options])",
            "",
            "Runs the same workloads on PowDB, SQLite (JDBC) and H2 and prints ops/s with PowDB/peer ratios.",
            "",
            "  --rows N            rows in the main table (default 1000000)",
            "  --fsync-inserts N   single-row durable transactions in workload 2 (default 2000)",
            "  --lookups N         point lookups by id in workloads 3 and 6 (default 200000)",
            "  --scans N           full filtered scans (count age = 42) in workloads 4 and 7 (default 10)",
            "  --updates N         updates by id in workload 5 (default 50000)",
            "  --update-batch N    updates per transaction in workload 5 (default 1000)",
            "  --repeat N          runs of the whole suite; engines take turns, medians are reported (default 3)",
            "  --seed N            seed of the generated rows and keys (default 42)",
            "  --engines LIST      comma-separated subset of powdb,sqlite,h2 (default all, in that order)",
            "  --workloads LIST    comma-separated workload numbers to run, e.g. 1,6,7 (default 1-7; 1, the",
            "                      bulk load, always runs: the others read its data)",
            "  --dir DIR           work directory, deleted and recreated per run (default ./bench-work)",
            "  --results FILE      Markdown results file (default DIR/storage-results.md)",
            "  --cache-mib N       page cache per engine in MiB (default 256)",
            "  -h, --help          this text",
            "",
            "DIR is only deleted when it is empty or was created by this benchmark (it holds "
                    + WorkDir.MARKER + ").");

    int rows = 1_000_000;
    int fsyncInserts = 2_000;
    int lookups = 200_000;
    int scans = 10;
    int updates = 50_000;
    int updateBatch = 1_000;
    int repeat = 3;
    long seed = 42;
    List<String> engines = ALL_ENGINES;
    /** Workloads to run, in run order; always contains {@link Workload#BULK_LOAD}. */
    Set<Workload> workloads = EnumSet.allOf(Workload.class);
    Path dir = Path.of("bench-work");
    Path results;
    int cacheMib = 256;
    boolean help;

    /** Thrown for a bad command line; the message says what is wrong. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses and validates {@code args}.
     *
     * @throws UsageException naming the first bad option
     */
    static BenchOptions parse(String[] args) throws UsageException {
        BenchOptions o = new BenchOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                o.help = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new UsageException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--rows": o.rows = positiveInt(a, v); break;
                case "--fsync-inserts": o.fsyncInserts = positiveInt(a, v); break;
                case "--lookups": o.lookups = positiveInt(a, v); break;
                case "--scans": o.scans = positiveInt(a, v); break;
                case "--updates": o.updates = positiveInt(a, v); break;
                case "--update-batch": o.updateBatch = positiveInt(a, v); break;
                case "--repeat": o.repeat = positiveInt(a, v); break;
                case "--seed": o.seed = parseLong(a, v); break;
                case "--engines": o.engines = parseEngines(v); break;
                case "--workloads": o.workloads = parseWorkloads(v); break;
                case "--dir": o.dir = Path.of(v); break;
                case "--results": o.results = Path.of(v); break;
                case "--cache-mib": o.cacheMib = positiveInt(a, v); break;
                default: throw new UsageException("unknown option " + a);
            }
        }
        if (o.fsyncInserts > o.rows) {
            throw new UsageException("--fsync-inserts (" + o.fsyncInserts + ") must not exceed --rows ("
                    + o.rows + "): workload 2 reuses the first rows");
        }
        if (o.results == null) {
            o.results = o.dir.resolve("storage-results.md");
        }
        return o;
    }

    private static int positiveInt(String option, String value) throws UsageException {
        long n = parseLong(option, value);
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new UsageException(option + " must be between 1 and " + Integer.MAX_VALUE + ", got " + value);
        }
        return (int) n;
    }

    private static long parseLong(String option, String value) throws UsageException {
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " expects a whole number, got '" + value + "'");
        }
    }

    private static Set<Workload> parseWorkloads(String value) throws UsageException {
        Set<Workload> chosen = EnumSet.of(Workload.BULK_LOAD);
        Workload[] all = Workload.values();
        for (String part : value.split(",")) {
            String p = part.trim();
            int n;
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > all.length) {
                throw new UsageException("unknown workload '" + p + "': use numbers 1 to " + all.length);
            }
            chosen.add(all[n - 1]);
        }
        return chosen;
    }

    /** Whether workload {@code w} is to run. */
    boolean runs(Workload w) {
        return workloads.contains(w);
    }

    private static List<String> parseEngines(String value) throws UsageException {
        Set<String> chosen = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (!ALL_ENGINES.contains(name)) {
                throw new UsageException("unknown engine '" + part.trim() + "': use " + String.join(",",
                        ALL_ENGINES));
            }
            chosen.add(name);
        }
        if (chosen.isEmpty()) {
            throw new UsageException("--engines needs at least one engine");
        }
        return new ArrayList<>(chosen);
    }
}
