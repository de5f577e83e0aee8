package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's in-memory change tracking gives incremental backups exactly the pages a page-LSN scan finds (the
 * writer's debug check fails the backup otherwise), and after a reopen the backup falls back to the scan.
 */
class ChangeTrackingTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void check() {
        BackupWriter.checkTracker = true;
    }

    @AfterEach
    void uncheck() {
        BackupWriter.checkTracker = Boolean.getBoolean("powdb.backup.checkTracker");
    }

    @Test
    void trackedPagesEqualTheScanOverRandomWorkAndTheChainRestores() {
        for (long seed = 1; seed <= 3; seed++) {
            Random r = new Random(seed);
            Path run = tmp.resolve("s" + seed);
            Path data = run.resolve("data");
            List<Path> chain = new ArrayList<>();
            try (Database db = Database.open(data)) {
                BackupRoundTripTest.users(db);
                BackupRoundTripTest.load(db, 0, 3000);
                chain.add(run.resolve("b0"));
                Backups.full(db, chain.get(0), BackupProgress.NONE);
                int next = 3000;
                for (int round = 1; round <= 4; round++) {
                    try (Transaction tx = db.begin()) {
                        for (int i = 0; i < 50 + r.nextInt(300); i++) {
                            long id = r.nextInt(next);
                            switch (r.nextInt(3)) {
                                case 0 -> tx.updateBy("users", "id", id, Map.of("name", "n" + r.nextInt(50)));
                                case 1 -> tx.deleteBy("users", "id", id);
                                default -> tx.insert("users", Map.of("id", (long) next++, "name", "x"));
                            }
                        }
                        tx.commit();
                    }
                    if (r.nextBoolean()) {
                        db.checkpoint();
                    }
                    Path inc = run.resolve("b" + round);
                    Backups.incremental(db, inc, chain.get(chain.size() - 1), BackupProgress.NONE);
                    assertEquals("tracked", BackupWriter.lastChangeSource, "seed " + seed + " round " + round);
                    chain.add(inc);
                }
                String live = Snapshots.of(db);
                db.close();
                // The tracking windows are stored at checkpoints, so after a reopen even the oldest base (the
                // full backup) is still answered from them.
                try (Database again = Database.openExisting(data, DatabaseOptions.defaults())) {
                    again.insert("users", Map.of("id", 999_999L));
                    Backups.incremental(again, run.resolve("after-reopen"), chain.get(chain.size() - 1),
                            BackupProgress.NONE);
                    assertEquals("tracked", BackupWriter.lastChangeSource);
                    Backups.incremental(again, run.resolve("older-base"), chain.get(0), BackupProgress.NONE);
                    assertEquals("tracked", BackupWriter.lastChangeSource);
                    again.deleteBy("users", "id", 999_999L);
                    live = Snapshots.of(again);
                }
                Backups.restore(chain.get(0), chain.subList(1, chain.size()), run.resolve("r"), BackupProgress.NONE);
                try (Database restored = Database.openExisting(run.resolve("r"), DatabaseOptions.defaults())) {
                    assertEquals(live, Snapshots.of(restored), "seed " + seed);
                }
            }
        }
    }

    /** Random work with checkpoints, then a crash; returns the next free id. */
    private static int work(Database db, Random r, int next, int rounds) {
        for (int round = 0; round < rounds; round++) {
            try (Transaction tx = db.begin()) {
                for (int i = 0; i < 20 + r.nextInt(200); i++) {
                    long id = r.nextInt(next);
                    switch (r.nextInt(3)) {
                        case 0 -> tx.updateBy("users", "id", id, Map.of("name", "n" + r.nextInt(50)));
                        case 1 -> tx.deleteBy("users", "id", id);
                        default -> tx.insert("users", Map.of("id", (long) next++, "name", "x"));
                    }
                }
                tx.commit();
            }
            if (r.nextInt(3) == 0) {
                db.checkpoint();
            }
        }
        return next;
    }

    @Test
    void trackingSurvivesCrashesAndAgreesWithTheScan() throws Exception {
        for (long seed = 11; seed <= 14; seed++) {
            Random r = new Random(seed);
            Path run = tmp.resolve("c" + seed);
            Path data = run.resolve("data");
            List<Path> chain = new ArrayList<>();
            int next = 2000;
            Database db = Database.open(data);
            BackupRoundTripTest.users(db);
            BackupRoundTripTest.load(db, 0, next);
            chain.add(run.resolve("b0"));
            Backups.full(db, chain.get(0), BackupProgress.NONE);
            for (int crash = 0; crash < 3; crash++) {
                next = work(db, r, next, 1 + r.nextInt(4));
                db.engine().abandonForTesting(); // work after the last checkpoint is only in the WAL
                db = Database.open(data);
                next = work(db, r, next, 1 + r.nextInt(3));
                Path inc = run.resolve("i" + crash);
                Backups.incremental(db, inc, chain.get(chain.size() - 1), BackupProgress.NONE);
                assertEquals("tracked", BackupWriter.lastChangeSource, "seed " + seed + " crash " + crash);
                chain.add(inc);
                // An increment straight on the full backup is answered from the stored windows too.
                Backups.incremental(db, run.resolve("f" + crash), chain.get(0), BackupProgress.NONE);
                assertEquals("tracked", BackupWriter.lastChangeSource);
            }
            String live = Snapshots.of(db);
            db.close();
            Backups.restore(chain.get(0), chain.subList(1, chain.size()), run.resolve("r"), BackupProgress.NONE);
            try (Database restored = Database.openExisting(run.resolve("r"), DatabaseOptions.defaults())) {
                assertEquals(live, Snapshots.of(restored), "seed " + seed);
            }
        }
    }

    @Test
    void lostOrDamagedSummariesFallBackToTheScanAndSaySo() throws Exception {
        Path data = tmp.resolve("data");
        Random r = new Random(5);
        int next = 2000;
        try (Database db = Database.open(data)) {
            BackupRoundTripTest.users(db);
            BackupRoundTripTest.load(db, 0, next);
            Backups.full(db, tmp.resolve("b0"), BackupProgress.NONE);
            next = work(db, r, next, 4);
            db.checkpoint();
        }
        List<Path> summaries;
        try (var s = Files.list(data.resolve("track"))) {
            summaries = s.sorted().toList();
        }
        assertTrue(summaries.size() >= 2, summaries.toString());
        // Damage the newest window: the run of windows ending at the last checkpoint is broken.
        Path last = summaries.get(summaries.size() - 1);
        byte[] b = Files.readAllBytes(last);
        b[b.length / 2] ^= 0x10;
        Files.write(last, b);
        try (Database db = Database.open(data)) {
            assertFalse(Files.exists(last), "a damaged summary is removed at open");
            next = work(db, r, next, 2);
            Backups.incremental(db, tmp.resolve("i1"), tmp.resolve("b0"), BackupProgress.NONE);
            assertEquals("scanned", BackupWriter.lastChangeSource);
            // From this backup on, the windows reach back far enough again.
            next = work(db, r, next, 2);
            Backups.incremental(db, tmp.resolve("i2"), tmp.resolve("i1"), BackupProgress.NONE);
            assertEquals("tracked", BackupWriter.lastChangeSource);
            next = work(db, r, next, 2); // the closing checkpoint is then past i2's start
        }
        Targets.deleteTree(data.resolve("track"), new RuntimeException());
        try (Database db = Database.open(data)) {
            work(db, r, next, 2);
            Backups.incremental(db, tmp.resolve("i3"), tmp.resolve("i2"), BackupProgress.NONE);
            assertEquals("scanned", BackupWriter.lastChangeSource);
            String live = Snapshots.of(db);
            Backups.restore(tmp.resolve("b0"), List.of(tmp.resolve("i1"), tmp.resolve("i2"), tmp.resolve("i3")),
                    tmp.resolve("r"), BackupProgress.NONE);
            try (Database restored = Database.openExisting(tmp.resolve("r"), DatabaseOptions.defaults())) {
                assertEquals(live, Snapshots.of(restored));
            }
        }
    }
}
