package dev.powdb.cli;

import dev.powdb.storage.Database;

/**
 * Runs statements for the command line ({@code -c}, {@code -f}, {@code shell}). The only seam between the CLI and
 * the query language: {@link StatementRunners#powql} adapts the PowQL engine, tests pass a fake.
 */
public interface StatementRunner {
    /**
     * Runs every statement of {@code script} in order, reporting each result to {@code sink} as soon as it is
     * known, and stops at the first failing statement by throwing.
     *
     * @throws RuntimeException the first statement's error; its message is printed after {@code Error: }
     */
    void run(String script, ResultSink sink);

    /**
     * Whether {@code input} (possibly several lines) is a complete statement the shell should run now rather than
     * read another line. The default: its last character outside string literals and blanks is {@code ;}.
     */
    default boolean isComplete(String input) {
        return ScriptText.endsWithTerminator(input);
    }

    /** Whether a transaction is open (the shell shows it in its prompt). */
    default boolean inTransaction() {
        return false;
    }

    /** The statement forms the shell's {@code help} lists. */
    default String help() {
        return StatementRunners.DEFAULT_HELP;
    }

    /** Creates a runner over an open database; the database stays owned (and closed) by the caller. */
    @FunctionalInterface
    interface Factory {
        StatementRunner open(Database db);
    }
}
