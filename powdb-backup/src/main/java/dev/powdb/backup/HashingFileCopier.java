package dev.powdb.backup;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies a file into a directory durably and atomically, computing the BLAKE3 of the bytes it writes in the same
 * pass.
 *
 * <p>A copy of {@code source} to {@code dir/name}:
 * <ol>
 *   <li>refuses a source that is not a regular file (symlinks are not followed), a missing destination directory,
 *       and an existing {@code dir/name};</li>
 *   <li>writes {@code dir/.name.tmp} (created new, permissions {@code 0600} where POSIX permissions exist) in blocks
 *       of {@link #BLOCK_BYTES}; while one block is hashed and written, a background thread reads the next one, so
 *       at most two blocks are in memory whatever the file size;</li>
 *   <li>feeds BLAKE3 exactly the bytes handed to the write of the temporary file, so the returned hash describes
 *       what was written, not a second read of the source;</li>
 *   <li>fsyncs the temporary file, renames it atomically to {@code name}, and fsyncs the directory.</li>
 * </ol>
 * On any failure the temporary file (and, if the failure came after the rename, the renamed file) is deleted and the
 * error is rethrown, so a failed copy leaves nothing behind. A stale temporary file of an earlier crashed copy is
 * removed before copying.
 *
 * <p>One instance owns one reader thread; {@link #close()} stops it. Copies through one instance may run
 * concurrently only if they target different names.
 */
public final class HashingFileCopier implements AutoCloseable {
    /** Size of a copy block in bytes (1 MiB). */
    public static final int BLOCK_BYTES = 1 << 20;

    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS =
            PosixFilePermissions.fromString("rwx------");

    /** What a finished copy wrote: its length in bytes and the BLAKE3 of those bytes (64 lower-case hex). */
    public record Result(long lengthBytes, String blake3Hex) {
    }

    /** Test seams: each may throw to simulate a failure at that step. */
    interface Hooks {
        Hooks NONE = new Hooks() {
        };

        default void afterBlockWritten(Path temporary, long bytesWritten) throws IOException {
        }

        default void beforeRename(Path temporary) throws IOException {
        }

        default void beforeDirectorySync(Path target) throws IOException {
        }
    }

    private final int blockBytes;
    private final Hooks hooks;
    private final ExecutorService reader;

    /** A copier with 1 MiB blocks. */
    public HashingFileCopier() {
        this(BLOCK_BYTES, Hooks.NONE);
    }

    HashingFileCopier(int blockBytes, Hooks hooks) {
        if (blockBytes <= 0) {
            throw new IllegalArgumentException("blockBytes must be positive: " + blockBytes);
        }
        this.blockBytes = blockBytes;
        this.hooks = hooks;
        this.reader = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "powdb-backup-copy-reader");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The temporary name a copy to {@code name} writes first: {@code .name.tmp}. */
    public static String temporaryName(String name) {
        return "." + name + ".tmp";
    }

    /**
     * Copies {@code source} to {@code destinationDir/name} as described in the class comment.
     *
     * @param name plain file name: not empty, not starting with {@code .}, no {@code /}, {@code \} or NUL
     * @return the number of bytes written and their BLAKE3
     * @throws IllegalArgumentException if {@code name} is not a plain file name
     * @throws FileAlreadyExistsException if {@code destinationDir/name} exists
     * @throws IOException if the source is not a regular file, the destination directory is missing, or any I/O
     *     step fails (nothing is left behind)
     */
    public Result copy(Path source, Path destinationDir, String name) throws IOException {
        checkPlainName(name);
        if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(source + ": not a regular file (missing, a directory, a symlink or a special"
                    + " file); only regular files are copied");
        }
        if (!Files.isDirectory(destinationDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(destinationDir.toString(), null, "destination directory does not exist");
        }
        Path target = destinationDir.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null, "copy refuses to replace a file");
        }
        Path temporary = destinationDir.resolve(temporaryName(name));
        Files.deleteIfExists(temporary);
        boolean posix = supportsPosix(destinationDir);
        boolean created = false;
        boolean renamed = false;
        try {
            Result result;
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                 FileChannel out = createTemporary(temporary, posix)) {
                created = true;
                if (posix) {
                    // The creation mode is filtered by the umask; set it explicitly.
                    Files.setPosixFilePermissions(temporary, FILE_PERMISSIONS);
                }
                result = pump(in, out, temporary);
                out.force(true);
            }
            hooks.beforeRename(temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            hooks.beforeDirectorySync(target);
            syncDirectory(destinationDir);
            return result;
        } catch (Throwable failure) {
            if (created) {
                deleteQuietly(renamed ? target : temporary, failure);
            }
            throw failure;
        }
    }

    private static FileChannel createTemporary(Path temporary, boolean posix) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        return posix ? FileChannel.open(temporary, options, PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS))
                : FileChannel.open(temporary, options);
    }

    /** Reads {@code in} to its end, hashing and writing each block while the next one is read. */
    private Result pump(FileChannel in, FileChannel out, Path temporary) throws IOException {
        ByteBuffer current = ByteBuffer.allocate(blockBytes);
        ByteBuffer next = ByteBuffer.allocate(blockBytes);
        Blake3 hasher = new Blake3();
        long written = 0;
        fill(in, current);
        while (current.position() > 0) {
            current.flip();
            // A short block means end of file was reached: no read ahead needed.
            ByteBuffer ahead = next;
            Future<Integer> pending = current.limit() == blockBytes ? reader.submit(() -> fill(in, ahead)) : null;
            try {
                ByteBuffer toWrite = current.duplicate();
                while (toWrite.hasRemaining()) {
                    out.write(toWrite);
                }
                hasher.update(current);
                written += current.limit();
                hooks.afterBlockWritten(temporary, written);
            } catch (Throwable failure) {
                awaitQuietly(pending, failure);
                throw failure;
            }
            if (pending == null) {
                break;
            }
            await(pending);
            next = current;
            current = ahead;
        }
        return new Result(written, hasher.finishHex());
    }

    /** Reads into {@code buffer} until it is full or the channel ends; returns the bytes read. */
    private static int fill(FileChannel in, ByteBuffer buffer) throws IOException {
        buffer.clear();
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                break;
            }
        }
        return buffer.position();
    }

    private static void await(Future<Integer> pending) throws IOException {
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the copy source");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException("reading the copy source failed", cause);
        }
    }

    /** Waits for a read ahead before the channels close under it; its own failure is attached to {@code primary}. */
    private static void awaitQuietly(Future<Integer> pending, Throwable primary) {
        if (pending == null) {
            return;
        }
        try {
            await(pending);
        } catch (Throwable secondary) {
            primary.addSuppressed(secondary);
        }
    }

    private static void deleteQuietly(Path path, Throwable primary) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /**
     * Creates exactly one directory (its parent must exist) with permissions {@code 0700} where POSIX permissions
     * exist, and fsyncs the parent so the new entry is durable.
     *
     * @throws FileAlreadyExistsException if {@code dir} exists
     * @throws IOException if creation, the permission change or the fsync fails (a directory created by this call is
     *     removed again)
     */
    public static void createPrivateDirectory(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        boolean posix = supportsPosix(parent == null ? absolute : parent);
        if (posix) {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS));
        } else {
            Files.createDirectory(absolute);
        }
        try {
            if (posix) {
                Files.setPosixFilePermissions(absolute, DIRECTORY_PERMISSIONS);
            }
            if (parent != null) {
                syncDirectory(parent);
            }
        } catch (Throwable failure) {
            deleteQuietly(absolute, failure);
            throw failure;
        }
    }

    /**
     * Fsyncs a directory so that entries created, renamed or deleted in it survive a crash. A no-op on file systems
     * without POSIX semantics, where directories cannot be opened for syncing.
     */
    public static void syncDirectory(Path dir) throws IOException {
        if (!supportsPosix(dir)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void checkPlainName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a plain file name (empty, starting with '.', or containing '/',"
                    + " '\\' or NUL): '" + name + "'");
        }
    }

    /** Stops the reader thread. Copies must not be running. */
    @Override
    public void close() {
        reader.shutdownNow();
    }
}
