package dev.powdb.bench.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Command line of {@link BackupBench}, validated as a whole before anything touches the disk. */
final class BackupBenchOptions {
    /** Systems in their default run order. */
    static final List<String> ALL_SYSTEMS = List.of("powdb", "cp", "sqlite", "rocksdb", "h2");
    /**
     * Bytes of PowDB data files (heap, index, catalog, control; the WAL directory not counted) per row of this
     * shape, measured (721,501 rows: 95.3 MB after the load's checkpoint); turns a target size into a row count.
     */
    static final double POWDB_BYTES_PER_ROW = 132.1;

    static final String USAGE = String.join("\n",
            "Usage: run-backup-bench.sh [options]   (or java -cp powdb-bench.jar dev.powdb.bench.backup.BackupBench)",
            "",
            "Full backup, deep verify, restore and a 1%-of-pages incremental on PowDB, next to cp -r + sync,",
            "SQLite `backup to`, RocksDB BackupEngine and H2 `BACKUP TO`, on the storage benchmark's rows.",
            "",
            "  --parts LIST          comma-separated parts to run (default compare):",
            "                          compare     the comparison above, at every --sizes",
            "                          writers     commit latency of --writers threads, alone and while a full",
            "                                      backup runs in the same process",
            "                          increments  incremental backups after changing --increment-percents of the",
            "                                      pages: time, bytes read (/proc/self/io) and written",
            "                          replay      opening a crashed copy with --wal-mb of WAL to replay",
            "                          online      writers,increments,replay",
            "                        the online parts share one PowDB database of --online-size MB",
            "  --sizes LIST          target sizes of PowDB's data files in MB (10^6 B), comma-separated;",
            "                        the row count is size / " + POWDB_BYTES_PER_ROW + " B (default 100,1000)",
            "  --runs N              repetitions per system, size and cache mode; medians reported (default 3)",
            "  --systems LIST        comma-separated subset of " + String.join(",", ALL_SYSTEMS) + " (default all)",
            "  --cache LIST          cold and/or warm (default: both when the page cache can be dropped, i.e.",
            "                        running as root, else warm)",
            "  --change-percent P    pages to change before the incremental, in percent (default 1)",
            "  --settle-seconds N    before each timed step that writes, sync and wait N seconds so a virtual",
            "                        disk's write budget refills (default 0: steps follow each other)",
            "  --seed N              seed of the generated rows (default 42)",
            "  --dir DIR             work directory, emptied at the start (default ./bench-work/backup)",
            "  --results FILE        Markdown results (default DIR/backup-results.md)",
            "  --no-probes           skip the PowDB phase probe and the BLAKE3 probe (both belong to compare)",
            "  --probe-mib N         buffer of the BLAKE3 probe in MiB (default 1024)",
            "  --probe-bc-jar FILE   another bcprov jar whose Blake3Digest the probe measures too (the script",
            "                        passes BouncyCastle 1.87, fetched with Maven)",
            "",
            "Online parts (PowDB only; the writers part runs warm, the others in every --cache mode):",
            "  --online-size MB      target size of their database (default 1000)",
            "  --writers N           writer threads, one small transaction per commit (default 2)",
            "  --writer-rate N       commits per second per writer, latency measured from each commit's",
            "                        scheduled start; 0: each writer commits as fast as it can (default 0)",
            "  --writer-seconds N    measured seconds of the run without a backup (default 30)",
            "  --writer-backups N    full backups taken one after another (2 s apart) while the writers",
            "                        run; their commits are pooled (default 5)",
            "  --writer-warmup-backups N  unmeasured full backups taken while the writers run, before",
            "                        those (default 3; the JIT compiles the backup's code meanwhile)",
            "  --warmup-seconds N    seconds writers run unmeasured before each measurement (default 5)",
            "  --increment-percents LIST  percentages of the pages changed before each increment",
            "                        (default 0.1,1,10)",
            "  --wal-mb N            WAL to produce, without checkpoints, before the simulated crash (default 200)",
            "  -h, --help            this text",
            "",
            "DIR is only emptied when it is empty or was created by this benchmark (it holds " + Disk.MARKER + ").");

    List<Integer> sizesMb = List.of(100, 1000);
    int runs = 3;
    List<String> systems = ALL_SYSTEMS;
    /** Null until {@link #resolveCache} decides from the machine. */
    List<CacheMode> cache;
    double changePercent = 1.0;
    long seed = 42;
    int settleSeconds = 0;
    Path dir = Path.of("bench-work", "backup");
    Path results;
    boolean probes = true;
    int probeMib = 1024;
    Path probeBouncyCastleJar;
    boolean help;
    /** Parts to run, in {@link BenchPart} order. */
    Set<BenchPart> parts = EnumSet.of(BenchPart.COMPARE);
    int onlineSizeMb = 1000;
    int writers = 2;
    /** Intended commits per second per writer; 0 for closed-loop writers. */
    int writerRate = 0;
    int writerSeconds = 30;
    int writerBackups = 5;
    int writerWarmupBackups = 3;
    int warmupSeconds = 5;
    List<Double> incrementPercents = List.of(0.1, 1.0, 10.0);
    int walMb = 200;

    /** Thrown for a bad command line; the message names the problem. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static BackupBenchOptions parse(String[] args) throws UsageException {
        BackupBenchOptions o = new BackupBenchOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                o.help = true;
                continue;
            }
            if (a.equals("--no-probes")) {
                o.probes = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new UsageException(a.startsWith("--") ? a + " needs a value" : "unknown argument " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--sizes" -> o.sizesMb = parseSizes(v);
                case "--runs" -> o.runs = positiveInt(a, v, 1000);
                case "--systems" -> o.systems = parseSystems(v);
                case "--cache" -> o.cache = parseCache(v);
                case "--change-percent" -> o.changePercent = parsePercent(a, v);
                case "--seed" -> o.seed = parseLong(a, v);
                case "--settle-seconds" -> o.settleSeconds = nonNegativeInt(a, v, 3600);
                case "--dir" -> o.dir = Path.of(v);
                case "--results" -> o.results = Path.of(v);
                case "--probe-mib" -> o.probeMib = positiveInt(a, v, 1536);
                case "--probe-bc-jar" -> o.probeBouncyCastleJar = Path.of(v);
                case "--parts" -> o.parts = parseParts(v);
                case "--online-size" -> o.onlineSizeMb = positiveInt(a, v, 100_000);
                case "--writers" -> o.writers = positiveInt(a, v, 64);
                case "--writer-rate" -> o.writerRate = nonNegativeInt(a, v, 1_000_000);
                case "--writer-seconds" -> o.writerSeconds = positiveInt(a, v, 3600);
                case "--writer-backups" -> o.writerBackups = positiveInt(a, v, 100);
                case "--writer-warmup-backups" -> o.writerWarmupBackups = nonNegativeInt(a, v, 100);
                case "--warmup-seconds" -> o.warmupSeconds = nonNegativeInt(a, v, 600);
                case "--increment-percents" -> o.incrementPercents = parsePercents(a, v);
                case "--wal-mb" -> o.walMb = positiveInt(a, v, 100_000);
                default -> throw new UsageException("unknown option " + a);
            }
        }
        if (o.results == null) {
            o.results = o.dir.resolve("backup-results.md");
        }
        return o;
    }

    /** Fills in the default cache modes once it is known whether the page cache can be dropped. */
    void resolveCache(boolean canDrop) throws UsageException {
        if (cache == null) {
            cache = canDrop ? List.of(CacheMode.COLD, CacheMode.WARM) : List.of(CacheMode.WARM);
        } else if (cache.contains(CacheMode.COLD) && !canDrop) {
            throw new UsageException("--cache cold needs a writable /proc/sys/vm/drop_caches (run as root)");
        }
    }

    /** Rows that make PowDB's data directory about {@code sizeMb} MB. */
    static long rowsFor(int sizeMb) {
        return Math.max(1, Math.round(sizeMb * 1_000_000.0 / POWDB_BYTES_PER_ROW));
    }

    private static List<Integer> parseSizes(String v) throws UsageException {
        Set<Integer> sizes = new LinkedHashSet<>();
        for (String part : splitList("--sizes", v)) {
            sizes.add(positiveInt("--sizes", part, 100_000));
        }
        return List.copyOf(sizes);
    }

    private static List<String> parseSystems(String v) throws UsageException {
        Set<String> chosen = new LinkedHashSet<>();
        for (String part : splitList("--systems", v)) {
            String name = part.toLowerCase(Locale.ROOT);
            if (!ALL_SYSTEMS.contains(name)) {
                throw new UsageException("unknown system '" + part + "' in --systems (known: "
                        + String.join(",", ALL_SYSTEMS) + ")");
            }
            chosen.add(name);
        }
        return List.copyOf(chosen);
    }

    private static Set<BenchPart> parseParts(String v) throws UsageException {
        Set<BenchPart> parts = EnumSet.noneOf(BenchPart.class);
        for (String part : splitList("--parts", v)) {
            Set<BenchPart> named = BenchPart.named(part);
            if (named.isEmpty()) {
                throw new UsageException("unknown part '" + part + "' in --parts (known: " + BenchPart.known() + ")");
            }
            parts.addAll(named);
        }
        return parts;
    }

    private static List<Double> parsePercents(String option, String v) throws UsageException {
        Set<Double> percents = new LinkedHashSet<>();
        for (String part : splitList(option, v)) {
            percents.add(parsePercent(option, part));
        }
        return List.copyOf(percents);
    }

    private static List<CacheMode> parseCache(String v) throws UsageException {
        Set<CacheMode> modes = new LinkedHashSet<>();
        for (String part : splitList("--cache", v)) {
            switch (part.toLowerCase(Locale.ROOT)) {
                case "cold" -> modes.add(CacheMode.COLD);
                case "warm" -> modes.add(CacheMode.WARM);
                default -> throw new UsageException("unknown cache mode '" + part + "' in --cache (cold, warm)");
            }
        }
        return List.copyOf(modes);
    }

    private static List<String> splitList(String option, String v) throws UsageException {
        List<String> parts = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new UsageException(option + " has an empty entry: '" + v + "'");
            }
            parts.add(p);
        }
        return parts;
    }

    private static double parsePercent(String option, String v) throws UsageException {
        double p;
        try {
            p = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs a number, got '" + v + "'");
        }
        if (!(p > 0) || p > 100) {
            throw new UsageException(option + " must be above 0 and at most 100, got " + v);
        }
        return p;
    }

    private static int nonNegativeInt(String option, String v, int max) throws UsageException {
        long n = parseLong(option, v);
        if (n < 0 || n > max) {
            throw new UsageException(option + " must be between 0 and " + max + ", got " + v);
        }
        return (int) n;
    }

    private static int positiveInt(String option, String v, int max) throws UsageException {
        long n = parseLong(option, v);
        if (n < 1 || n > max) {
            throw new UsageException(option + " must be between 1 and " + max + ", got " + v);
        }
        return (int) n;
    }

    private static long parseLong(String option, String v) throws UsageException {
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " needs an integer, got '" + v + "'");
        }
    }
}
