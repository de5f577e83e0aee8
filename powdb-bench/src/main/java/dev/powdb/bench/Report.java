package dev.powdb.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the results into a console table and a Markdown document. Each cell is the median over the repetitions;
 * ratios are PowDB's median ops/s divided by the peer's: above 1 PowDB is faster, below 1 it is slower. A workload
 * that failed or gave a wrong answer in any repetition is shown as such and never enters a ratio.
 */
final class Report {
    private final BenchOptions options;
    private final String command;
    private final Map<String, String> machine;
    private final List<EngineRuns> engines;
    private final EngineRuns powdb;
    private final List<EngineRuns> peers = new ArrayList<>();

    Report(BenchOptions options, String command, Map<String, String> machine, List<EngineRuns> engines) {
        this.options = options;
        this.command = command;
        this.machine = machine;
        this.engines = engines;
        EngineRuns p = null;
        for (EngineRuns e : engines) {
            if (e.engine.equals("PowDB")) {
                p = e;
            } else {
                peers.add(e);
            }
        }
        this.powdb = p;
    }

    /** Fixed-width table of medians for the terminal, followed by any problems. */
    String consoleTable() {
        List<String> header = header();
        List<List<String>> body = new ArrayList<>();
        for (Workload w : options.workloads) {
            body.add(row(w));
        }
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> r : body) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendAligned(sb, header, width);
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append("-".repeat(w)).append("  ");
        }
        sb.append(rule.toString().stripTrailing()).append('\n');
        for (List<String> r : body) {
            appendAligned(sb, r, width);
        }
        sb.append("median ops/s of ").append(options.repeat).append(options.repeat == 1 ? " run" : " runs")
                .append("; ratio = PowDB ops/s / peer ops/s (>1: PowDB faster, <1: PowDB slower)\n");
        problems().forEach(p -> sb.append(p).append('\n'));
        return sb.toString();
    }

    /** The full Markdown results document. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Storage benchmark results\n\n");
        sb.append("Command: `").append(command).append("`\n\n");
        sb.append("## Machine\n\n| | |\n|---|---|\n");
        machine.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        sb.append("\n## Engines\n\n");
        for (EngineRuns e : engines) {
            sb.append("- **").append(e.engine).append("**: ").append(e.description()).append('\n');
        }
        sb.append("\n## Workloads\n\n");
        sb.append(String.format(Locale.ROOT, "%,d rows (id 1..N in order, %d-byte ASCII name, age 0..99), seed %d. "
                        + "%,d durable single-row inserts into a second table; %,d random point lookups "
                        + "(after one untimed warm-up pass over the same ids); %,d full scans counting age = %d; "
                        + "%,d random updates age = age + 1 by id, committed every %,d. The whole suite ran %d "
                        + "time(s), engines taking turns, each run in a fresh directory.%n%n",
                options.rows, BenchData.NAME_BYTES, options.seed, options.fsyncInserts, options.lookups,
                options.scans, BenchData.SCAN_AGE, options.updates, options.updateBatch, options.repeat));
        sb.append(String.format(Locale.ROOT, "Workloads 6 and 7 go through the query language: %,d lookups by id "
                        + "(the ids of workload 3, one untimed warm-up pass first) and %,d counts of age = %d, each "
                        + "PowDB operation a new PowQL text that is parsed, planned and run, each peer operation an "
                        + "execution of a SQL statement prepared once per workload. They run after workload 5, so "
                        + "they read the updated ages. Workloads run: %s.%n%n",
                options.lookups, options.scans, BenchData.SCAN_AGE, workloadNumbers()));
        sb.append("## Results\n\nMedian operations per second over the runs (higher is better). Ratio = PowDB "
                + "ops/s ÷ peer ops/s: above 1 PowDB is faster, below 1 PowDB is slower.\n\n");
        appendMarkdownTable(sb, header(), rows());
        sb.append("\nEvery run, ops/s (run 1, run 2, ...):\n\n");
        List<String> spreadHeader = new ArrayList<>(List.of("workload"));
        engines.forEach(e -> spreadHeader.add(e.engine));
        List<List<String>> spread = new ArrayList<>();
        for (Workload w : options.workloads) {
            List<String> cells = new ArrayList<>(List.of(w.label));
            for (EngineRuns e : engines) {
                List<String> each = new ArrayList<>();
                for (double v : e.opsPerSecondByRun(w)) {
                    each.add(Double.isNaN(v) ? "-" : rate(v));
                }
                cells.add(String.join(" / ", each));
            }
            spread.add(cells);
        }
        appendMarkdownTable(sb, spreadHeader, spread);
        sb.append("\nMedian wall time per workload (seconds):\n\n");
        List<List<String>> times = new ArrayList<>();
        for (Workload w : options.workloads) {
            List<String> cells = new ArrayList<>(List.of(w.label));
            for (EngineRuns e : engines) {
                double s = e.medianSeconds(w);
                cells.add(Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.3f", s));
            }
            times.add(cells);
        }
        appendMarkdownTable(sb, spreadHeader, times);
        sb.append("\nDirectory size in MiB (first run):\n\n");
        List<List<String>> sizes = new ArrayList<>();
        for (EngineRuns e : engines) {
            EngineResult first = e.runs.isEmpty() ? null : e.runs.get(0);
            sizes.add(List.of(e.engine, first == null ? "-" : mib(first.bytesAfterLoad),
                    first == null ? "-" : mib(first.bytesAfterClose)));
        }
        appendMarkdownTable(sb, List.of("engine", "after bulk load", "after close"), sizes);
        List<String> problems = problems();
        sb.append("\n## Problems\n\n").append(problems.isEmpty()
                ? "None: every workload returned the expected answer on every engine in every run.\n"
                : "- " + String.join("\n- ", problems) + "\n");
        return sb.toString();
    }

    private String workloadNumbers() {
        List<String> n = new ArrayList<>();
        options.workloads.forEach(w -> n.add(String.valueOf(w.number())));
        return String.join(", ", n);
    }

    private List<String> problems() {
        List<String> out = new ArrayList<>();
        for (EngineRuns e : engines) {
            for (int i = 0; i < e.runs.size(); i++) {
                EngineResult r = e.runs.get(i);
                String where = e.engine + " run " + (i + 1);
                for (Workload w : options.workloads) {
                    Measurement m = r.get(w);
                    if (m != null && m.problem != null) {
                        out.add(where + ", " + w.label + ": " + m.problem);
                    }
                }
                r.otherProblems.forEach(p -> out.add(where + ": " + p));
            }
        }
        return out;
    }

    private List<String> header() {
        List<String> h = new ArrayList<>();
        h.add("workload");
        h.add("ops per run");
        for (EngineRuns e : engines) {
            h.add(e.engine + " ops/s");
        }
        if (powdb != null) {
            for (EngineRuns p : peers) {
                h.add("PowDB/" + p.engine);
            }
        }
        return h;
    }

    private List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        for (Workload w : options.workloads) {
            rows.add(row(w));
        }
        return rows;
    }

    private List<String> row(Workload w) {
        List<String> cells = new ArrayList<>();
        cells.add(w.label);
        long ops = 0;
        for (EngineRuns e : engines) {
            ops = Math.max(ops, e.ops(w));
        }
        cells.add(String.format(Locale.ROOT, "%,d %s", ops, w.unit));
        for (EngineRuns e : engines) {
            cells.add(medianCell(e, w));
        }
        if (powdb != null) {
            double mine = powdb.medianOpsPerSecond(w);
            for (EngineRuns p : peers) {
                double theirs = p.medianOpsPerSecond(w);
                cells.add(Double.isNaN(mine) || Double.isNaN(theirs) ? "-"
                        : String.format(Locale.ROOT, "%.2f", mine / theirs));
            }
        }
        return cells;
    }

    private static String medianCell(EngineRuns e, Workload w) {
        if (e.allValid(w)) {
            return rate(e.medianOpsPerSecond(w));
        }
        boolean ran = false;
        for (EngineResult r : e.runs) {
            Measurement m = r.get(w);
            if (m != null) {
                ran = true;
                if (m.problem != null && m.problem.startsWith("WRONG")) {
                    return "WRONG";
                }
            }
        }
        return ran ? "FAILED" : "not run";
    }

    private static String rate(double r) {
        return r >= 100 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.2f", r);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static void appendMarkdownTable(StringBuilder sb, List<String> header, List<List<String>> rows) {
        sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            sb.append(i == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
    }

    private static void appendAligned(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            line.append(c == 0 ? cell + pad : pad + cell).append("  ");
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
