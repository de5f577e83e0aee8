package dev.powdb.bench.backup;

import dev.powdb.backup.BackupProgress;
import dev.powdb.backup.BackupVerifyReport;
import dev.powdb.backup.Backups;
import dev.powdb.backup.Blake3;
import dev.powdb.backup.VerifyLevel;
import dev.powdb.storage.Database;

import java.nio.file.Path;
import java.util.List;

/**
 * PowDB through {@code powdb-backup}'s {@link Backups} facade on an open database (loaded by {@link PowDbLoad}):
 * {@link Backups#full}, {@link Backups#verify} at {@link VerifyLevel#DEEP} (BLAKE3 of every stored byte, page
 * checksums, delta structure), {@link Backups#restore} (which stages, checks every byte's BLAKE3, fsyncs, renames and
 * opens the result) and {@link Backups#incremental}, all without progress reporting.
 */
final class PowDbSystem implements BackupSystem {
    private Path dataDir;
    private Database db;

    @Override
    public String name() {
        return "PowDB";
    }

    @Override
    public String describe() {
        String revision = System.getProperty("powdb.bench.revision", "this checkout");
        return "PowDB " + revision + " (powdb-backup Backups facade, in-process), sync NORMAL, buffer pool "
                + PowDbLoad.BUFFER_POOL_PAGES + " pages of " + PowDbLoad.PAGE_BYTES + " B; BLAKE3: "
                + Blake3.implementation();
    }

    @Override
    public void load(Path dataDir, RowSource rows) {
        this.dataDir = dataDir;
        db = PowDbLoad.createAndLoad(dataDir, rows);
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The data files without the WAL and {@code LOCK}: after the checkpoint the load ends with, the WAL directory
     * holds only a preallocated segment with nothing to replay, and a backup does not copy it.
     */
    @Override
    public long sourceBytes() throws Exception {
        return Disk.sizeBytes(dataDir) - Disk.sizeBytes(dataDir.resolve("wal"))
                - Disk.sizeBytes(dataDir.resolve("LOCK"));
    }

    @Override
    public void fullBackup(Path dest) {
        Backups.full(db, dest, BackupProgress.NONE);
    }

    @Override
    public String verifyMethod() {
        return "Backups.verify DEEP (BLAKE3 of every byte, page checksums)";
    }

    @Override
    public void verify(Path backup) {
        check(Backups.verify(backup, List.of(), VerifyLevel.DEEP, null, BackupProgress.NONE), backup);
    }

    private static void check(BackupVerifyReport report, Path backup) {
        if (!report.intact()) {
            throw new IllegalStateException("PowDB verify of " + backup + " found " + report.problems().size()
                    + " problem(s), first: " + report.problems().get(0));
        }
    }

    @Override
    public void restore(Path backup, Path dest) {
        Backups.restore(backup, List.of(), dest, BackupProgress.NONE);
    }

    @Override
    public long[] countAndAgeSum(Path dir) {
        return PowDbLoad.countAndAgeSum(dir);
    }

    @Override
    public void change(long[] ids) {
        PowDbLoad.addOneToAges(db, ids);
    }

    @Override
    public boolean supportsIncremental() {
        return true;
    }

    @Override
    public long incrementalBackup(Path base, Path dest) throws Exception {
        Backups.incremental(db, dest, base, BackupProgress.NONE);
        return Disk.sizeBytes(dest);
    }

    @Override
    public void restoreChain(Path base, Path increment, Path dest) {
        Backups.restore(base, List.of(increment), dest, BackupProgress.NONE);
    }

    @Override
    public int pageBytes() {
        return PowDbLoad.PAGE_BYTES;
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
