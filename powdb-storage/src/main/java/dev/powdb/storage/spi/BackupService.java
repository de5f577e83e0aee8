package dev.powdb.storage.spi;

import dev.powdb.storage.Database;

import java.nio.file.Path;

/**
 * Implemented by the backup module and found with {@link java.util.ServiceLoader}, so that
 * {@link Database#backup(Path)} works whenever that module is on the class path while storage does not depend on
 * it.
 */
public interface BackupService {
    /**
     * Takes a backup of {@code db} into {@code dest}: full when {@code base} is null, else incremental on top of the
     * backup at {@code base}.
     *
     * @return what was written
     */
    BackupSummary backup(Database db, Path dest, Path base);
}
