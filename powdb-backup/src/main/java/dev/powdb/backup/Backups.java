package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.spi.BackupSummary;

import java.nio.file.Path;
import java.util.List;

/**
 * Entry points of the backup system: full and incremental backups of an open database, restore, verify and reading
 * a backup's manifest. The operator's guide is {@code docs/backup.md}; the on-disk formats are in
 * {@code docs/formats/backup.md}.
 */
public final class Backups {
    private Backups() {
    }

    /**
     * Takes a full backup of {@code db} into {@code dest}, which must not exist (its parent must) or be an empty
     * directory, and must not lie inside the data directory. Write transactions of this process wait while the
     * files are copied; reads go on.
     *
     * @throws BackupException INVALID_ARGUMENT for a refused destination (nothing written), IO when writing fails
     *                         (the partial backup is removed; a directory without {@code manifest.json} is never a
     *                         backup)
     */
    public static BackupSummary full(Database db, Path dest, BackupProgress progress) {
        return BackupWriter.write(db, dest, null, progress);
    }

    /**
     * Takes an incremental backup of {@code db} into {@code dest}: the pages changed since the backup at
     * {@code base} (a full backup or an increment of this database), whole small files, and which files were
     * removed. Refuses a base that is not a backup, is damaged, or is newer than the database.
     */
    public static BackupSummary incremental(Database db, Path dest, Path base, BackupProgress progress) {
        return BackupWriter.write(db, dest, base, progress);
    }

    /**
     * Restores the full backup {@code backup} with the increments {@code increments} applied in order into
     * {@code dest} (which must not exist, or be an empty real directory). Validates everything before writing,
     * stages beside {@code dest}, checks every byte's BLAKE3 while copying, publishes with one atomic rename and
     * finally opens the result to prove it.
     */
    public static RestoreSummary restore(Path backup, List<Path> increments, Path dest, BackupProgress progress) {
        return Restorer.restore(backup, increments, dest, progress);
    }

    /**
     * Restores like {@link #restore(Path, List, Path, BackupProgress)}, then replays WAL from the archive of
     * {@code target} up to the target (point-in-time restore). The archive must hold the WAL from the last
     * backup's start on without a gap up to the target; the target must not be before the last backup's end.
     */
    public static RestoreSummary restore(Path backup, List<Path> increments, Path dest, RestoreTarget target,
                                         BackupProgress progress) {
        return Restorer.restore(backup, increments, dest, target, progress);
    }

    /** Describes the WAL archive at {@code dir}: its window, restore points, gaps and (when {@code check}) damage. */
    public static ArchiveInfo archiveInfo(Path dir, boolean check) {
        return ArchiveInfo.of(dir, check);
    }

    /**
     * Checks a backup (and the increments on top of it). Problems with the backup are reported, not thrown.
     *
     * @param drillDir when not null, also restores into this directory (must not exist or be empty), opens and
     *                 verifies the result and compares it with the manifest; the drill's copy is left there
     * @throws BackupException INVALID_ARGUMENT for a refused drill directory
     */
    public static BackupVerifyReport verify(Path backup, List<Path> increments, VerifyLevel level, Path drillDir,
                                            BackupProgress progress) {
        return BackupVerifier.verify(backup, increments, level, drillDir, progress);
    }

    /**
     * Reads and validates the manifest of the backup directory {@code backup}.
     *
     * @throws BackupException NOT_FOUND when {@code backup} is not a backup directory
     * @throws ManifestException when the manifest is damaged
     */
    public static BackupManifest manifest(Path backup) {
        return BackupChain.readManifest(backup);
    }
}
