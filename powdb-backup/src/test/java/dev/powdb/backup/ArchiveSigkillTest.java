package dev.powdb.backup;

import dev.powdb.backup.crash.KillArchiveMain;
import dev.powdb.backup.crash.KillRestoreMain;
import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.TableSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real processes killed with SIGKILL while they archive WAL (committing all the time, so segments are sealed and
 * copied while the kill lands) and while a point-in-time restore replays WAL from the archive.
 */
class ArchiveSigkillTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    private static final long SEED = Long.getLong("powdb.backup.seed", 77L);

    static final TableSchema T = new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
            ColumnDef.optional("s", ColumnType.STR)), List.of(new IndexDef("id", true)));

    private static DatabaseOptions archiving(Path archive) {
        return DatabaseOptions.defaults().withWalSegmentBytes(64 * 1024).withArchive(archive);
    }

    @Test
    void killsWhileArchivingLoseNoCommittedWalAndLeaveNoGap() throws Exception {
        Random rnd = new Random(SEED);
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        try (Database db = Database.open(data, archiving(archive))) {
            db.createTable(T);
            Backups.full(db, tmp.resolve("full"), BackupProgress.NONE);
        }
        long next = 0;
        long acknowledged = -1;
        for (int round = 0; round < 4; round++) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Process p = BackupSigkillTest.java(KillArchiveMain.class, lines, data.toString(), archive.toString(),
                    String.valueOf(next));
            int commits = 300 + rnd.nextInt(900);
            try {
                assertEquals("ready", BackupSigkillTest.next(lines));
                for (int i = 0; i < commits; i++) {
                    String line = BackupSigkillTest.next(lines);
                    assertTrue(line.startsWith("c "), line);
                    acknowledged = Long.parseLong(line.substring(2));
                }
            } finally {
                BackupSigkillTest.kill(p);
            }
            // Every acknowledged commit survives; rows committed but not yet acknowledged may too.
            try (Database db = Database.open(data, archiving(archive))) {
                long count = db.count("t", r -> true);
                assertTrue(count >= acknowledged + 1, "round " + round + ": " + count + " rows, " + (acknowledged + 1)
                        + " acknowledged");
                next = count;
            }
            ArchiveInfo info = Backups.archiveInfo(archive, true);
            assertTrue(info.intact(), "round " + round + ": " + info.gaps() + " " + info.damaged());
        }
        // A clean close archived everything: the archive restores the database as it is.
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("r"), RestoreTarget.end(archive),
                BackupProgress.NONE);
        try (Database live = Database.openExisting(data, DatabaseOptions.defaults());
             Database restored = Database.openExisting(tmp.resolve("r"), DatabaseOptions.defaults())) {
            assertEquals(live.count("t", r -> true), restored.count("t", r -> true));
            assertEquals(next, restored.count("t", r -> true));
        }
    }

    @Test
    void killsDuringPointInTimeReplayNeverPublishAPartialDatabase() throws Exception {
        Random rnd = new Random(SEED);
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        long rows = 0;
        try (Database db = Database.open(data, archiving(archive).withCheckpointWalBytes(0))) {
            db.createTable(T);
            Backups.full(db, tmp.resolve("full"), BackupProgress.NONE);
            String pad = "q".repeat(600);
            for (int batch = 0; batch < 20; batch++) {
                try (var tx = db.begin()) {
                    for (int i = 0; i < 1000; i++) {
                        tx.insert("t", java.util.Map.of("id", rows++, "s", pad));
                    }
                    tx.commit();
                }
            }
        }
        assertTrue(Backups.archiveInfo(archive, false).bytes() > 8L << 20);
        Path dest = tmp.resolve("dest");
        // Fractions of the bytes copied; above 1: after the last byte, while the staged copy is opened (replay).
        double[] points = {0.3 + 0.4 * rnd.nextDouble(), 1.0 + 0.05 * rnd.nextDouble(), 1.0 + 0.3 * rnd.nextDouble(),
                1.0 + rnd.nextDouble()};
        for (double point : points) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Process p = BackupSigkillTest.java(KillRestoreMain.class, lines, tmp.resolve("full").toString(),
                    dest.toString(), archive.toString());
            boolean done = false;
            try {
                assertEquals("ready", BackupSigkillTest.next(lines));
                String begin = BackupSigkillTest.next(lines);
                long total = Long.parseLong(begin.substring(6));
                long target = (long) (Math.min(point, 1.0) * total);
                for (String line = BackupSigkillTest.next(lines); ; line = BackupSigkillTest.next(lines)) {
                    if (line.equals("done") || line.equals("<eof>")) {
                        done = line.equals("done");
                        break;
                    }
                    if (line.startsWith("p ") && Long.parseLong(line.substring(2)) >= target) {
                        if (point > 1.0) {
                            Thread.sleep((long) ((point - 1.0) * 400));
                        }
                        break;
                    }
                }
            } finally {
                BackupSigkillTest.kill(p);
            }
            String context = "replay killed at " + String.format("%.2f", point) + " (seed " + SEED + ")";
            if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
                    assertEquals(rows, db.count("t", r -> true), context + ": a partial restore was published");
                } catch (PowDbException e) {
                    fail(context + ": a target that does not open was published: " + e.getMessage());
                }
                BackupFixtures.deleteTree(dest);
            } else {
                assertFalse(done, context + ": finished but published nothing");
            }
            for (String name : BackupFixtures.list(tmp)) {
                assertTrue(List.of("data", "archive", "full").contains(name)
                        || name.matches("\\.dest\\.restore-[0-9a-f]+"), context + ": left beside the target: " + name);
            }
        }
        RestoreSummary s = Backups.restore(tmp.resolve("full"), List.of(), dest, RestoreTarget.end(archive),
                BackupProgress.NONE);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(rows, db.count("t", r -> true));
        }
        assertTrue(s.sourceLsn() > 0);
    }
}
