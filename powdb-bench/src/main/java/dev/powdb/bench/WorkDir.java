package dev.powdb.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The benchmark's work directory: deleted and recreated at the start of every run, and only ever deleted when it
 * is empty or carries {@link #MARKER}, so a mistyped {@code --dir} cannot wipe somebody's data.
 */
final class WorkDir {
    /** File that marks a directory as created by this benchmark. */
    static final String MARKER = ".powdb-bench-workdir";

    private WorkDir() {
    }

    /**
     * Deletes {@code dir} (when it exists and may be deleted) and creates it again, empty but for the marker.
     *
     * @throws IOException when {@code dir} is not a directory, or holds files but no marker
     */
    static void reset(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("--dir " + dir + " exists and is not a directory (or is a symlink)");
            }
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new IOException("refusing to delete --dir " + dir.toAbsolutePath() + ": it is not empty and "
                        + "was not created by this benchmark (no " + MARKER + " file); pick another directory");
            }
            deleteTree(dir);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "work directory of powdb-bench; deleted on every run\n");
    }

    /** Total size in bytes of the regular files under {@code dir}. */
    static long sizeBytes(Path dir) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total.addAndGet(attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /** Deletes a tree without following symlinks (a link is removed, never its target). */
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
}
