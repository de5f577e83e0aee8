package dev.powdb.storage;

import dev.powdb.storage.io.OsStorageFs;
import dev.powdb.storage.io.StorageFs;

/**
 * Settings for {@link Database#open(java.nio.file.Path, DatabaseOptions)}. Immutable; each {@code with...} returns
 * a copy.
 */
public final class DatabaseOptions {
    private final SyncMode syncMode;
    private final int bufferPoolPages;
    private final long walSegmentBytes;
    private final long checkpointWalBytes;
    private final long normalSyncIntervalMillis;
    private final StorageFs fs;
    private final java.nio.file.Path archive;

    private DatabaseOptions(SyncMode syncMode, int bufferPoolPages, long walSegmentBytes, long checkpointWalBytes,
                            long normalSyncIntervalMillis, StorageFs fs, java.nio.file.Path archive) {
        this.archive = archive;
        this.syncMode = syncMode;
        this.bufferPoolPages = bufferPoolPages;
        this.walSegmentBytes = walSegmentBytes;
        this.checkpointWalBytes = checkpointWalBytes;
        this.normalSyncIntervalMillis = normalSyncIntervalMillis;
        this.fs = fs;
    }

    /**
     * Defaults: sync {@code full}, a 64 MiB buffer pool (16384 pages), 16 MiB WAL segments, a checkpoint after
     * 64 MiB of WAL, fsync every 200 ms in {@code normal} mode, the operating system's file layer.
     */
    public static DatabaseOptions defaults() {
        return new DatabaseOptions(SyncMode.FULL, 16384, 16L << 20, 64L << 20, 200, OsStorageFs.INSTANCE, null);
    }

    public SyncMode syncMode() {
        return syncMode;
    }

    /** Pages (4096 bytes each) the buffer pool keeps in memory. */
    public int bufferPoolPages() {
        return bufferPoolPages;
    }

    /** Size in bytes at which a WAL segment is sealed and a new one started. */
    public long walSegmentBytes() {
        return walSegmentBytes;
    }

    /** WAL bytes written since the last checkpoint that trigger an automatic checkpoint. */
    public long checkpointWalBytes() {
        return checkpointWalBytes;
    }

    /** Longest time between fsyncs in {@link SyncMode#NORMAL}. */
    public long normalSyncIntervalMillis() {
        return normalSyncIntervalMillis;
    }

    /** The file layer (tests substitute a fault-injecting one). */
    public StorageFs fs() {
        return fs;
    }

    public DatabaseOptions withSyncMode(SyncMode mode) {
        return new DatabaseOptions(mode, bufferPoolPages, walSegmentBytes, checkpointWalBytes,
                normalSyncIntervalMillis, fs, archive);
    }

    public DatabaseOptions withBufferPoolPages(int pages) {
        if (pages < 64) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "buffer pool must hold at least 64 pages, got "
                    + pages);
        }
        return new DatabaseOptions(syncMode, pages, walSegmentBytes, checkpointWalBytes, normalSyncIntervalMillis,
                fs, archive);
    }

    public DatabaseOptions withWalSegmentBytes(long bytes) {
        if (bytes < 64 * 1024) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "WAL segment size must be at least 64 KiB, got "
                    + bytes);
        }
        return new DatabaseOptions(syncMode, bufferPoolPages, bytes, checkpointWalBytes, normalSyncIntervalMillis,
                fs, archive);
    }

    /** @param bytes WAL volume that triggers an automatic checkpoint; 0 disables automatic checkpoints */
    public DatabaseOptions withCheckpointWalBytes(long bytes) {
        if (bytes < 0) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "checkpoint WAL size must not be negative");
        }
        return new DatabaseOptions(syncMode, bufferPoolPages, walSegmentBytes, bytes, normalSyncIntervalMillis, fs,
                archive);
    }

    public DatabaseOptions withNormalSyncIntervalMillis(long millis) {
        if (millis < 1) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "sync interval must be at least 1 ms");
        }
        return new DatabaseOptions(syncMode, bufferPoolPages, walSegmentBytes, checkpointWalBytes, millis, fs, archive);
    }

    public DatabaseOptions withFs(StorageFs fileSystem) {
        return new DatabaseOptions(syncMode, bufferPoolPages, walSegmentBytes, checkpointWalBytes,
                normalSyncIntervalMillis, java.util.Objects.requireNonNull(fileSystem), archive);
    }

    /** The WAL archive directory, or null when WAL is not archived. */
    public java.nio.file.Path archive() {
        return archive;
    }

    /**
     * Archives the WAL into {@code dir}: every sealed segment is copied there (hashed, fsynced, listed) by a
     * background thread, no segment is deleted before it is archived, and a clean close seals and archives the
     * last one. Together with a backup this allows restoring to any moment covered. Needs the
     * {@code powdb-backup} module on the class path; {@code null} turns archiving off.
     */
    public DatabaseOptions withArchive(java.nio.file.Path dir) {
        return new DatabaseOptions(syncMode, bufferPoolPages, walSegmentBytes, checkpointWalBytes,
                normalSyncIntervalMillis, fs, dir);
    }
}
