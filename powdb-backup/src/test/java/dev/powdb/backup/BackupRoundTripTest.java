package dev.powdb.backup;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.spi.BackupSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupRoundTripTest {
    @TempDir
    Path tmp;

    static void users(Database db) {
        db.createTable(new TableSchema("users", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("name", ColumnType.STR), ColumnDef.optional("blob", ColumnType.BYTES)),
                List.of(new IndexDef("id", true), new IndexDef("name", false))));
    }

    static void load(Database db, int from, int to) {
        try (Transaction tx = db.begin()) {
            for (int i = from; i < to; i++) {
                tx.insert("users", Map.of("id", (long) i, "name", "user" + (i % 97)));
            }
            tx.commit();
        }
    }

    @Test
    void fullBackupRestoresTheSameContentAndLsn() {
        Path data = tmp.resolve("data");
        String before;
        long lsn;
        try (Database db = Database.open(data)) {
            users(db);
            load(db, 0, 5000);
            db.insert("users", Map.of("id", 99999L, "blob", new byte[300_000]));
            BackupSummary s = Backups.full(db, tmp.resolve("full"), BackupProgress.NONE);
            before = Snapshots.of(db);
            lsn = db.maxLsn();
            assertEquals(lsn, s.sourceLsn());
            assertFalse(s.incremental());
        }
        RestoreSummary r = Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("restored"),
                BackupProgress.NONE);
        assertEquals(lsn, r.sourceLsn());
        try (Database db = Database.openExisting(tmp.resolve("restored"), DatabaseOptions.defaults())) {
            assertEquals(before, Snapshots.of(db));
            assertEquals(lsn, db.maxLsn());
            load(db, 5000, 5100); // keeps working
        }
        assertTrue(Database.verify(tmp.resolve("restored")).ok());
        BackupVerifyReport v = Backups.verify(tmp.resolve("full"), List.of(), VerifyLevel.DEEP, null,
                BackupProgress.NONE);
        assertTrue(v.intact(), v.problems().toString());
    }

    @Test
    void incrementalChainEqualsTheLiveDatabase() {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            users(db);
            load(db, 0, 20000);
            Backups.full(db, tmp.resolve("b0"), BackupProgress.NONE);
            db.updateBy("users", "id", 5L, Map.of("name", "changed"));
            BackupSummary i1 = Backups.incremental(db, tmp.resolve("b1"), tmp.resolve("b0"), BackupProgress.NONE);
            assertTrue(i1.incremental());
            db.createTable(new TableSchema("t2", List.of(ColumnDef.required("k", ColumnType.INT))));
            db.insertValues("t2", 1L);
            db.deleteBy("users", "id", 7L);
            db.dropIndex("users", "name");
            load(db, 20000, 21000);
            Backups.incremental(db, tmp.resolve("b2"), tmp.resolve("b1"), BackupProgress.NONE);
            String live = Snapshots.of(db);
            long lsn = db.maxLsn();
            db.close();
            Backups.restore(tmp.resolve("b0"), List.of(tmp.resolve("b1"), tmp.resolve("b2")), tmp.resolve("r"),
                    BackupProgress.NONE);
            try (Database r = Database.openExisting(tmp.resolve("r"), DatabaseOptions.defaults())) {
                assertEquals(live, Snapshots.of(r));
                assertEquals(lsn, r.maxLsn());
            }
            assertTrue(Database.verify(tmp.resolve("r")).ok());
            assertFalse(Files.exists(tmp.resolve("r").resolve("users_name.idx")));
            BackupVerifyReport v = Backups.verify(tmp.resolve("b0"), List.of(tmp.resolve("b1"), tmp.resolve("b2")),
                    VerifyLevel.DEEP, tmp.resolve("drill"), BackupProgress.NONE);
            assertTrue(v.intact(), v.problems().toString());
        }
    }

    @Test
    void databaseApiFindsTheBackupModule() {
        try (Database db = Database.open(tmp.resolve("data"))) {
            users(db);
            load(db, 0, 100);
            BackupSummary full = db.backup(tmp.resolve("f"));
            load(db, 100, 200);
            BackupSummary inc = db.backup(tmp.resolve("i"), tmp.resolve("f"));
            assertTrue(inc.incremental());
            assertEquals(db.maxLsn(), inc.sourceLsn());
            assertTrue(full.sourceLsn() < inc.sourceLsn());
            assertEquals(full.manifestBlake3(), Backups.manifest(tmp.resolve("i")).parentManifestBlake3());
        }
    }

    @Test
    void backupInsideATransactionOfTheSameThreadIsRefused() {
        try (Database db = Database.open(tmp.resolve("data"))) {
            users(db);
            try (Transaction tx = db.begin()) {
                tx.insert("users", Map.of("id", 1L));
                dev.powdb.storage.PowDbException e = org.junit.jupiter.api.Assertions.assertThrows(
                        dev.powdb.storage.PowDbException.class, () -> db.backup(tmp.resolve("b")));
                assertTrue(e.getMessage().contains("inside a transaction"), e.getMessage());
                tx.commit();
            }
            assertFalse(Files.exists(tmp.resolve("b").resolve("manifest.json")));
            assertFalse(Files.exists(tmp.resolve("b")));
        }
    }

    @Test
    void writersGoOnWhileABackupSourceIsOpenAndTheEndLsnCoversThem() throws Exception {
        try (Database db = Database.open(tmp.resolve("data"))) {
            users(db);
            load(db, 0, 1000);
            try (dev.powdb.storage.spi.BackupSource source = db.startBackup()) {
                long start = source.startLsn();
                assertEquals(start - 1, source.sourceLsn());
                Thread writer = new Thread(() -> db.insert("users", Map.of("id", 5000L)));
                writer.start();
                writer.join(5000);
                assertFalse(writer.isAlive(), "a writer must not wait for an online backup");
                assertTrue(db.maxLsn() >= start);
                List<dev.powdb.storage.spi.WalPiece> wal = source.end();
                assertEquals(db.maxLsn(), source.sourceLsn());
                assertFalse(wal.isEmpty());
                assertTrue(wal.get(0).firstLsn() <= start);
                assertEquals(source.sourceLsn(), wal.get(wal.size() - 1).lastLsn());
            }
        }
    }
}
