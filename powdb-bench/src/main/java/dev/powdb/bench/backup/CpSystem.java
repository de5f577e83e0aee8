package dev.powdb.bench.backup;

import dev.powdb.storage.Database;

import java.nio.file.Path;
import java.util.List;

/**
 * The floor any backup tool is measured against: {@code cp -r} of PowDB's closed data directory (the same bytes
 * PowDB's own backup reads), and {@code cp -r} back for a restore. {@code cp} does not fsync; the bench's
 * {@code sync} after each step makes the copy durable and is part of the time.
 */
final class CpSystem implements BackupSystem {
    private Path dataDir;

    @Override
    public String name() {
        return "cp";
    }

    @Override
    public String describe() throws Exception {
        String version = Disk.run(List.of("cp", "--version")).lines().findFirst().orElse("cp");
        return version + ": cp -r of PowDB's closed data directory, then sync";
    }

    @Override
    public void load(Path dataDir, RowSource rows) {
        this.dataDir = dataDir;
        try (Database db = PowDbLoad.createAndLoad(dataDir, rows)) {
            db.checkpoint();
        }
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void fullBackup(Path dest) throws Exception {
        Disk.run(List.of("cp", "-r", dataDir.toString(), dest.toString()));
    }

    @Override
    public String verifyMethod() {
        return null;
    }

    @Override
    public void verify(Path backup) {
        throw new UnsupportedOperationException("cp has no check of its own");
    }

    @Override
    public void restore(Path backup, Path dest) throws Exception {
        Disk.run(List.of("cp", "-r", backup.toString(), dest.toString()));
    }

    @Override
    public long[] countAndAgeSum(Path dir) {
        return PowDbLoad.countAndAgeSum(dir);
    }

    @Override
    public void change(long[] ids) {
        try (Database db = Database.openExisting(dataDir, PowDbLoad.options())) {
            PowDbLoad.addOneToAges(db, ids);
        }
    }

    @Override
    public boolean supportsIncremental() {
        return false;
    }

    @Override
    public long incrementalBackup(Path base, Path dest) {
        throw new UnsupportedOperationException("cp has no incremental mode");
    }

    @Override
    public void restoreChain(Path base, Path increment, Path dest) {
        throw new UnsupportedOperationException("cp has no incremental mode");
    }

    @Override
    public void close() {
        // nothing stays open: the database is closed after loading and after each change
    }
}
