package dev.powdb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Prints statement results on the command line's standard output, flushing after each result.
 *
 * <ul>
 *   <li>A scalar prints as its bare value on its own line ({@code null} for null; JSON text with {@code --json}).</li>
 *   <li>A message prints as given, in every format.</li>
 *   <li>Rows, {@link Format#TABLE} (stdout is a terminal): a header, a rule, one aligned line per row (numbers
 *   right-aligned) and a {@code (N rows)} footer; null shows as {@code null}.</li>
 *   <li>Rows, {@link Format#TSV} (stdout is not a terminal): a header line of column names, then one line per row,
 *   fields separated by a tab; in names and values tab, newline, carriage return and backslash are written
 *   {@code \t}, {@code \n}, {@code \r}, {@code \\}; null is an empty field (use {@code --json} to tell null from
 *   the empty string).</li>
 *   <li>Rows, {@link Format#JSON}: one JSON object per row (JSON Lines), keys in column order; null is JSON null,
 *   numbers and booleans are JSON numbers and booleans (NaN and infinities as strings).</li>
 * </ul>
 * In every format bytes are lowercase hex without prefix and datetimes ISO-8601 in UTC ({@link Instant#toString()}).
 */
final class ResultPrinter implements ResultSink {
    /** How rows are laid out. */
    enum Format {
        TABLE, TSV, JSON;

        /** JSON when asked for, else an aligned table on a terminal and tab-separated text otherwise. */
        static Format choose(boolean json, boolean terminal) {
            return json ? JSON : terminal ? TABLE : TSV;
        }
    }

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

    private final PrintStream out;
    private final Format format;

    ResultPrinter(PrintStream out, Format format) {
        this.out = out;
        this.format = format;
    }

    @Override
    public void rows(List<String> columns, List<List<Object>> rows) {
        switch (format) {
            case TABLE:
                printTable(columns, rows);
                break;
            case TSV:
                printTsv(columns, rows);
                break;
            default:
                for (List<Object> row : rows) {
                    out.println(jsonRow(columns, row));
                }
                break;
        }
        out.flush();
    }

    @Override
    public void scalar(Object value) {
        out.println(format == Format.JSON ? jsonText(value) : text(value));
        out.flush();
    }

    @Override
    public void message(String text) {
        out.println(text);
        out.flush();
    }

    /** The display text of a value: null as {@code null}, bytes as hex, datetimes ISO-8601. */
    static String text(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[]) {
            return HexFormat.of().formatHex((byte[]) v);
        }
        return v.toString();
    }

    /** {@code s} with tab, newline, carriage return and backslash written as two-character escapes. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t': b.append("\\t"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\\': b.append("\\\\"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    private void printTsv(List<String> columns, List<List<Object>> rows) {
        List<String> header = new ArrayList<>();
        columns.forEach(c -> header.add(escape(c)));
        out.println(String.join("\t", header));
        for (List<Object> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) {
                    line.append('\t');
                }
                Object v = row.get(i);
                line.append(v == null ? "" : escape(text(v)));
            }
            out.println(line);
        }
    }

    private void printTable(List<String> columns, List<List<Object>> rows) {
        int n = columns.size();
        int[] width = new int[n];
        boolean[] numeric = new boolean[n];
        java.util.Arrays.fill(numeric, true);
        List<String[]> cells = new ArrayList<>(rows.size());
        for (int i = 0; i < n; i++) {
            width[i] = displayWidth(escape(columns.get(i)));
        }
        for (List<Object> row : rows) {
            String[] line = new String[n];
            for (int i = 0; i < n; i++) {
                Object v = i < row.size() ? row.get(i) : null;
                line[i] = escape(text(v));
                width[i] = Math.max(width[i], displayWidth(line[i]));
                numeric[i] &= v == null || v instanceof Number;
            }
            cells.add(line);
        }
        StringBuilder head = new StringBuilder();
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            head.append(i > 0 ? " | " : "").append(pad(escape(columns.get(i)), width[i], false));
            rule.append(i > 0 ? "-+-" : "").append("-".repeat(width[i]));
        }
        out.println(stripTrailing(head));
        out.println(rule);
        for (String[] line : cells) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                b.append(i > 0 ? " | " : "").append(pad(line[i], width[i], numeric[i]));
            }
            out.println(stripTrailing(b));
        }
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
    }

    private static String stripTrailing(StringBuilder b) {
        return b.toString().stripTrailing();
    }

    private static int displayWidth(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - displayWidth(s));
        return right ? fill + s : s + fill;
    }

    private static String jsonRow(List<String> columns, List<Object> row) {
        ObjectNode node = JSON_MAPPER.createObjectNode();
        for (int i = 0; i < columns.size(); i++) {
            node.set(columns.get(i), JSON_MAPPER.valueToTree(jsonValue(i < row.size() ? row.get(i) : null)));
        }
        return node.toString();
    }

    private static String jsonText(Object v) {
        try {
            return JSON_MAPPER.writeValueAsString(jsonValue(v));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value Jackson should write: bytes as hex, datetimes as ISO-8601 text, other values as they are. */
    private static Object jsonValue(Object v) {
        if (v instanceof byte[]) {
            return HexFormat.of().formatHex((byte[]) v);
        }
        if (v instanceof Instant) {
            return v.toString();
        }
        return v;
    }
}
