package dev.powdb.storage.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the engine uses. {@link OsStorageFs} is the real one; the test kit provides one that
 * keeps unsynced writes apart so a simulated crash can drop, zero, tear or corrupt them.
 */
public interface StorageFs {

    /** Opens a file for reading and writing, creating it when {@code create} is true. */
    StorageFile open(Path path, boolean create) throws IOException;

    /** Whether a regular file or directory exists at {@code path}. */
    boolean exists(Path path);

    /** Whether {@code path} is a directory. */
    boolean isDirectory(Path path);

    /** Names (not paths) of the entries of {@code dir}, in no particular order. */
    List<String> list(Path dir) throws IOException;

    /** Creates {@code dir} and any missing parents. */
    void createDirectories(Path dir) throws IOException;

    /** Deletes a file if it exists. */
    void deleteIfExists(Path path) throws IOException;

    /** Atomically renames {@code from} to {@code to}, replacing {@code to}. */
    void rename(Path from, Path to) throws IOException;

    /** Makes creations, renames and deletions in {@code dir} durable. */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Whether the engine may write and fsync this file system's files from threads of its own, at moments no
     * caller chose (the WAL reserves zeroed space ahead of its frames that way, off the commit path). False unless
     * a file system says otherwise: a test file system that reproduces a run from a seed and the sequence of its
     * calls needs every call to come from the test's own threads, and the engine then does that work on the
     * committing thread.
     */
    default boolean allowsBackgroundWrites() {
        return false;
    }

    /**
     * Takes the writer lock of a data directory.
     *
     * @param lockFile the {@code LOCK} file
     * @return a handle whose {@code close()} releases the lock
     * @throws dev.powdb.storage.PowDbException with code {@code LOCKED} when another process holds it
     */
    Closeable lock(Path lockFile) throws IOException;
}
