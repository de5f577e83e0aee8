package dev.powdb.query;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A sink that writes every result as text lines, values as PowQL literals. */
final class Recorder implements ResultSink {
    final List<String> lines = new ArrayList<>();
    final List<List<List<Object>>> rowSets = new ArrayList<>();
    final List<Object> scalars = new ArrayList<>();

    @Override
    public void rows(List<String> columns, List<List<Object>> rows) {
        rowSets.add(rows);
        lines.add("columns " + String.join(", ", columns));
        for (List<Object> r : rows) {
            lines.add(r.stream().map(Printer::literal).collect(Collectors.joining(", ", "[", "]")));
        }
    }

    @Override
    public void scalar(Object value) {
        scalars.add(value);
        lines.add("= " + Printer.literal(value));
    }

    @Override
    public void message(String text) {
        lines.add("> " + text);
    }

    String text() {
        return String.join("\n", lines);
    }
}
