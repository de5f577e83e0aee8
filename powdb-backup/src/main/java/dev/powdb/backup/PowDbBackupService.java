package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.spi.BackupService;
import dev.powdb.storage.spi.BackupSummary;

import java.nio.file.Path;

/** Makes {@link Database#backup(Path)} use this module (registered in {@code META-INF/services}). */
public final class PowDbBackupService implements BackupService {
    @Override
    public BackupSummary backup(Database db, Path dest, Path base) {
        return base == null ? Backups.full(db, dest, BackupProgress.NONE)
                : Backups.incremental(db, dest, base, BackupProgress.NONE);
    }
}
