package dev.powdb.bench.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * File-system chores of the backup benchmark: sizes, deleting trees, the guarded work directory, {@code sync},
 * dropping the OS page cache and warming it, and running the external commands ({@code cp}, {@code b3sum}).
 */
public final class Disk {
    /** Marks a directory as created (and so deletable) by this benchmark. */
    public static final String MARKER = ".powdb-backup-bench-workdir";

    private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    private Disk() {
    }

    /** Total bytes of the regular files below {@code dir} (0 when it does not exist). Symlinks are not followed. */
    public static long sizeBytes(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
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

    /** Regular files below {@code dir}, sorted by path. */
    public static List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = new ArrayList<>();
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().forEach(files::add);
            return files;
        }
    }

    /** Deletes {@code path} and everything below it, never following symlinks; nothing happens when it is missing. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
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

    /**
     * Empties {@code dir} for a new run, creating it when missing. A directory that holds anything is only emptied
     * when it carries {@link #MARKER}, so a mistyped {@code --dir} cannot wipe somebody's files.
     *
     * @throws IOException when {@code dir} is not a directory, or holds files but no marker
     */
    public static void resetWorkDir(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("--dir " + dir + " exists and is not a directory (or is a symlink)");
            }
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(MARKER))) {
                throw new IOException("refusing to empty --dir " + dir.toAbsolutePath() + ": it holds files but no "
                        + MARKER + ", so this benchmark did not create it; pick another directory");
            }
            deleteTree(dir);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "work directory of the PowDB backup benchmark; emptied on every run\n");
    }

    /** Runs {@code sync(1)}: every dirty page of the machine goes to disk. */
    public static void syncAll() throws IOException {
        run(List.of("sync"));
    }

    /** Whether this process may drop the OS page cache (root, writable {@code /proc/sys/vm/drop_caches}). */
    public static boolean canDropCaches() {
        return Files.isWritable(DROP_CACHES);
    }

    /** Syncs, then drops the page cache, dentries and inodes (needs root). */
    public static void dropCaches() throws IOException {
        syncAll();
        Files.writeString(DROP_CACHES, "3\n");
    }

    /** Reads every regular file below each path once, so the OS page cache holds them. */
    public static void warm(List<Path> paths) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        for (Path root : paths) {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            for (Path file : regularFiles(root)) {
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                    while (in.read(buffer) >= 0) {
                        buffer.clear();
                    }
                }
                buffer.clear();
            }
        }
    }

    /** Bytes free for this user on the file system holding {@code dir}. */
    public static long usableBytes(Path dir) throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * Runs an external command, waiting up to an hour, with its output discarded unless it fails.
     *
     * @throws IOException when it cannot start, exits non-zero (the message holds its output) or times out
     */
    public static String run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process process = pb.start();
        byte[] output;
        try {
            output = process.getInputStream().readAllBytes();
            if (!process.waitFor(1, TimeUnit.HOURS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": still running after an hour");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        String text = new String(output, java.nio.charset.StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                    + text.strip());
        }
        return text;
    }
}
