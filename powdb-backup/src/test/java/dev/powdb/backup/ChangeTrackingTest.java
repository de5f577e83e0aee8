package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
                // After a reopen the engine knows every change since the open: a base at that LSN is still
                // tracked, an older base (the full backup) is found by scanning.
                try (Database again = Database.openExisting(data, DatabaseOptions.defaults())) {
                    again.insert("users", Map.of("id", 999_999L));
                    Backups.incremental(again, run.resolve("after-reopen"), chain.get(chain.size() - 1),
                            BackupProgress.NONE);
                    assertEquals("tracked", BackupWriter.lastChangeSource);
                    Backups.incremental(again, run.resolve("older-base"), chain.get(0), BackupProgress.NONE);
                    assertEquals("scanned", BackupWriter.lastChangeSource);
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
}
