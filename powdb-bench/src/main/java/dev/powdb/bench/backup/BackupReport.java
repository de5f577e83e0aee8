package dev.powdb.bench.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The backup benchmark's results as Markdown: per size and cache mode one table of full backup, checks and restore,
 * one of increments, the speed ratios PowDB/peer, the goals, every run's values, the probes and any failure. Cells
 * are medians over the runs; MB is 10^6 bytes and MB/s is the system's data size on disk divided by the time.
 */
final class BackupReport {
    /** Goals of the issue: full backup and restore at 1 GB/s, an increment after a 1% change at most 5% of a full. */
    static final double GOAL_MB_PER_S = 1000;
    static final double GOAL_INCREMENT_FRACTION = 0.05;

    private final BackupBenchOptions options;
    private final Results results;
    private final Map<String, String> machine;
    private final List<String> probes;
    private final String loadBefore;
    private final String loadAfter;
    private String online = "";

    BackupReport(BackupBenchOptions options, Results results, Map<String, String> machine, List<String> probes,
                 String loadBefore, String loadAfter) {
        this.options = options;
        this.results = results;
        this.machine = machine;
        this.probes = probes;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
    }

    /** Adds the online parts' section ({@link OnlineReport}), placed after the comparison and before the probes. */
    BackupReport withOnline(String markdown) {
        this.online = markdown;
        return this;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# PowDB backup benchmark results\n\n");
        md.append("\"data MB\" is what a backup has to cover and the basis of every MB/s (PowDB: its data files "
                + "without the WAL directory, which after the load's checkpoint holds only a preallocated segment; "
                + "the others: their whole directory); \"dir MB\" is everything in the data directory.\n\n");
        md.append("Command: `").append(System.getProperty("powdb.bench.command", "BackupBench")).append("`  \n");
        md.append("Parts: ").append(options.parts.stream().map(BenchPart::label).collect(Collectors.joining(", ")))
                .append("  \n");
        if (!options.parts.contains(BenchPart.COMPARE)) {
            md.append("Cache modes: ").append(options.cache.stream().map(CacheMode::label)
                    .collect(Collectors.joining(", "))).append("; seed ").append(options.seed).append(".\n\n");
        } else {
            md.append("Runs per system, size and cache mode: ").append(options.runs)
                    .append(" (median shown); cache: ")
                    .append(options.cache.stream().map(CacheMode::label).collect(Collectors.joining(", ")))
                    .append("; change before the increment: ").append(fmt(options.changePercent, 2))
                    .append("% of the pages; seed ").append(options.seed).append("; pause before each writing step: ")
                    .append(options.settleSeconds).append(" s.\n\n");
        }
        for (Map.Entry<String, String> e : machine.entrySet()) {
            md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        md.append("- load average: ").append(loadBefore).append(" at the start, ").append(loadAfter)
                .append(" at the end\n");
        if (!results.descriptions().isEmpty()) {
            md.append("\nSystems:\n\n");
            for (Map.Entry<String, String> e : results.descriptions().entrySet()) {
                md.append("- **").append(e.getKey()).append("**: ").append(e.getValue()).append('\n');
            }
        }
        for (int size : options.parts.contains(BenchPart.COMPARE) ? options.sizesMb : List.<Integer>of()) {
            md.append("\n## ").append(size).append(" MB target (").append(String.format(Locale.ROOT, "%,d",
                    results.rows(size))).append(" rows)\n");
            for (CacheMode mode : options.cache) {
                md.append("\n### ").append(mode.label()).append(" cache\n\n");
                fullTable(md, size, mode);
                incrementTable(md, size, mode);
                ratioTable(md, size, mode);
            }
            goalTable(md, size);
            everyRun(md, size);
        }
        md.append(online);
        for (String probe : probes) {
            md.append('\n').append(probe);
        }
        md.append("\n## Failures\n\n");
        if (results.failures().isEmpty()) {
            md.append("None: every step ran and every restore gave back the expected rows and age sum.\n");
        } else {
            for (String f : results.failures()) {
                md.append("- ").append(f).append('\n');
            }
        }
        return md.toString();
    }

    private void fullTable(StringBuilder md, int size, CacheMode mode) {
        md.append("| system | data MB | dir MB | full backup s | MB/s | of which sync s | backup MB | own deep check s "
                + "| b3sum of backup s | restore s | MB/s | of which sync s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String system : systems()) {
            OptionalDouble data = med(size, system, mode, Metric.DATA_BYTES);
            if (data.isEmpty()) {
                continue;
            }
            OptionalDouble full = med(size, system, mode, Metric.FULL_SECONDS);
            OptionalDouble restore = med(size, system, mode, Metric.RESTORE_SECONDS);
            md.append("| ").append(system)
                    .append(" | ").append(mb(data))
                    .append(" | ").append(mb(med(size, system, mode, Metric.DIR_BYTES)))
                    .append(" | ").append(sec(full))
                    .append(" | ").append(rate(data, full))
                    .append(" | ").append(sec(med(size, system, mode, Metric.FULL_SYNC_SECONDS)))
                    .append(" | ").append(mb(med(size, system, mode, Metric.FULL_BYTES)))
                    .append(" | ").append(or(sec(med(size, system, mode, Metric.VERIFY_SECONDS)), "n/a"))
                    .append(" | ").append(sec(med(size, system, mode, Metric.B3SUM_SECONDS)))
                    .append(" | ").append(sec(restore))
                    .append(" | ").append(rate(data, restore))
                    .append(" | ").append(sec(med(size, system, mode, Metric.RESTORE_SYNC_SECONDS)))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void incrementTable(StringBuilder md, int size, CacheMode mode) {
        List<String> rows = new ArrayList<>();
        for (String system : systems()) {
            OptionalDouble inc = med(size, system, mode, Metric.INC_SECONDS);
            if (inc.isEmpty()) {
                continue;
            }
            OptionalDouble full = med(size, system, mode, Metric.FULL_SECONDS);
            OptionalDouble incBytes = med(size, system, mode, Metric.INC_BYTES);
            OptionalDouble fullBytes = med(size, system, mode, Metric.FULL_BYTES);
            OptionalDouble pages = med(size, system, mode, Metric.CHANGED_PAGES);
            OptionalDouble total = med(size, system, mode, Metric.TOTAL_PAGES);
            String pageCell = pages.isPresent() && total.isPresent()
                    ? String.format(Locale.ROOT, "%,.0f of %,.0f (%.2f%%)", pages.getAsDouble(), total.getAsDouble(),
                    100 * pages.getAsDouble() / total.getAsDouble()) : "n/a";
            rows.add("| " + system
                    + " | " + String.format(Locale.ROOT, "%,.0f", med(size, system, mode, Metric.CHANGED_ROWS)
                    .orElse(0))
                    + " | " + pageCell
                    + " | " + sec(inc)
                    + " | " + percent(inc, full)
                    + " | " + mb3(incBytes)
                    + " | " + percent(incBytes, fullBytes)
                    + " | " + sec(med(size, system, mode, Metric.CHAIN_RESTORE_SECONDS))
                    + " |");
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("Incremental after the change (same ids on every system):\n\n");
        md.append("| system | rows changed | data-file pages changed | increment s | % of full time | increment MB "
                + "| % of full bytes | restore full + increment s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String r : rows) {
            md.append(r).append('\n');
        }
        md.append('\n');
    }

    private void ratioTable(StringBuilder md, int size, CacheMode mode) {
        if (med(size, "PowDB", mode, Metric.FULL_SECONDS).isEmpty()) {
            return;
        }
        md.append("Speed PowDB/peer for the same rows (peer seconds ÷ PowDB seconds; above 1: PowDB faster):\n\n");
        md.append("| peer | full backup | restore | deep check (each system's own) | increment |\n"
                + "|---|---:|---:|---:|---:|\n");
        for (String peer : systems()) {
            if (peer.equals("PowDB") || med(size, peer, mode, Metric.FULL_SECONDS).isEmpty()) {
                continue;
            }
            md.append("| ").append(peer)
                    .append(" | ").append(ratio(size, peer, mode, Metric.FULL_SECONDS, Metric.FULL_SECONDS))
                    .append(" | ").append(ratio(size, peer, mode, Metric.RESTORE_SECONDS, Metric.RESTORE_SECONDS))
                    .append(" | ").append(ratio(size, peer, mode, Metric.VERIFY_SECONDS, Metric.VERIFY_SECONDS))
                    .append(" | ").append(ratio(size, peer, mode, Metric.INC_SECONDS, Metric.INC_SECONDS))
                    .append(" |\n");
        }
        OptionalDouble verify = med(size, "PowDB", mode, Metric.VERIFY_SECONDS);
        OptionalDouble b3sum = med(size, "PowDB", mode, Metric.B3SUM_SECONDS);
        if (verify.isPresent() && b3sum.isPresent()) {
            md.append("\nPowDB's deep verify took ").append(sec(verify)).append(" s; `b3sum` over the same backup's files "
                    + "took ").append(sec(b3sum)).append(" s (b3sum ÷ verify: ").append(ratio(b3sum, verify))
                    .append(").\n");
        }
        md.append('\n');
    }

    private String ratio(int size, String peer, CacheMode mode, Metric peerMetric, Metric powdbMetric) {
        return ratio(med(size, peer, mode, peerMetric), med(size, "PowDB", mode, powdbMetric));
    }

    private static String ratio(OptionalDouble peerSeconds, OptionalDouble powdbSeconds) {
        if (peerSeconds.isEmpty() || powdbSeconds.isEmpty() || powdbSeconds.getAsDouble() <= 0) {
            return "n/a";
        }
        return fmt(peerSeconds.getAsDouble() / powdbSeconds.getAsDouble(), 2);
    }

    private void goalTable(StringBuilder md, int size) {
        if (!systems().contains("PowDB")) {
            return;
        }
        md.append("### Goals (PowDB, ").append(size).append(" MB)\n\n");
        md.append("| goal | cache | measured | met |\n|---|---|---:|---|\n");
        for (CacheMode mode : options.cache) {
            OptionalDouble data = med(size, "PowDB", mode, Metric.DATA_BYTES);
            goal(md, "full backup ≥ 1,000 MB/s", mode, rateValue(data, med(size, "PowDB", mode, Metric.FULL_SECONDS)),
                    " MB/s", true, GOAL_MB_PER_S);
            goal(md, "restore ≥ 1,000 MB/s", mode, rateValue(data, med(size, "PowDB", mode, Metric.RESTORE_SECONDS)),
                    " MB/s", true, GOAL_MB_PER_S);
            goal(md, "increment time ≤ 5% of full", mode, fraction(med(size, "PowDB", mode, Metric.INC_SECONDS),
                    med(size, "PowDB", mode, Metric.FULL_SECONDS)), "%", false, GOAL_INCREMENT_FRACTION);
            goal(md, "increment bytes ≤ 5% of full", mode, fraction(med(size, "PowDB", mode, Metric.INC_BYTES),
                    med(size, "PowDB", mode, Metric.FULL_BYTES)), "%", false, GOAL_INCREMENT_FRACTION);
        }
        md.append('\n');
    }

    private static void goal(StringBuilder md, String goal, CacheMode mode, OptionalDouble value, String unit,
                             boolean atLeast, double target) {
        String measured = "n/a";
        String met = "n/a";
        if (value.isPresent()) {
            double v = value.getAsDouble();
            measured = unit.equals("%") ? fmt(100 * v, 1) + "%" : String.format(Locale.ROOT, "%,.0f", v) + unit;
            met = (atLeast ? v >= target : v <= target) ? "yes" : "**no**";
        }
        md.append("| ").append(goal).append(" | ").append(mode.label()).append(" | ").append(measured)
                .append(" | ").append(met).append(" |\n");
    }

    private void everyRun(StringBuilder md, int size) {
        md.append("### Every run, seconds (").append(size).append(" MB)\n\n");
        md.append("| system | cache | full backup | own deep check | b3sum | restore | increment "
                + "| restore full + increment |\n|---|---|---|---|---|---|---|---|\n");
        for (String system : systems()) {
            for (CacheMode mode : options.cache) {
                if (results.all(size, system, mode, Metric.FULL_SECONDS).isEmpty()) {
                    continue;
                }
                md.append("| ").append(system).append(" | ").append(mode.label());
                for (Metric m : List.of(Metric.FULL_SECONDS, Metric.VERIFY_SECONDS, Metric.B3SUM_SECONDS,
                        Metric.RESTORE_SECONDS, Metric.INC_SECONDS, Metric.CHAIN_RESTORE_SECONDS)) {
                    List<Double> all = results.all(size, system, mode, m);
                    md.append(" | ").append(all.isEmpty() ? "n/a" : all.stream().map(v -> fmt(v, 3))
                            .collect(Collectors.joining(" / ")));
                }
                md.append(" |\n");
            }
        }
        md.append('\n');
    }

    /** System display names in the order they ran. */
    private List<String> systems() {
        return new ArrayList<>(results.descriptions().keySet());
    }

    private OptionalDouble med(int size, String system, CacheMode mode, Metric metric) {
        return results.median(size, system, mode, metric);
    }

    static OptionalDouble rateValue(OptionalDouble bytes, OptionalDouble seconds) {
        if (bytes.isEmpty() || seconds.isEmpty() || seconds.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(bytes.getAsDouble() / 1e6 / seconds.getAsDouble());
    }

    static OptionalDouble fraction(OptionalDouble part, OptionalDouble whole) {
        if (part.isEmpty() || whole.isEmpty() || whole.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(part.getAsDouble() / whole.getAsDouble());
    }

    private static String rate(OptionalDouble bytes, OptionalDouble seconds) {
        OptionalDouble r = rateValue(bytes, seconds);
        return r.isPresent() ? String.format(Locale.ROOT, "%,.0f", r.getAsDouble()) : "n/a";
    }

    private static String percent(OptionalDouble part, OptionalDouble whole) {
        OptionalDouble f = fraction(part, whole);
        return f.isPresent() ? fmt(100 * f.getAsDouble(), 2) + "%" : "n/a";
    }

    private static String sec(OptionalDouble s) {
        return s.isPresent() ? fmt(s.getAsDouble(), 3) : "n/a";
    }

    private static String mb(OptionalDouble bytes) {
        return bytes.isPresent() ? fmt(bytes.getAsDouble() / 1e6, 1) : "n/a";
    }

    private static String mb3(OptionalDouble bytes) {
        return bytes.isPresent() ? fmt(bytes.getAsDouble() / 1e6, 3) : "n/a";
    }

    private static String or(String value, String fallback) {
        return value.equals("n/a") ? fallback : value;
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
