package dev.powdb.bench.backup;

import java.nio.file.Path;

/**
 * One database and its backup tool under test. {@link BackupBench} drives it: {@link #load} once per data size, then
 * for every run and cache mode a full backup, its checks, a restore, a change of the same rows and, where supported,
 * an incremental backup and a restore of the chain. Only the calls documented as timed are inside the stopwatch;
 * the bench adds a {@code sync} after each of them (timed too) so output a tool left unsynced is on disk.
 *
 * <p>The table is the storage benchmark's {@code users(id, name, age)} shape filled by a {@link RowSource}.
 */
interface BackupSystem extends AutoCloseable {

    /** Short name for tables: PowDB, cp, SQLite, RocksDB, H2. */
    String name();

    /** Version and the settings that matter for reading the results, one line. */
    String describe() throws Exception;

    /**
     * Untimed. Creates the database in {@code dataDir} (an empty directory owned by this system), loads every row of
     * {@code rows} and leaves it settled (checkpointed, flushed, compacted as the engine does) and ready for
     * {@link #fullBackup}.
     */
    void load(Path dataDir, RowSource rows) throws Exception;

    /** The directory whose size is this system's "data on disk" (the source of a backup). */
    Path dataDir();

    /**
     * Bytes of the source a backup has to cover, the basis of every MB/s: by default everything in
     * {@link #dataDir()}.
     */
    default long sourceBytes() throws Exception {
        return Disk.sizeBytes(dataDir());
    }

    /** Timed. Writes a full backup to {@code dest}, which does not exist yet (its parent does). */
    void fullBackup(Path dest) throws Exception;

    /**
     * What {@link #verify} does, for the report, or null when the system has no deep check of a backup of its own
     * (only the {@code b3sum} reference then runs).
     */
    String verifyMethod();

    /** Timed. Checks the backup at {@code backup} as deeply as the system can; throws when it finds damage. */
    void verify(Path backup) throws Exception;

    /** Timed. Restores the backup at {@code backup} into {@code dest}, which does not exist yet. */
    void restore(Path backup, Path dest) throws Exception;

    /**
     * Untimed. Opens the restored database at {@code dir} and returns its row count and the sum of its ages, so the
     * bench can check that the restore gave back what was backed up.
     */
    long[] countAndAgeSum(Path dir) throws Exception;

    /** Untimed. Adds one to the age of each row whose id is in {@code ids} (distinct ids), durably committed. */
    void change(long[] ids) throws Exception;

    /** Whether the system takes incremental backups. */
    boolean supportsIncremental();

    /**
     * Timed. Backs up what changed since the backup at {@code base} into {@code dest} (which does not exist yet; a
     * system that keeps a chain inside the base's directory ignores it).
     *
     * @return the bytes the increment added to disk
     */
    long incrementalBackup(Path base, Path dest) throws Exception;

    /** Timed. Restores the full backup at {@code base} with the increment at {@code increment} into {@code dest}. */
    void restoreChain(Path base, Path increment, Path dest) throws Exception;

    /**
     * Page size in bytes when the engine changes its data files in place page by page, so the bench can count the
     * pages a change touched ({@link PageDiff}); 0 when that count means nothing for the engine.
     */
    default int pageBytes() {
        return 0;
    }

    /** Closes the database; called once, also after a failure. */
    @Override
    void close() throws Exception;
}
