package dev.powdb.testkit;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import dev.powdb.testkit.oracle.Crashes;
import dev.powdb.testkit.oracle.OracleCheck;
import dev.powdb.testkit.oracle.OracleTable;
import dev.powdb.testkit.oracle.RowValues;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.powdb.testkit.oracle.OracleTable.TABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * I/O errors: a failed WAL fsync at commit, failed writes and a full disk during a bulk insert and during a
 * checkpoint, a failed data-file fsync during a checkpoint. The failing operation must report a clear error, the
 * database must refuse further writes where it can no longer trust its files, reads must stay consistent, and after
 * a restart (with or without a power loss) nothing acknowledged is lost, nothing unacknowledged is half there, and
 * the database keeps working, also across a later power loss.
 */
class FaultIoErrorTest {
    private static final Path DIR = Path.of("/powdb/faults");
    private static final long SEED = 777;

    /** How the process comes back after the failure. */
    enum Restart {
        /** Close and reopen on the same machine: what was handed to the OS (even if its fsync failed) stays. */
        PROCESS_RESTART,
        DROP_ALL,
        KEEP_ALL,
        TORN,
        RANDOM;

        void apply(FaultyFs fs) {
            if (this != PROCESS_RESTART) {
                fs.crash(CrashMode.valueOf(name()));
            }
        }
    }

    /** A database on a {@link FaultyFs} with committed rows and the oracle of them. */
    private static final class Fixture {
        final FaultyFs fs = new FaultyFs(SEED);
        final DatabaseOptions options;
        final RowValues values = new RowValues(new Random(SEED), 0.02, 0);
        OracleTable model = new OracleTable();
        Database db;
        long nextId = 1;

        Fixture(boolean smallPool) throws IOException {
            DatabaseOptions o = DatabaseOptions.defaults().withFs(fs).withCheckpointWalBytes(0);
            options = smallPool ? o.withBufferPoolPages(64).withWalSegmentBytes(64 * 1024) : o;
            fs.createDirectoriesDurably(DIR);
            db = Database.open(DIR, options);
            db.createTable(OracleTable.SCHEMA);
        }

        Object[] newRow() {
            return values.newRow(nextId++);
        }

        void commitRows(int n) {
            for (int i = 0; i < n; i++) {
                Object[] row = newRow();
                db.insertValues(TABLE, row.clone());
                model.put(row);
            }
        }

        /** Commits changes to every row, so that every page is dirty again. */
        void touchEveryRow(String tag) {
            db.update(TABLE, null, r -> Map.of("name", tag + r.get("id")));
            for (Object[] v : new ArrayList<>(model.rows().values())) {
                model.put(OracleTable.apply(v, Map.of("name", tag + v[OracleTable.ID])));
            }
        }
    }

    // ---- a failed WAL fsync at commit ---------------------------------------------------------------------------

    /**
     * The engine appends and writes the commit record, then fsyncs; when the fsync fails the commit throws POISONED
     * but the record has reached the operating system. So the outcome after a restart is decided by what the OS
     * keeps: a process restart or a crash that keeps everything finds the transaction committed, a crash that drops
     * every unsynced write finds it absent, and a torn or random crash finds it entirely or not at all.
     */
    @ParameterizedTest
    @EnumSource(Restart.class)
    void failedCommitFsyncPoisonsWritesAndTheCommitIsAllOrNothingAfterRestart(Restart restart) throws IOException {
        Fixture f = new Fixture(false);
        f.commitRows(60);
        OracleTable acked = f.model.copy();
        OracleTable after = acked.copy();
        Transaction tx = f.db.begin();
        Object[] a = f.newRow();
        Object[] b = f.newRow();
        tx.insertValues(TABLE, a.clone());
        tx.insertValues(TABLE, b.clone());
        after.put(a);
        after.put(b);
        tx.updateBy(TABLE, "id", 10L, Map.of("name", "changed"));
        after.put(OracleTable.apply(after.get(10L), Map.of("name", "changed")));
        tx.deleteBy(TABLE, "id", 11L);
        after.remove(11L);

        f.fs.failNextSync();
        PowDbException e = assertThrows(PowDbException.class, tx::commit);
        assertEquals(ErrorCode.POISONED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("fsync"), e.getMessage());

        assertEveryWriteRefused(f.db);
        String seen = OracleCheck.deepDiff(f.db, acked) == null ? "acked" : OracleCheck.deepDiff(f.db, after) == null
                ? "after" : null;
        assertNotNull(seen, "reads after the failed commit show neither the state before it nor after it: "
                + OracleCheck.deepDiff(f.db, acked));
        f.db.close();

        List<OracleTable> allowed = switch (restart) {
            case PROCESS_RESTART, KEEP_ALL -> List.of(after);
            case DROP_ALL -> List.of(acked);
            default -> List.of(acked, after);
        };
        restart.apply(f.fs);
        reopenAndCheck(f, allowed, "after a failed commit fsync and " + restart);
    }

    // ---- failed writes and a full disk during a bulk insert -----------------------------------------------------

    @ParameterizedTest(name = "writes fail after {0}, one transaction: {1}")
    @CsvSource({"0,true", "3,true", "40,true", "400,true", "0,false", "3,false", "40,false", "400,false"})
    void failedWriteDuringBulkInsertLosesNothingCommitted(int okWrites, boolean oneTransaction) throws IOException {
        Fixture f = new Fixture(true);
        f.commitRows(100);
        f.db.checkpoint();
        f.fs.failWritesAfter(okWrites);
        bulkInsertUntilFailure(f, oneTransaction, "injected write failure");
    }

    @ParameterizedTest(name = "disk full {0} bytes after the start, one transaction: {1}")
    @CsvSource({"0,true", "8192,true", "300000,true", "0,false", "8192,false", "300000,false"})
    void fullDiskDuringBulkInsertLosesNothingCommitted(long spareBytes, boolean oneTransaction) throws IOException {
        Fixture f = new Fixture(true);
        f.commitRows(100);
        f.db.checkpoint();
        f.fs.setDiskCapacity(f.fs.storedBytes() + spareBytes);
        bulkInsertUntilFailure(f, oneTransaction, "No space left on device");
    }

    /**
     * Inserts rows of about 1 KB until one fails; checks the error, what reads show, what writes do afterwards, and
     * that a restart brings back exactly the acknowledged rows.
     */
    private static void bulkInsertUntilFailure(Fixture f, boolean oneTransaction, String cause) throws IOException {
        OracleTable acked = f.model.copy();
        OracleTable attempted = acked.copy();
        PowDbException failure = null;
        Transaction tx = oneTransaction ? f.db.begin() : null;
        try {
            for (int i = 0; i < 4000; i++) {
                Object[] row = f.newRow();
                row[OracleTable.NAME] = f.values.text(1000);
                attempted.put(row);
                if (tx != null) {
                    tx.insertValues(TABLE, row.clone());
                } else {
                    f.db.insertValues(TABLE, row.clone());
                    acked.put(row);
                }
            }
            if (tx != null) {
                tx.commit();
            }
        } catch (PowDbException e) {
            failure = e;
        }
        assertNotNull(failure, "4000 inserts went through without the injected fault");
        assertClearError(failure, cause);
        String rollbackFailure = "";
        if (tx != null && !tx.isFinished()) {
            try {
                tx.rollback();
            } catch (PowDbException e) {
                // The undo needs page writes too; it may fail the same way. Then the database must stop writing.
                assertClearError(e, cause);
                rollbackFailure = "; the rollback failed too: " + e.getMessage();
            }
        }
        f.fs.clearFaults();
        // Reads show the acknowledged rows, possibly plus the statement whose commit failed, never a part of it.
        // They may fail with POISONED when the pool has to evict a page it may no longer write.
        try {
            String d = OracleCheck.deepDiff(f.db, acked);
            if (d != null && OracleCheck.deepDiff(f.db, attempted) != null) {
                fail("after the failure (" + failure.getMessage() + rollbackFailure
                        + ") reads show a state between commits: " + d);
            }
        } catch (PowDbException e) {
            assertEquals(ErrorCode.POISONED, e.code(), "a read after the failure: " + e.getMessage());
        }
        OracleTable expected = acked.copy();
        Object[] marker = f.newRow();
        try {
            f.db.insertValues(TABLE, marker.clone());
            expected.put(marker);
        } catch (PowDbException e) {
            assertEquals(ErrorCode.POISONED, e.code(), "a write after the failure (" + failure.getMessage()
                    + rollbackFailure + "): " + e.getMessage());
        }
        f.db.close();
        reopenAndCheck(f, List.of(expected), "after " + failure.getMessage());
    }

    // ---- failures during a checkpoint ---------------------------------------------------------------------------

    @ParameterizedTest(name = "checkpoint writes fail after {0}")
    @ValueSource(ints = {0, 1, 5, 20, 60})
    void failedWriteDuringCheckpointPoisonsAndLosesNothing(int okWrites) throws IOException {
        for (Restart restart : Restart.values()) {
            Fixture f = checkpointFixture();
            f.fs.failWritesAfter(okWrites);
            checkpointFailure(f, restart, "injected write failure");
        }
    }

    /**
     * The j-th fsync of a checkpoint fails (data files first, then catalog and control file). After a failed fsync
     * the data written before it may be lost even though reads still return it, so the checkpoint must not count
     * those pages as saved: neither a later checkpoint nor the one that recovery takes at reopen may move the redo
     * point past changes that are not durable.
     */
    @ParameterizedTest(name = "fsync {0} of the checkpoint fails")
    @ValueSource(ints = {0, 1, 2, 3})
    void failedFsyncDuringCheckpointLosesNothingEvenAfterALaterPowerLoss(int okSyncs) throws IOException {
        for (Restart restart : Restart.values()) {
            Fixture f = checkpointFixture();
            f.fs.failSyncsAfter(okSyncs);
            checkpointFailure(f, restart, "injected fsync failure");
        }
    }

    @ParameterizedTest(name = "disk full {0} bytes into the checkpoint")
    @ValueSource(longs = {0, 4096, 40_000})
    void fullDiskDuringCheckpointPoisonsAndLosesNothing(long spareBytes) throws IOException {
        for (Restart restart : Restart.values()) {
            Fixture f = checkpointFixture();
            f.fs.setDiskCapacity(f.fs.storedBytes() + spareBytes);
            checkpointFailure(f, restart, "No space left on device");
        }
    }

    /** Committed rows, a checkpoint, then every row changed and new pages added (all committed, all dirty). */
    private static Fixture checkpointFixture() throws IOException {
        Fixture f = new Fixture(false);
        f.commitRows(200);
        f.db.checkpoint();
        f.touchEveryRow("second-");
        f.commitRows(150);
        return f;
    }

    private static void checkpointFailure(Fixture f, Restart restart, String cause) throws IOException {
        PowDbException e = assertThrows(PowDbException.class, f.db::checkpoint, "checkpoint with a fault armed");
        assertClearError(e, cause);
        f.fs.clearFaults();
        assertEveryWriteRefused(f.db);
        String d = OracleCheck.deepDiff(f.db, f.model);
        assertTrue(d == null, "reads after the failed checkpoint: " + d);
        f.db.close();
        restart.apply(f.fs);
        reopenAndCheck(f, List.of(f.model), "after a checkpoint failing with " + e.getMessage() + ", then "
                + restart);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** The error (or one of its causes) says what went wrong, and its code says the operation failed on I/O. */
    private static void assertClearError(PowDbException e, String cause) {
        assertTrue(e.code() == ErrorCode.IO || e.code() == ErrorCode.POISONED, "code " + e.code() + ": "
                + e.getMessage());
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append(" / ");
        }
        assertTrue(e.getMessage().contains(cause), "the message should name the cause '" + cause + "': " + chain);
    }

    /** Every kind of write fails with POISONED. */
    private static void assertEveryWriteRefused(Database db) {
        Map<String, Executable> writes = Map.of(
                "insert", () -> db.insert(TABLE, Map.of("id", 99_999L)),
                "insertValues", () -> db.insertValues(TABLE, 99_998L, null, null, null, null, null, null),
                "updateBy", () -> db.updateBy(TABLE, "id", 1L, Map.of("name", "no")),
                "update", () -> db.update(TABLE, null, r -> Map.of("name", "no")),
                "deleteBy", () -> db.deleteBy(TABLE, "id", 2L),
                "delete", () -> db.delete(TABLE, null),
                "begin", db::begin,
                "createTable", () -> db.createTable(new TableSchema("other", List.of(ColumnDef.required("k",
                        ColumnType.INT)))),
                "createIndex", () -> db.createIndex(TABLE, "score", false));
        for (Map.Entry<String, Executable> w : writes.entrySet()) {
            PowDbException e = assertThrows(PowDbException.class, w.getValue(), w.getKey() + " after the failure");
            assertEquals(ErrorCode.POISONED, e.code(), w.getKey() + ": " + e.getMessage());
        }
    }

    /**
     * Reopens (must succeed) and checks that the database equals one of {@code allowed}; then commits a row, loses
     * power, reopens and checks again (a database must stay sound after recovering from an I/O error), and
     * verifies after a clean close.
     */
    private static void reopenAndCheck(Fixture f, List<OracleTable> allowed, String where) throws IOException {
        OracleTable found = null;
        try (Database db = Database.open(DIR, f.options)) {
            String first = null;
            for (OracleTable candidate : allowed) {
                String d = OracleCheck.deepDiff(db, candidate);
                if (d == null) {
                    found = candidate.copy();
                    break;
                }
                first = first == null ? d : first;
            }
            assertNotNull(found, where + ": after reopening: " + first);
            Object[] row = f.newRow();
            db.insertValues(TABLE, row.clone());
            found.put(row);
            Crashes.abandon(db);
        } catch (CorruptionException e) {
            throw new AssertionError(where + ": reopening refused: " + e.getMessage(), e);
        }
        f.fs.crash(CrashMode.DROP_ALL);
        try (Database db = Database.open(DIR, f.options)) {
            String d = OracleCheck.deepDiff(db, found);
            assertTrue(d == null, where + ", then a commit and a power loss: " + d);
        } catch (CorruptionException e) {
            throw new AssertionError(where + ", then a commit and a power loss: reopening refused: "
                    + e.getMessage(), e);
        }
        VerifyReport report = Database.verify(DIR, f.options);
        assertTrue(report.ok(), where + ": verify:\n" + report);
    }
}
