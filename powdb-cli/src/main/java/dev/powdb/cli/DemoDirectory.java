package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The directory the demo works in, and the rule that keeps it from deleting anyone's data: the demo deletes a
 * directory only when it holds the marker file {@value #MARKER} that an earlier run wrote. A directory without the
 * marker is used only when it is empty; otherwise the demo is refused.
 *
 * <p>Layout: {@code data/} (the database), {@code backups/full}, {@code backups/incr-1}, {@code restored/}.
 */
final class DemoDirectory {
    /** Name of the marker file. */
    static final String MARKER = ".powdb-demo";

    private final Path root;

    private DemoDirectory(Path root) {
        this.root = root;
    }

    /**
     * Makes {@code root} a fresh demo directory holding only the marker: creates it, or empties it when an earlier
     * demo run made it.
     *
     * @throws PowDbException INVALID_ARGUMENT when {@code root} is not a directory, or is a non-empty directory
     *                        without the marker (nothing is touched); LOCKED when a database of an earlier run is
     *                        open in another process (a shell on {@code restored/}, say)
     */
    static DemoDirectory prepare(Path root) {
        try {
            if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                    throw refused(root + " exists and is not a directory; choose another with --dir");
                }
                if (Files.isRegularFile(root.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                    DemoDirectory previous = new DemoDirectory(root);
                    previous.requireNotInUse(previous.data());
                    previous.requireNotInUse(previous.restored());
                    deleteTree(root);
                } else if (!isEmpty(root)) {
                    throw refused(root + " is not empty and was not made by 'powdb demo' (it has no " + MARKER
                            + "); choose another directory with --dir");
                }
            }
            Files.createDirectories(root);
            Files.writeString(root.resolve(MARKER), "Made by 'powdb demo', which deletes and recreates this"
                    + " directory each time it runs.\n", StandardCharsets.UTF_8);
            Files.createDirectories(root.resolve("backups"));
            return new DemoDirectory(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the demo directory " + root + ": " + e.getMessage(), e);
        }
    }

    /** The demo's root directory, as given. */
    Path root() {
        return root;
    }

    /** {@code data/}: the database the demo builds. */
    Path data() {
        return root.resolve("data");
    }

    /** {@code backups/full}. */
    Path fullBackup() {
        return root.resolve("backups").resolve("full");
    }

    /** {@code backups/incr-1}. */
    Path incrementalBackup() {
        return root.resolve("backups").resolve("incr-1");
    }

    /** {@code restored/}: where the chain is restored. */
    Path restored() {
        return root.resolve("restored");
    }

    /**
     * Refuses to delete a database of an earlier run that another process has open: opening it is the one check
     * that the storage layer's lock makes reliable. A directory without a database is fine.
     */
    private void requireNotInUse(Path db) {
        try {
            Database.openExisting(db, DatabaseOptions.defaults()).close();   // it opened: no one else has it
        } catch (PowDbException e) {
            if (e.code() == ErrorCode.LOCKED) {
                throw new PowDbException(ErrorCode.LOCKED, "cannot start the demo again in " + root + ": "
                        + e.getMessage());
            }
            // NOT_FOUND, or damage from an earlier run: the directory is about to be deleted anyway
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Deletes {@code dir} and everything in it; symbolic links are deleted, never followed. */
    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static PowDbException refused(String message) {
        return new PowDbException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
