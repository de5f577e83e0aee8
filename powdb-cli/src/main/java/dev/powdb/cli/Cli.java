package dev.powdb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.PowDbException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/** Helpers shared by subcommands. */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cli() {
    }

    /** Opens, or creates, the database of {@code --data-dir}. */
    static Database open(Main main) {
        return Database.open(main.dataDir, options(main));
    }

    /**
     * Opens the database of {@code --data-dir} without ever creating one.
     *
     * @throws PowDbException NOT_FOUND when the directory holds no database, LOCKED naming the PID of the process
     *                        that has it open
     */
    static Database openExisting(Main main) {
        return Database.openExisting(main.dataDir, options(main));
    }

    private static DatabaseOptions options(Main main) {
        return DatabaseOptions.defaults().withSyncMode(main.sync);
    }

    /** The text after {@code Error: } for a failure: its message, or its type when it has none. */
    static String errorText(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** A new JSON object for {@code --json} output. */
    static ObjectNode jsonObject() {
        return JSON.createObjectNode();
    }

    /** Prints {@code node} as one pretty-printed JSON document. */
    static void printJson(CliContext ctx, ObjectNode node) {
        try {
            ctx.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            ctx.out.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain values always serializes
        }
    }

    /**
     * Runs a command's body and turns a failure into exit code 1: {@code Error: <message>} on standard error and,
     * with {@code --json}, {@code {"ok": false, "error": {"code", "message"}}} on standard output so that a script
     * reading JSON sees the error code too. Usage errors ({@link CommandLine.ParameterException}) pass through to
     * become exit code 2.
     */
    static int reportingFailures(CliContext ctx, boolean json, IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            if (json) {
                ObjectNode root = jsonObject().put("ok", false);
                root.putObject("error").put("code", errorCode(e)).put("message", errorText(e));
                printJson(ctx, root);
            }
            ctx.out.flush();
            ctx.err.println("Error: " + errorText(e));
            return 1;
        }
    }

    /** The stable name of a failure's category: its {@link dev.powdb.storage.ErrorCode}, else IO or INTERNAL. */
    static String errorCode(RuntimeException e) {
        if (e instanceof PowDbException) {
            return ((PowDbException) e).code().name();
        }
        return e instanceof UncheckedIOException ? "IO" : "INTERNAL";
    }

    /**
     * Refuses a directory that a command is about to create and fill, before anything else is touched: it must
     * not exist (and its parent must), or be an empty directory that is not a symbolic link. The backup module
     * checks the same again; checking here first keeps a refused command from even opening the database.
     *
     * @param what names the directory in the message ({@code "backup destination"})
     * @throws PowDbException INVALID_ARGUMENT saying what is wrong
     */
    static void requireNewDirectory(Path dir, String what) {
        if (Files.isSymbolicLink(dir)) {
            throw invalid(what + " " + dir + " is a symbolic link; give a directory that does not exist or an empty"
                    + " real directory");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw invalid(what + " " + dir + ": its parent directory " + parent + " does not exist");
            }
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw invalid(what + " " + dir + " exists and is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw invalid(what + " " + dir + " is not empty; give a new or empty directory");
            }
        } catch (IOException e) {
            throw new PowDbException(dev.powdb.storage.ErrorCode.IO, "cannot read " + what + " " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static PowDbException invalid(String message) {
        return new PowDbException(dev.powdb.storage.ErrorCode.INVALID_ARGUMENT, message);
    }
}
