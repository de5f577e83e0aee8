package dev.powdb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.powdb.backup.WalArchive;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.engine.ControlFile;
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

    /**
     * The options of {@code --sync} and {@code --archive}. Checks the archive directory first (see
     * {@link #checkArchive}) so that a refused archive leaves the data directory untouched, not even created.
     */
    private static DatabaseOptions options(Main main) {
        DatabaseOptions options = DatabaseOptions.defaults().withSyncMode(main.sync);
        if (main.archive == null) {
            return options;
        }
        checkArchive(main.archive, main.dataDir);
        return options.withArchive(main.archive);
    }

    /**
     * Refuses a {@code --archive} directory that the database could not archive into, before the database is
     * opened: a symbolic link, a file, a missing parent, a non-empty directory that is not a WAL archive (no
     * {@code archive.json}), a directory inside the data directory (losing the data directory would lose the
     * archive with it), or an existing archive for a database that does not exist yet (it would get a new id, which
     * no existing archive belongs to). The storage engine checks most of this again when it opens the archive, and
     * also that an existing database's id matches the archive's, which only it can tell.
     *
     * @throws PowDbException INVALID_ARGUMENT saying what is wrong
     */
    static void checkArchive(Path archive, Path dataDir) {
        if (Files.isSymbolicLink(archive)) {
            throw invalid("WAL archive " + archive + " is a symbolic link; give the real directory");
        }
        Path absolute = archive.toAbsolutePath().normalize();
        if (realPathOf(absolute).startsWith(realPathOf(dataDir.toAbsolutePath().normalize()))) {
            throw invalid("WAL archive " + archive + " is inside the data directory " + dataDir + "; keep the"
                    + " archive outside it (best on another disk)");
        }
        if (!Files.exists(archive, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = absolute.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw invalid("WAL archive " + archive + ": its parent directory " + parent + " does not exist"
                        + " (create it first)");
            }
            return;
        }
        if (!Files.isDirectory(archive, LinkOption.NOFOLLOW_LINKS)) {
            throw invalid("WAL archive " + archive + " exists and is not a directory");
        }
        if (Files.exists(archive.resolve(WalArchive.ID_FILE), LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.exists(dataDir.resolve(ControlFile.NAME))) {
                // A new database gets a new id, which no existing archive can belong to.
                throw invalid("WAL archive " + archive + " already holds the WAL of a database, and " + dataDir
                        + " holds no database yet; a new database needs a new or empty archive directory");
            }
            return;
        }
        try (Stream<Path> entries = Files.list(archive)) {
            if (entries.findAny().isPresent()) {
                throw invalid("WAL archive " + archive + " is not empty and has no " + WalArchive.ID_FILE
                        + ": it is not a PowDB WAL archive; give a new or empty directory, or the archive itself");
            }
        } catch (IOException e) {
            throw new PowDbException(dev.powdb.storage.ErrorCode.IO, "cannot read WAL archive " + archive + ": "
                    + e.getMessage(), e);
        }
    }

    /** {@code path} with its longest existing ancestor resolved to its real path (links followed). */
    private static Path realPathOf(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path));
        } catch (IOException e) {
            return path;   // unresolvable: compare as written; the engine reports any real problem
        }
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
