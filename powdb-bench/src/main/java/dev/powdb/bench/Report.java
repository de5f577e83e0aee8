package dev.powdb.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the results into a console table and a Markdown document. Ratios are PowDB ops/s divided by the peer's
 * ops/s: above 1 PowDB is faster, below 1 it is slower. A wrong or failed measurement is shown as such and never
 * enters a ratio.
 */
final class Report {
    private final BenchOptions options;
    private final String command;
    private final Map<String, String> machine;
    private final List<EngineResult> results;
    private final EngineResult powdb;
    private final List<EngineResult> peers = new ArrayList<>();

    Report(BenchOptions options, String command, Map<String, String> machine, List<EngineResult> results) {
        this.options = options;
        this.command = command;
        this.machine = machine;
        this.results = results;
        EngineResult p = null;
        for (EngineResult r : results) {
            if (r.engine.equals("PowDB")) {
                p = r;
            } else {
                peers.add(r);
            }
        }
        this.powdb = p;
    }

    /** Fixed-width table for the terminal. */
    String consoleTable() {
        List<String> header = header();
        List<List<String>> body = new ArrayList<>();
        for (Workload w : Workload.values()) {
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
        sb.append("ops/s per engine; ratio = PowDB ops/s / peer ops/s (>1: PowDB faster, <1: PowDB slower)\n");
        for (EngineResult r : results) {
            for (Workload w : Workload.values()) {
                Measurement m = r.get(w);
                if (m != null && m.problem != null) {
                    sb.append(r.engine).append(' ').append(w.label).append(": ").append(m.problem).append('\n');
                }
            }
            r.otherProblems.forEach(p -> sb.append(r.engine).append(": ").append(p).append('\n'));
        }
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
        for (EngineResult r : results) {
            sb.append("- **").append(r.engine).append("**: ").append(r.description).append('\n');
        }
        sb.append("\n## Workloads\n\n");
        sb.append(String.format(Locale.ROOT, "%,d rows (id 1..N in order, %d-byte ASCII name, age 0..99), seed %d. "
                        + "%,d durable single-row inserts into a second table; %,d random point lookups "
                        + "(after one untimed warm-up pass over the same ids); %,d full scans counting age = %d; "
                        + "%,d random updates age = age + 1 by id, committed every %,d.%n%n",
                options.rows, BenchData.NAME_BYTES, options.seed, options.fsyncInserts, options.lookups,
                options.scans, BenchData.SCAN_AGE, options.updates, options.updateBatch));
        sb.append("## Results\n\nOperations per second (higher is better). Ratio = PowDB ops/s ÷ peer ops/s: "
                + "above 1 PowDB is faster, below 1 PowDB is slower.\n\n");
        List<String> header = header();
        sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            sb.append(i == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (Workload w : Workload.values()) {
            sb.append("| ").append(String.join(" | ", row(w))).append(" |\n");
        }
        sb.append("\nWall time per workload (seconds):\n\n| workload |");
        results.forEach(r -> sb.append(' ').append(r.engine).append(" |"));
        sb.append("\n|---|");
        results.forEach(r -> sb.append("---:|"));
        sb.append('\n');
        for (Workload w : Workload.values()) {
            sb.append("| ").append(w.label).append(" |");
            for (EngineResult r : results) {
                Measurement m = r.get(w);
                sb.append(' ').append(m == null || m.nanos == 0 ? "-" : String.format(Locale.ROOT, "%.3f",
                        m.seconds())).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nDirectory size (MiB):\n\n| engine | after bulk load | after close |\n|---|---:|---:|\n");
        for (EngineResult r : results) {
            sb.append("| ").append(r.engine).append(" | ").append(mib(r.bytesAfterLoad)).append(" | ")
                    .append(mib(r.bytesAfterClose)).append(" |\n");
        }
        List<String> problems = new ArrayList<>();
        for (EngineResult r : results) {
            for (Workload w : Workload.values()) {
                Measurement m = r.get(w);
                if (m != null && m.problem != null) {
                    problems.add("- " + r.engine + ", " + w.label + ": " + m.problem);
                }
            }
            r.otherProblems.forEach(p -> problems.add("- " + r.engine + ": " + p));
        }
        sb.append("\n## Problems\n\n").append(problems.isEmpty()
                ? "None: every workload returned the expected answer on every engine.\n"
                : String.join("\n", problems) + "\n");
        return sb.toString();
    }

    private List<String> header() {
        List<String> h = new ArrayList<>();
        h.add("workload");
        h.add("ops");
        for (EngineResult r : results) {
            h.add(r.engine + " ops/s");
        }
        if (powdb != null) {
            for (EngineResult p : peers) {
                h.add("PowDB/" + p.engine);
            }
        }
        return h;
    }

    private List<String> row(Workload w) {
        List<String> cells = new ArrayList<>();
        cells.add(w.label);
        long ops = 0;
        for (EngineResult r : results) {
            Measurement m = r.get(w);
            if (m != null) {
                ops = Math.max(ops, m.ops);
            }
        }
        cells.add(String.format(Locale.ROOT, "%,d %s", ops, w.unit));
        for (EngineResult r : results) {
            cells.add(rate(r.get(w)));
        }
        if (powdb != null) {
            Measurement mine = powdb.get(w);
            for (EngineResult p : peers) {
                Measurement theirs = p.get(w);
                boolean comparable = mine != null && theirs != null && mine.valid() && theirs.valid();
                cells.add(comparable ? String.format(Locale.ROOT, "%.2f", mine.opsPerSecond()
                        / theirs.opsPerSecond()) : "-");
            }
        }
        return cells;
    }

    private static String rate(Measurement m) {
        if (m == null) {
            return "not run";
        }
        if (!m.valid()) {
            return m.problem != null && m.problem.startsWith("WRONG") ? "WRONG" : "FAILED";
        }
        double r = m.opsPerSecond();
        return r >= 100 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.2f", r);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
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
