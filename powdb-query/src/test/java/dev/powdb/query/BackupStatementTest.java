package dev.powdb.query;

import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.BackupProgress;
import dev.powdb.backup.Backups;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.SyncMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code backup to} and {@code restore point} run against a real database, with the backup module on the class
 * path (found by {@code Database.backup} through ServiceLoader); what they write is restored with
 * {@link Backups} and compared row for row.
 */
class BackupStatementTest {
    private static final String ROWS = "User order .id";

    @TempDir
    Path dir;
    Database db;
    PowQL q;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("db"), DatabaseOptions.defaults().withSyncMode(SyncMode.OFF));
        q = new PowQL(db);
        run(ExecutionTest.USERS);
    }

    @AfterEach
    void close() {
        q.close();
        db.close();
    }

    private Recorder run(String script) {
        Recorder r = new Recorder();
        q.run(script, r);
        return r;
    }

    private QueryException fails(String script) {
        return assertThrows(QueryException.class, () -> q.run(script, new Recorder()));
    }

    /** The one row of a single backup or restore point statement. */
    private List<Object> onlyRow(Recorder r) {
        assertEquals(1, r.rowSets.size(), r.text());
        assertEquals(1, r.rowSets.get(0).size(), r.text());
        return r.rowSets.get(0).get(0);
    }

    /** The rows of {@link #ROWS} in the database restored from {@code backup} plus {@code increments}. */
    private String restoredRows(Path backup, List<Path> increments, String name) {
        Path target = dir.resolve(name);
        Backups.restore(backup, increments, target, BackupProgress.NONE);
        try (Database restored = Database.open(target, DatabaseOptions.defaults().withSyncMode(SyncMode.OFF));
             PowQL rq = new PowQL(restored)) {
            Recorder r = new Recorder();
            rq.run(ROWS, r);
            return r.text();
        }
    }

    @Test
    void fullBackupWritesABackupThatRestoresToTheSameRows() {
        Path full = dir.resolve("full");
        Recorder r = run("backup to " + Printer.quote(full.toString()));
        assertEquals("columns kind, destination, base, source_lsn, files, bytes, millis, manifest_blake3",
                r.lines.get(0));
        List<Object> row = onlyRow(r);
        BackupManifest m = Backups.manifest(full);
        assertEquals(BackupManifest.Kind.FULL, m.kind());
        assertEquals("full", row.get(0));
        assertEquals(full.toString(), row.get(1));
        assertNull(row.get(2));
        assertEquals(m.sourceLsn(), row.get(3));
        assertEquals((long) m.files().size(), row.get(4));
        assertEquals(m.storedBytes(), row.get(5));
        assertTrue((Long) row.get(6) >= 0, r.text());
        assertEquals(m.manifestBlake3(), row.get(7));
        assertTrue(Files.isRegularFile(full.resolve(BackupManifest.FILE_NAME)));

        String original = run(ROWS).text();
        assertTrue(original.contains("\"Abe\""), original);
        assertEquals(original, restoredRows(full, List.of(), "restored"));
    }

    @Test
    void incrementalBackupOnABaseHoldsTheLaterChanges() {
        Path full = dir.resolve("full");
        Path incr = dir.resolve("incr");
        run("backup to " + Printer.quote(full.toString()));
        String atFull = run(ROWS).text();
        run("User filter .id = 1 update { age := 99 }; insert User { id := 6, name := \"Fay\" }; "
                + "User filter .id = 2 delete");
        Recorder r = run("backup to " + Printer.quote(incr.toString()) + " base " + Printer.quote(full.toString()));
        List<Object> row = onlyRow(r);
        BackupManifest m = Backups.manifest(incr);
        assertEquals(BackupManifest.Kind.INCREMENTAL, m.kind());
        assertEquals("incremental", row.get(0));
        assertEquals(incr.toString(), row.get(1));
        assertEquals(full.toString(), row.get(2));
        assertEquals(m.sourceLsn(), row.get(3));
        assertEquals(Backups.manifest(full).sourceLsn(), (long) m.parentSourceLsn());
        assertTrue((Long) row.get(3) > m.parentSourceLsn(), r.text());
        assertEquals(Backups.manifest(full).manifestBlake3(), m.parentManifestBlake3());
        assertEquals((long) (m.files().size() + m.deltas().size() + m.wal().size()), row.get(4));

        String now = run(ROWS).text();
        assertTrue(now.contains("\"Fay\"") && !now.contains("\"Bob\""), now);
        assertEquals(now, restoredRows(full, List.of(incr), "restored"));
        assertEquals(atFull, restoredRows(full, List.of(), "restored-full"));
    }

    @Test
    void refusedInsideATransactionNamingTheStatement() {
        Path dest = dir.resolve("in-tx");
        run("begin");
        QueryException e = fails("insert User { id := 7, name := \"Gus\" };\n  backup to "
                + Printer.quote(dest.toString()));
        assertEquals("line 2, column 3: backup cannot run inside a transaction: a backup holds only committed "
                + "work; commit or rollback first", e.getMessage());
        assertEquals(ErrorCode.ILLEGAL_STATE, e.code());
        assertFalse(Files.exists(dest), "a refused backup created its destination");
        assertTrue(q.inTransaction(), "the refusal must not end the transaction");
        assertEquals("= 6", run("count(User)").text());

        long lsn = db.maxLsn();
        QueryException p = fails("restore point \"in-tx\"");
        assertEquals("line 1, column 1: restore point cannot be created inside a transaction: it marks a point "
                + "between transactions; commit or rollback first", p.getMessage());
        assertEquals(ErrorCode.ILLEGAL_STATE, p.code());
        assertEquals(lsn, db.maxLsn(), "a refused restore point wrote to the WAL");

        run("commit");
        assertEquals("full", onlyRow(run("backup to " + Printer.quote(dest.toString()))).get(0));
        assertEquals("in-tx", onlyRow(run("restore point \"in-tx\"")).get(0));
    }

    @Test
    void restorePointsReturnIncreasingLsns() {
        Recorder r = run("restore point \"before-migration ✓\"; insert User { id := 8, name := \"H\" };\n"
                + "restore point \"after\"; restore point \"after\"");
        assertEquals("columns restore_point, lsn", r.lines.get(0));
        assertEquals(3, r.rowSets.size(), r.text());
        assertEquals("before-migration ✓", r.rowSets.get(0).get(0).get(0));
        long first = (Long) r.rowSets.get(0).get(0).get(1);
        long second = (Long) r.rowSets.get(1).get(0).get(1);
        long third = (Long) r.rowSets.get(2).get(0).get(1);
        assertTrue(first > 0, r.text());
        assertTrue(second > first + 1, "the insert between them has its own records: " + r.text());
        assertEquals(second + 1, third, r.text());
        assertEquals(third, db.maxLsn());
    }

    @Test
    void badRestorePointNamesGiveTheStoragesReasonAtTheStatement() {
        long lsn = db.maxLsn();
        QueryException empty = fails("count(User);\n restore point \"\"");
        assertEquals("line 2, column 2: a restore point needs a name", empty.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, empty.code());
        assertEquals("line 1, column 1: restore point name is longer than 200 bytes",
                fails("restore point " + Printer.quote("é".repeat(101))).getMessage());
        assertEquals("line 1, column 1: restore point name has a control character at position 2",
                fails("restore point \"a\\tb\"").getMessage());
        assertEquals(lsn, db.maxLsn(), "a refused name wrote to the WAL");
        assertEquals("x".repeat(200), onlyRow(run("restore point " + Printer.quote("x".repeat(200)))).get(0));
    }

    @Test
    void relativeDirectoriesResolveAgainstTheWorkingDirectory() {
        // A directory whose parent does not exist is refused before anything is written; the message shows where
        // the relative name was resolved.
        String missing = "no-such-dir-" + UUID.randomUUID() + "/b";
        Path resolved = Path.of(System.getProperty("user.dir")).resolve(missing);
        QueryException e = fails("backup to " + Printer.quote(missing));
        assertEquals("line 1, column 1: backup destination " + resolved + ": its parent directory "
                + resolved.getParent() + " does not exist (create it first)", e.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertFalse(Files.exists(resolved.getParent()));
    }

    @Test
    void backupErrorsAreQueryExceptionsAtTheStatement() throws Exception {
        Path busy = Files.createDirectory(dir.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "mine");
        QueryException notEmpty = fails("count(User);\n\n   backup to " + Printer.quote(busy.toString()));
        assertEquals(3, notEmpty.line());
        assertEquals(4, notEmpty.column());
        assertTrue(notEmpty.getMessage().startsWith("line 3, column 4: backup destination " + busy
                + " is not empty"), notEmpty.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, notEmpty.code());
        assertEquals("mine", Files.readString(busy.resolve("keep.txt")));

        Path inside = dir.resolve("db").resolve("bk");
        QueryException inData = fails("backup to " + Printer.quote(inside.toString()));
        assertTrue(inData.getMessage().startsWith("line 1, column 1: backup destination " + inside
                + " is inside the data directory"), inData.getMessage());
        assertFalse(Files.exists(inside));

        Path notBackup = Files.createDirectory(dir.resolve("not-a-backup"));
        Path dest = dir.resolve("dest");
        QueryException badBase = fails("backup to " + Printer.quote(dest.toString()) + " base "
                + Printer.quote(notBackup.toString()));
        assertEquals("line 1, column 1: " + notBackup + " is not a backup: it has no manifest.json (an interrupted "
                + "backup never writes one)", badBase.getMessage());
        assertEquals(ErrorCode.NOT_FOUND, badBase.code());
        assertFalse(Files.exists(dest), "a refused increment created its destination");

        QueryException nul = fails("backup to \"a\\0b\"");
        assertTrue(nul.getMessage().startsWith("line 1, column 11: invalid path \"a\\0b\": "), nul.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, nul.code());
        QueryException nulBase = fails("backup to \"a\" base \"\\0\"");
        assertTrue(nulBase.getMessage().startsWith("line 1, column 20: invalid path \"\\0\": "),
                nulBase.getMessage());
    }
}
