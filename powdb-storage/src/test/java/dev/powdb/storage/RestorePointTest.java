package dev.powdb.storage;

import dev.powdb.storage.wal.WalRecord;
import dev.powdb.storage.wal.WalRecordType;
import dev.powdb.storage.wal.WalScanner;
import dev.powdb.storage.io.OsStorageFs;
import dev.powdb.storage.util.ByteSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Restore point records: written durably between transactions, skipped by recovery, names checked. */
class RestorePointTest {
    @TempDir
    Path tmp;

    @Test
    void restorePointIsADurableRecordThatRecoverySkips() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, RecoveryTest.noAutoCheckpoint());
        db.createTable(RecoveryTest.T);
        db.insertValues("t", 1L, "a");
        long lsn = db.createRestorePoint("before-migration ✓");
        db.insertValues("t", 2L, "b");
        assertTrue(lsn < db.maxLsn());
        List<WalRecord> points = new ArrayList<>();
        new WalScanner(OsStorageFs.INSTANCE, dir.resolve("wal")).scan(1, false, r -> {
            if (r.type == WalRecordType.RESTORE_POINT) {
                points.add(r);
            }
        });
        assertEquals(1, points.size());
        WalRecord r = points.get(0);
        assertEquals(lsn, r.lsn);
        assertEquals(0, r.txId);
        ByteSource in = new ByteSource(r.payload);
        long micros = in.i64();
        assertTrue(Math.abs(micros / 1000 - System.currentTimeMillis()) < 60_000, "time " + micros);
        assertEquals("before-migration ✓", in.str());
        db.engine().abandonForTesting();
        try (Database again = Database.open(dir, RecoveryTest.noAutoCheckpoint())) {
            assertEquals(2, again.lookup("t", "id", 2L).size() + again.lookup("t", "id", 1L).size());
        }
    }

    @Test
    void badNamesAreRefusedWithTheReason() {
        try (Database db = Database.open(tmp.resolve("db"))) {
            long before = db.maxLsn();
            assertTrue(assertThrows(PowDbException.class, () -> db.createRestorePoint(""))
                    .getMessage().contains("needs a name"));
            assertTrue(assertThrows(PowDbException.class, () -> db.createRestorePoint("x".repeat(201)))
                    .getMessage().contains("longer than 200"));
            assertTrue(assertThrows(PowDbException.class, () -> db.createRestorePoint("a\nb"))
                    .getMessage().contains("position 2"));
            assertEquals(before, db.maxLsn());
            db.createRestorePoint("x".repeat(200));
            assertEquals(before + 1, db.maxLsn());
        }
    }
}
