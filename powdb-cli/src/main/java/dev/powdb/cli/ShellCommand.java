package dev.powdb.cli;

import dev.powdb.storage.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code powdb shell}: an interactive PowQL shell. On a terminal: line editing, multi-line statements and history
 * in {@code ~/.powdb_history} (kept out of the data directory, whose files are all durable state). Otherwise it
 * reads statements from standard input without prompts and exits 1 if any of them failed.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = "Interactive shell: type statements ending with ';', 'help' for help, 'quit' or Ctrl-D to leave."
                + " Reading from a pipe, it runs the statements and exits 1 if any failed.")
final class ShellCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "Print rows as JSON, one object per line.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = main.context;
        try (Database db = Cli.open(main)) {
            StatementRunner runner = ctx.runners.open(db);
            ResultPrinter printer = new ResultPrinter(ctx.out, ResultPrinter.Format.choose(json, ctx.terminal));
            Shell shell = new Shell(runner, printer, ctx.out, ctx.err);
            if (ctx.terminal) {
                try (JLineSource in = new JLineSource(historyFile(), shell::isComplete)) {
                    ctx.out.println("powdb shell on " + main.dataDir.toAbsolutePath()
                            + ". Type 'help' for help, 'quit' or Ctrl-D to leave.");
                    shell.run(in);
                    return 0;
                }
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(ctx.in, StandardCharsets.UTF_8));
            return shell.run(LineSource.of(reader)) == 0 ? 0 : 1;
        }
    }

    /** {@code ~/.powdb_history}. */
    static Path historyFile() {
        return Path.of(System.getProperty("user.home"), ".powdb_history");
    }
}
