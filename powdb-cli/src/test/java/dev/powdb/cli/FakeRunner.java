package dev.powdb.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stand-in for PowQL: statements split at {@code ;}. {@code rows} prints two rows, {@code count} the scalar 42,
 * {@code fail} throws, {@code begin}/{@code commit} open and close a transaction, anything else echoes a message.
 */
final class FakeRunner implements StatementRunner {
    final List<String> executed = new ArrayList<>();
    private boolean inTransaction;

    @Override
    public void run(String script, ResultSink sink) {
        for (String part : script.split(";")) {
            String s = part.strip();
            if (s.isEmpty()) {
                continue;
            }
            executed.add(s);
            switch (s) {
                case "rows":
                    sink.rows(List.of("id", "name"), List.of(Arrays.asList(1L, "Ada"), Arrays.asList(2L, null)));
                    break;
                case "count":
                    sink.scalar(42L);
                    break;
                case "fail":
                    throw new IllegalStateException("boom at " + s);
                case "begin":
                    inTransaction = true;
                    sink.message("begun");
                    break;
                case "commit":
                    inTransaction = false;
                    sink.message("committed");
                    break;
                default:
                    sink.message("ok: " + s.replace('\n', ' '));
            }
        }
    }

    @Override
    public boolean inTransaction() {
        return inTransaction;
    }
}
