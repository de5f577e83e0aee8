package dev.powdb.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The read-run-print loop of {@code powdb shell}: collects lines until the runner calls them a complete statement,
 * runs it, prints its results, and on an error prints {@code Error: ...} and goes on. {@code help}, {@code quit} and
 * {@code exit} (with or without {@code ;}) are shell commands when typed at the start of a statement.
 */
final class Shell {
    static final String PROMPT = "powdb> ";
    static final String TRANSACTION_PROMPT = "powdb*> ";

    private final StatementRunner runner;
    private final ResultSink printer;
    private final PrintStream out;
    private final PrintStream err;
    private int errors;

    Shell(StatementRunner runner, ResultSink printer, PrintStream out, PrintStream err) {
        this.runner = runner;
        this.printer = printer;
        this.out = out;
        this.err = err;
    }

    /**
     * Reads and runs statements until end of input or {@code quit}.
     *
     * @return the number of statements that failed
     */
    int run(LineSource in) {
        StringBuilder buffer = new StringBuilder();
        while (true) {
            String prompt = buffer.length() > 0 ? JLineSource.CONTINUATION_PROMPT
                    : runner.inTransaction() ? TRANSACTION_PROMPT : PROMPT;
            String line = in.read(prompt);
            if (line == null) {
                if (!buffer.toString().isBlank()) {
                    execute(buffer.toString());
                }
                return errors;
            }
            if (buffer.length() == 0) {
                String command = shellCommand(line);
                if (command.equals("quit") || command.equals("exit")) {
                    return errors;
                }
                if (command.equals("help")) {
                    out.println(runner.help());
                    out.flush();
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
            }
            buffer.append(line).append('\n');
            if (runner.isComplete(buffer.toString())) {
                execute(buffer.toString());
                buffer.setLength(0);
            }
        }
    }

    /** Whether {@code input} should be run now: a shell command, blank, or a complete statement. */
    boolean isComplete(String input) {
        return input.isBlank() || !shellCommand(input).isEmpty() || runner.isComplete(input);
    }

    /** {@code help}, {@code quit} or {@code exit} when {@code line} is one of them, else the empty string. */
    private static String shellCommand(String line) {
        String s = line.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s.equals("help") || s.equals("quit") || s.equals("exit") ? s : "";
    }

    private void execute(String statement) {
        try {
            runner.run(statement, printer);
        } catch (RuntimeException e) {
            errors++;
            out.flush();
            err.println("Error: " + Cli.errorText(e));
            err.flush();
        }
    }
}
