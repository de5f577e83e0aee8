package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.assertNothingRestored;
import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chains given in the wrong shape: wrong order, a gap, an increment of another database, a full backup applied as an
 * increment, an increment given as the base, the same increment twice. Each is refused before anything is written,
 * with a message naming the offending link; verify reports the same link as a chain problem.
 */
class BackupChainOrderTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    static Path tmp;
    static Path f;
    static Path i1;
    static Path i2;
    static Path i3;
    static Path f2;
    static Path otherFull;
    static Path otherInc;
    static String finalSnapshot;

    @BeforeAll
    static void chains() {
        try (Database db = Database.open(tmp.resolve("a"))) {
            createT(db, "t");
            fill(db, "t", 0, 300);
            f = backup(db, "f", null);
            fill(db, "t", 300, 400);
            i1 = backup(db, "i1", f);
            db.updateBy("t", "id", 5L, Map.of("s", "five"));
            i2 = backup(db, "i2", i1);
            db.deleteBy("t", "id", 6L);
            i3 = backup(db, "i3", i2);
            f2 = backup(db, "f2", null);
            finalSnapshot = Snapshots.of(db);
        }
        // Another database with the same schema and history shape, so file names and ids match, but other content
        // (identical content would make byte-identical backups, indistinguishable by design).
        try (Database db = Database.open(tmp.resolve("b"))) {
            createT(db, "t");
            fill(db, "t", 1000, 1300);
            otherFull = backup(db, "other-f", null);
            fill(db, "t", 300, 400);
            otherInc = backup(db, "other-i1", otherFull);
        }
    }

    private static Path backup(Database db, String name, Path base) {
        Path dir = tmp.resolve(name);
        if (base == null) {
            Backups.full(db, dir, BackupProgress.NONE);
        } else {
            Backups.incremental(db, dir, base, BackupProgress.NONE);
        }
        return dir;
    }

    /** Restore is refused with {@code code}, the message holding every part; nothing is written anywhere. */
    private static BackupException refused(Path base, List<Path> incs, ErrorCode code, String... parts)
            throws Exception {
        Map<String, String> before = BackupFixtures.tree(tmp);
        Path dest = tmp.resolve("dest");
        BackupException e = assertThrows(BackupException.class, () -> Backups.restore(base, incs, dest,
                BackupProgress.NONE));
        assertEquals(code, e.code(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
        assertNothingRestored(dest, e.getMessage());
        assertEquals(before, BackupFixtures.tree(tmp));
        return e;
    }

    /** Verify reports a chain problem whose message holds every part. */
    private static void verifyReportsChain(Path base, List<Path> incs, String... parts) {
        BackupVerifyReport r = Backups.verify(base, incs, VerifyLevel.QUICK, null, BackupProgress.NONE);
        assertTrue(r.problems().stream().anyMatch(p -> p.check().equals("chain")
                && List.of(parts).stream().allMatch(p.message()::contains)), "expected a chain problem with "
                + List.of(parts) + " in " + r.problems());
    }

    @Test
    void theRightChainRestores() throws Exception {
        Path dest = tmp.resolve("good");
        Backups.restore(f, List.of(i1, i2, i3), dest, BackupProgress.NONE);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(finalSnapshot, Snapshots.of(db));
        }
        assertTrue(Backups.verify(f, List.of(i1, i2, i3), VerifyLevel.DEEP, null, BackupProgress.NONE).intact());
        BackupFixtures.deleteTree(dest);
    }

    @Test
    void wrongOrder() throws Exception {
        refused(f, List.of(i2, i1), ErrorCode.CORRUPT, "increment 1 (" + i2 + ")", "does not follow " + f,
                "wrong order");
        refused(f, List.of(i1, i3, i2), ErrorCode.CORRUPT, "increment 2 (" + i3 + ")", "does not follow " + i1);
        verifyReportsChain(f, List.of(i2, i1), "increment 1 (" + i2 + ")");
    }

    @Test
    void gap() throws Exception {
        refused(f, List.of(i1, i3), ErrorCode.CORRUPT, "increment 2 (" + i3 + ")", "does not follow " + i1,
                "missing increment");
        refused(f, List.of(i2), ErrorCode.CORRUPT, "increment 1 (" + i2 + ")", "does not follow " + f);
        verifyReportsChain(f, List.of(i1, i3), "increment 2 (" + i3 + ")");
    }

    @Test
    void incrementOfAnotherDatabase() throws Exception {
        refused(f, List.of(otherInc), ErrorCode.CORRUPT, "increment 1 (" + otherInc + ")", "does not follow " + f,
                "another database");
        refused(otherFull, List.of(i1), ErrorCode.CORRUPT, "increment 1 (" + i1 + ")");
        refused(f, List.of(i1, otherInc), ErrorCode.CORRUPT, "increment 2 (" + otherInc + ")");
        verifyReportsChain(f, List.of(otherInc), "increment 1 (" + otherInc + ")");
    }

    @Test
    void fullBackupGivenAsAnIncrement() throws Exception {
        refused(f, List.of(f2), ErrorCode.INVALID_ARGUMENT, "increment 1 (" + f2 + ")", "is a full backup");
        refused(f, List.of(i1, i2, f), ErrorCode.INVALID_ARGUMENT, "increment 3 (" + f + ")", "is a full backup");
        verifyReportsChain(f, List.of(f2), "increment 1 (" + f2 + ")", "is a full backup");
    }

    @Test
    void incrementGivenAsTheBase() throws Exception {
        refused(i1, List.of(), ErrorCode.INVALID_ARGUMENT, i1 + " is an incremental backup");
        refused(i1, List.of(i2, i3), ErrorCode.INVALID_ARGUMENT, i1 + " is an incremental backup");
        verifyReportsChain(i1, List.of(i2), i1 + " is an incremental backup");
    }

    @Test
    void sameIncrementTwice() throws Exception {
        refused(f, List.of(i1, i1), ErrorCode.CORRUPT, "increment 2 (" + i1 + ")", "does not follow " + i1);
        refused(f, List.of(i1, i2, i3, i3), ErrorCode.CORRUPT, "increment 4 (" + i3 + ")");
        verifyReportsChain(f, List.of(i1, i1), "increment 2 (" + i1 + ")");
    }

    @Test
    void missingBackupDirectoriesAreNotFound() throws Exception {
        refused(tmp.resolve("nope"), List.of(), ErrorCode.NOT_FOUND, tmp.resolve("nope").toString());
        refused(f, List.of(i1, tmp.resolve("nope")), ErrorCode.NOT_FOUND, tmp.resolve("nope").toString());
        refused(tmp.resolve("a"), List.of(), ErrorCode.NOT_FOUND, "has no manifest.json");
    }
}
