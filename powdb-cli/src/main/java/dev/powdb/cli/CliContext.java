package dev.powdb.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * What a run of the command line talks to: the statement runner factory, standard streams and whether standard
 * output is a terminal. {@link #system()} is the real process; tests build their own.
 */
final class CliContext {
    final StatementRunner.Factory runners;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    /** Whether stdin and stdout are an interactive terminal: tables instead of TSV, line editing in the shell. */
    final boolean terminal;

    CliContext(StatementRunner.Factory runners, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        this.runners = runners;
        this.in = in;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** The process's streams, the PowQL runner, and a terminal when {@link System#console()} is present. */
    static CliContext system() {
        return new CliContext(StatementRunners::powql, System.in, System.out, System.err, System.console() != null);
    }
}
