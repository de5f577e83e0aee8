package dev.powdb.cli;

import dev.powdb.storage.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code powdb -c STATEMENTS} and {@code powdb -f FILE}: reads the script (before touching the data directory),
 * opens the database, runs the script through the statement runner printing each result as it arrives, and stops
 * at the first error: exit 0 when every statement succeeded, 1 with {@code Error: ...} on stderr otherwise.
 */
final class ScriptExecution {
    private ScriptExecution() {
    }

    static int run(Main main) {
        CliContext ctx = main.context;
        String script;
        try {
            script = main.statements != null ? main.statements : read(main.file, ctx);
        } catch (ScriptFileException e) {
            ctx.err.println("Error: " + e.getMessage());
            return 1;
        }
        ResultPrinter printer = new ResultPrinter(ctx.out, ResultPrinter.Format.choose(main.json, ctx.terminal));
        try (Database db = Cli.open(main)) {
            StatementRunner runner = ctx.runners.open(db);
            try {
                runner.run(script, printer);
            } catch (RuntimeException e) {
                ctx.out.flush();
                ctx.err.println("Error: " + Cli.errorText(e));
                return 1;
            }
        }
        return 0;
    }

    /** The text of {@code file} (UTF-8), or all of standard input for {@code -}. */
    private static String read(String file, CliContext ctx) {
        try {
            if (file.equals("-")) {
                return new String(ctx.in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path p = Path.of(file);
            if (!Files.exists(p)) {
                throw new ScriptFileException("no such file: " + file);
            }
            if (Files.isDirectory(p)) {
                throw new ScriptFileException(file + " is a directory, not a file of statements");
            }
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new ScriptFileException("cannot read " + file + ": " + Cli.errorText(e));
        }
    }

    /** The script file could not be read; reported before the database is opened. */
    private static final class ScriptFileException extends RuntimeException {
        ScriptFileException(String message) {
            super(message);
        }
    }
}
