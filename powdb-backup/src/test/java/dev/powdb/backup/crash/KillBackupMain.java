package dev.powdb.backup.crash;

import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.BackupProgress;
import dev.powdb.backup.Backups;
import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.spi.BackupSummary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Child process of {@code BackupSigkillTest}: one thread commits rows {@code id = start, start+1, ...} in
 * {@code full} sync mode and prints {@code ack <id>} after each commit returns, while the main thread takes backups
 * into {@code <backups>/r<round>-<n>} in a loop (every fourth a full backup, the others increments on the newest
 * complete backup, which may come from an earlier, killed round) and prints {@code backup <name> <lsn>}, until it is
 * killed.
 */
public final class KillBackupMain {
    private KillBackupMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path backups = Path.of(args[1]);
        String round = args[2];
        long start = Long.parseLong(args[3]);
        DatabaseOptions opts = DatabaseOptions.defaults().withSyncMode(SyncMode.FULL).withWalSegmentBytes(128 * 1024)
                .withCheckpointWalBytes(512 * 1024);
        Database db = Database.open(dir, opts);
        if (db.tables().isEmpty()) {
            db.createTable(new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.optional("pad", ColumnType.STR)), List.of(new IndexDef("id", true))));
        }
        System.out.println("ready");
        System.out.flush();
        String pad = "p".repeat(200);
        Thread inserter = new Thread(() -> {
            for (long id = start; ; id++) {
                db.insertValues("t", id, pad + id);
                System.out.println("ack " + id);
                if (id % 20 == 0) {
                    // At most about 2,000 commits a second: on tmpfs, where an fsync costs nothing, an unpaced
                    // writer grew the database so fast that each round's backups, checks and restores took
                    // minutes.
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "inserter");
        inserter.setDaemon(true);
        inserter.start();
        for (int n = 0; ; n++) {
            Path base = newestBackup(backups);
            Path dest = backups.resolve("r" + round + "-" + n);
            BackupSummary s = base == null || n % 4 == 0 ? Backups.full(db, dest, BackupProgress.NONE)
                    : Backups.incremental(db, dest, base, BackupProgress.NONE);
            System.out.println("backup " + dest.getFileName() + " " + s.sourceLsn() + " "
                    + (s.startedAtLastCheckpoint() ? "last-checkpoint" : "new-checkpoint"));
        }
    }

    /** The complete backup (one with a manifest) with the highest source LSN, or null. */
    static Path newestBackup(Path backups) throws IOException {
        Path best = null;
        long bestLsn = -1;
        try (Stream<Path> s = Files.list(backups)) {
            for (Path p : s.toList()) {
                try {
                    BackupManifest m = Backups.manifest(p);
                    if (m.sourceLsn() > bestLsn) {
                        best = p;
                        bestLsn = m.sourceLsn();
                    }
                } catch (PowDbException notABackup) {
                    // an interrupted backup of a killed round
                }
            }
        }
        return best;
    }
}
