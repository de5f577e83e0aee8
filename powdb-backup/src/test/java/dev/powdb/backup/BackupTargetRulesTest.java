package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.assertNothingRestored;
import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a backup or a restore may write: a target that does not exist or is an empty real directory, never inside
 * the data directory, never through a symlink; a base that is a backup of this database and not newer than it.
 * Every refusal leaves the file system as it was.
 */
class BackupTargetRulesTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;
    Path data;
    Path full;
    String snapshot;

    @BeforeEach
    void database() {
        data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            fill(db, "t", 0, 500);
            full = tmp.resolve("full");
            Backups.full(db, full, BackupProgress.NONE);
            snapshot = Snapshots.of(db);
        }
    }

    private BackupException restoreRefused(Path dest, String part) throws Exception {
        Map<String, String> before = BackupFixtures.tree(tmp);
        BackupException e = assertThrows(BackupException.class, () -> Backups.restore(full, List.of(), dest,
                BackupProgress.NONE));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(dest.toString()), "the message names the target: " + e.getMessage());
        assertEquals(List.of(), BackupFixtures.stagingDirs(dest));
        assertEquals(before, BackupFixtures.tree(tmp), "a refused restore changed the file system");
        return e;
    }

    private PowDbException backupRefused(Database db, Path dest, Path base, ErrorCode code, String... parts)
            throws Exception {
        // The backup checkpoints the database before it looks at the base: its own directory may change.
        String own = tmp.relativize(db.dir()) + "/";
        Map<String, String> before = BackupFixtures.tree(tmp);
        before.keySet().removeIf(k -> k.startsWith(own));
        Map<String, String> dataBefore = BackupFixtures.tree(db.dir());
        PowDbException e = assertThrows(PowDbException.class, () -> {
            if (base == null) {
                Backups.full(db, dest, BackupProgress.NONE);
            } else {
                Backups.incremental(db, dest, base, BackupProgress.NONE);
            }
        });
        assertEquals(code, e.code(), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
        Map<String, String> after = BackupFixtures.tree(tmp);
        after.keySet().removeIf(k -> k.startsWith(own));
        assertEquals(before, after, "a refused backup changed the file system outside the data directory");
        // The data directory may have been checkpointed, but it gained no backup files.
        for (String name : BackupFixtures.tree(db.dir()).keySet()) {
            assertTrue(dataBefore.containsKey(name) || name.startsWith("wal"), "new file in the data directory: "
                    + name);
        }
        assertEquals(List.of(), BackupFixtures.dirsWithManifest(db.dir()));
        return e;
    }

    // ---- restore targets

    @Test
    void restoreIntoANonEmptyDirectoryIsRefused() throws Exception {
        Path dest = Files.createDirectory(tmp.resolve("busy"));
        Files.writeString(dest.resolve("keep.txt"), "mine");
        restoreRefused(dest, "is not empty");
        // Even a directory holding only a hidden file.
        Files.delete(dest.resolve("keep.txt"));
        Files.writeString(dest.resolve(".hidden"), "mine");
        restoreRefused(dest, "is not empty");
    }

    @Test
    void restoreOntoAFileIsRefused() throws Exception {
        Path dest = tmp.resolve("file");
        Files.writeString(dest, "a file");
        restoreRefused(dest, "is not a directory");
    }

    @Test
    void restoreThroughASymlinkToAnEmptyDirectoryIsRefused() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), empty);
        restoreRefused(link, "symbolic link");
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));
        restoreRefused(dangling, "symbolic link");
        assertFalse(Files.exists(tmp.resolve("nowhere")));
    }

    @Test
    void restoreWithoutAParentDirectoryIsRefused() throws Exception {
        restoreRefused(tmp.resolve("no").resolve("such").resolve("dir"), "parent directory");
    }

    @Test
    void restoreIntoTheBackupItselfIsRefused() throws Exception {
        restoreRefused(full, "is not empty");
    }

    @Test
    void restoreIntoAnEmptyExistingDirectoryWorks() throws Exception {
        Path dest = Files.createDirectory(tmp.resolve("empty"));
        RestoreSummary s = Backups.restore(full, List.of(), dest, BackupProgress.NONE);
        assertEquals(Backups.manifest(full).sourceLsn(), s.sourceLsn());
        assertTrue(Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), BackupFixtures.stagingDirs(dest));
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(snapshot, Snapshots.of(db));
        }
    }

    @Test
    void restoreIntoANewDirectoryWorksAndLeavesNothingBeside() throws Exception {
        List<String> before = BackupFixtures.list(tmp);
        Path dest = tmp.resolve("new");
        Backups.restore(full, List.of(), dest, BackupProgress.NONE);
        List<String> after = new java.util.ArrayList<>(BackupFixtures.list(tmp));
        after.remove("new");
        assertEquals(before, after);
    }

    /**
     * A target whose name is valid but long (here 240 bytes, under the usual 255-byte limit): the staging directory
     * beside it must not need a longer name than the target itself.
     */
    @Test
    void restoreIntoATargetWithALongNameWorks() throws Exception {
        Path dest = tmp.resolve("d".repeat(240));
        Files.createDirectory(dest); // the name itself is fine for the file system
        Files.delete(dest);
        Backups.restore(full, List.of(), dest, BackupProgress.NONE);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(snapshot, Snapshots.of(db));
        }
        assertEquals(List.of(), BackupFixtures.stagingDirs(dest));
    }

    @Test
    void failedRestoreIntoAnExistingEmptyDirectoryLeavesItEmpty() throws Exception {
        Path dest = Files.createDirectory(tmp.resolve("empty"));
        Path heap = full.resolve("t.heap");
        byte[] original = Files.readAllBytes(heap);
        byte[] damaged = original.clone();
        damaged[damaged.length - 1] ^= 1;
        Files.write(heap, damaged);
        assertThrows(PowDbException.class, () -> Backups.restore(full, List.of(), dest, BackupProgress.NONE));
        assertTrue(Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), BackupFixtures.list(dest));
        assertEquals(List.of(), BackupFixtures.stagingDirs(dest));
        Files.write(heap, original);
    }

    // ---- restore drills

    @Test
    void drillDirectoryFollowsTheRestoreRules() throws Exception {
        Path busy = Files.createDirectory(tmp.resolve("busy"));
        Files.writeString(busy.resolve("x"), "x");
        BackupException e = assertThrows(BackupException.class, () -> Backups.verify(full, List.of(),
                VerifyLevel.DEEP, busy, BackupProgress.NONE));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("empty")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(BackupException.class, () -> Backups.verify(full,
                List.of(), VerifyLevel.DEEP, link, BackupProgress.NONE)).code());
        assertEquals(List.of(), BackupFixtures.list(tmp.resolve("empty")));
        Path drill = tmp.resolve("drill");
        BackupVerifyReport ok = Backups.verify(full, List.of(), VerifyLevel.QUICK, drill, BackupProgress.NONE);
        assertTrue(ok.intact(), ok.problems().toString());
        assertEquals(Backups.manifest(full).sourceLsn(), ok.drill().sourceLsn());
        try (Database db = Database.openExisting(drill, DatabaseOptions.defaults())) {
            assertEquals(snapshot, Snapshots.of(db));
        }
    }

    @Test
    void drillOfADamagedBackupIsSkippedAndWritesNothing() throws Exception {
        Files.delete(full.resolve("t_id.idx"));
        Path drill = tmp.resolve("drill");
        BackupVerifyReport r = Backups.verify(full, List.of(), VerifyLevel.DEEP, drill, BackupProgress.NONE);
        assertFalse(r.intact());
        assertTrue(r.problems().stream().anyMatch(p -> p.check().equals("drill") && p.message().contains("skipped")),
                r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.file().equals("t_id.idx") && p.check().equals("presence")),
                r.problems().toString());
        assertNothingRestored(drill, "skipped drill");
    }

    // ---- backup targets

    @Test
    void backupIntoANonEmptyDirectoryIsRefused() throws Exception {
        try (Database db = Database.open(data)) {
            Path dest = Files.createDirectory(tmp.resolve("busy"));
            Files.writeString(dest.resolve("keep.txt"), "mine");
            backupRefused(db, dest, null, ErrorCode.INVALID_ARGUMENT, "is not empty", dest.toString());
            backupRefused(db, full, null, ErrorCode.INVALID_ARGUMENT, "is not empty");
            backupRefused(db, dest, full, ErrorCode.INVALID_ARGUMENT, "is not empty");
        }
    }

    @Test
    void backupIntoTheDataDirectoryOrBelowIsRefused() throws Exception {
        try (Database db = Database.open(data)) {
            backupRefused(db, data, null, ErrorCode.INVALID_ARGUMENT, data.toString());
            backupRefused(db, data.resolve("backup"), null, ErrorCode.INVALID_ARGUMENT,
                    "inside the data directory");
            backupRefused(db, data.resolve("wal").resolve("backup"), null, ErrorCode.INVALID_ARGUMENT,
                    "inside the data directory");
            backupRefused(db, data.resolve("backup"), full, ErrorCode.INVALID_ARGUMENT, "inside the data directory");
            Path sneaky = tmp.resolve("x").resolve("..").resolve("data").resolve("b");
            Files.createDirectory(tmp.resolve("x"));
            backupRefused(db, sneaky, null, ErrorCode.INVALID_ARGUMENT, "inside the data directory");
            // Through a symlink that leads into the data directory.
            Path link = Files.createSymbolicLink(tmp.resolve("into-data"), data);
            backupRefused(db, link.resolve("b"), null, ErrorCode.INVALID_ARGUMENT, "inside the data directory");
            assertFalse(Files.exists(data.resolve("backup")));
            assertFalse(Files.exists(data.resolve("b")));
        }
    }

    @Test
    void backupIntoAnEmptyDirectoryInsideTheDataDirectoryIsRefused() throws Exception {
        try (Database db = Database.open(data)) {
            Path inside = Files.createDirectory(data.resolve("empty"));
            try {
                backupRefused(db, inside, null, ErrorCode.INVALID_ARGUMENT, "inside the data directory");
                assertEquals(List.of(), BackupFixtures.list(inside));
            } finally {
                Files.delete(inside);
            }
        }
    }

    @Test
    void backupThroughASymlinkOrOntoAFileIsRefused() throws Exception {
        try (Database db = Database.open(data)) {
            Path empty = Files.createDirectory(tmp.resolve("empty"));
            backupRefused(db, Files.createSymbolicLink(tmp.resolve("link"), empty), null,
                    ErrorCode.INVALID_ARGUMENT, "symbolic link");
            Path file = tmp.resolve("file");
            Files.writeString(file, "x");
            backupRefused(db, file, null, ErrorCode.INVALID_ARGUMENT, "is not a directory");
            backupRefused(db, tmp.resolve("no").resolve("parent"), null, ErrorCode.INVALID_ARGUMENT,
                    "parent directory");
        }
    }

    @Test
    void backupIntoAnEmptyDirectoryWorksWithPrivatePermissions() throws Exception {
        Path dest = Files.createDirectory(tmp.resolve("empty"));
        try (Database db = Database.open(data)) {
            Backups.full(db, dest, BackupProgress.NONE);
            fill(db, "t", 500, 600);
            Backups.incremental(db, tmp.resolve("inc"), dest, BackupProgress.NONE);
        }
        for (Path b : List.of(dest, tmp.resolve("inc"))) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(b)), b.toString());
            for (String name : BackupFixtures.list(b)) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        b.resolve(name))), b.resolve(name).toString());
                assertFalse(name.startsWith("."), "temporary file left in " + b + ": " + name);
            }
        }
        assertTrue(Backups.verify(dest, List.of(tmp.resolve("inc")), VerifyLevel.DEEP, null, BackupProgress.NONE)
                .intact());
    }

    // ---- bases

    @Test
    void baseWithoutAManifestIsRefused() throws Exception {
        try (Database db = Database.open(data)) {
            Path notABackup = Files.createDirectory(tmp.resolve("not-a-backup"));
            Files.writeString(notABackup.resolve("catalog.bin"), "x");
            Path dest = tmp.resolve("inc");
            backupRefused(db, dest, notABackup, ErrorCode.NOT_FOUND, "has no manifest.json");
            backupRefused(db, dest, tmp.resolve("missing"), ErrorCode.NOT_FOUND, "no such directory");
            backupRefused(db, dest, data, ErrorCode.NOT_FOUND, "has no manifest.json");
            assertFalse(Files.exists(dest));
        }
    }

    @Test
    void damagedBaseIsRefused() throws Exception {
        Files.writeString(full.resolve(BackupManifest.FILE_NAME), "{\"format_version\":1}");
        try (Database db = Database.open(data)) {
            PowDbException e = assertThrows(PowDbException.class, () -> Backups.incremental(db, tmp.resolve("inc"),
                    full, BackupProgress.NONE));
            assertTrue(e instanceof ManifestException, e.toString());
            assertFalse(Files.exists(tmp.resolve("inc")));
        }
    }

    @Test
    void baseNewerThanTheDatabaseIsRefused() throws Exception {
        long baseLsn = Backups.manifest(full).sourceLsn();
        try (Database young = Database.open(tmp.resolve("young"))) {
            createT(young, "t");
            assertTrue(young.maxLsn() < baseLsn);
            Path dest = tmp.resolve("inc");
            backupRefused(young, dest, full, ErrorCode.INVALID_ARGUMENT, "is at LSN " + baseLsn,
                    "not a backup of this database");
            assertFalse(Files.exists(dest));
            // Also into an existing empty directory: it is left empty.
            Files.createDirectory(dest);
            backupRefused(young, dest, full, ErrorCode.INVALID_ARGUMENT, "not a backup of this database");
            assertEquals(List.of(), BackupFixtures.list(dest));
        }
    }

    @Test
    void backupOfAClosedDatabaseLeavesNothing() throws Exception {
        Database db = Database.open(data);
        db.close();
        Path dest = tmp.resolve("closed");
        PowDbException e = assertThrows(PowDbException.class, () -> Backups.full(db, dest, BackupProgress.NONE));
        assertFalse(Files.exists(dest, LinkOption.NOFOLLOW_LINKS), "refused backup left " + dest + ": " + e);
    }

    @Test
    void baseThatIsTheDestinationIsRefused() throws Exception {
        try (Database db = Database.open(data)) {
            backupRefused(db, full, full, ErrorCode.INVALID_ARGUMENT);
        }
    }

    /**
     * A base taken of another database (older than this one, same table names, so the same file names and ids) must
     * not produce an increment that restores to a mixture of the two databases: either the backup is refused, or
     * the chain restores exactly this database.
     */
    @Test
    void baseOfAnotherDatabaseNeverRestoresToAMixture() throws Exception {
        Path other = tmp.resolve("other");
        Path inc = tmp.resolve("inc");
        String otherSnapshot;
        try (Database db = Database.open(other)) {
            createT(db, "t");
            fill(db, "t", 10_000, 10_600); // more history than the base's database: its LSN is past the base's
            assertTrue(db.maxLsn() > Backups.manifest(full).sourceLsn());
            otherSnapshot = Snapshots.of(db);
            try {
                Backups.incremental(db, inc, full, BackupProgress.NONE);
            } catch (PowDbException refused) {
                assertFalse(Files.exists(inc));
                return; // refusing a foreign base is a fine answer
            }
        }
        Path dest = tmp.resolve("mixture");
        try {
            Backups.restore(full, List.of(inc), dest, BackupProgress.NONE);
        } catch (PowDbException refused) {
            assertNothingRestored(dest, "foreign chain");
            return; // refused at restore: fine too
        }
        java.util.TreeSet<Long> ids = new java.util.TreeSet<>();
        String got;
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            db.scan("t", r -> true, r -> ids.add((Long) r.get("id")));
            got = Snapshots.of(db);
        }
        assertEquals(otherSnapshot, got, "an increment taken on a base of another database restored to something "
                + "else than that database: " + ids.size() + " rows, ids " + (ids.isEmpty() ? "-" : ids.first()
                + ".." + ids.last()) + " (the database has 600 rows, ids 10000..10599; the base's has 500, ids "
                + "0..499); verify of the result: " + Database.verify(dest));
    }

    /**
     * The realistic way to get a foreign base: a copy restored from a backup and the original both go on. An
     * increment of the copy taken on a later backup of the original must not restore to a mixture of the two
     * histories: either it is refused, or the chain restores exactly the copy.
     */
    @Test
    void baseFromADivergedCopyNeverRestoresToAMixture() throws Exception {
        Path copy = tmp.resolve("copy");
        Backups.restore(full, List.of(), copy, BackupProgress.NONE);
        Path originalLater = tmp.resolve("original-i1");
        try (Database db = Database.open(data)) {
            db.updateBy("t", "id", 1L, Map.of("s", "original"));
            fill(db, "t", 1000, 1100);
            Backups.incremental(db, originalLater, full, BackupProgress.NONE);
        }
        Path inc = tmp.resolve("copy-i");
        String copySnapshot;
        try (Database db = Database.open(copy)) {
            db.updateBy("t", "id", 2L, Map.of("s", "copy"));
            fill(db, "t", 2000, 2400);
            assertTrue(db.maxLsn() > Backups.manifest(originalLater).sourceLsn());
            copySnapshot = Snapshots.of(db);
            try {
                Backups.incremental(db, inc, originalLater, BackupProgress.NONE);
            } catch (PowDbException refused) {
                assertFalse(Files.exists(inc));
                return;
            }
        }
        Path dest = tmp.resolve("mixture");
        try {
            Backups.restore(full, List.of(originalLater, inc), dest, BackupProgress.NONE);
        } catch (PowDbException refused) {
            assertNothingRestored(dest, "diverged chain");
            return;
        }
        String got;
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            got = Snapshots.of(db);
        }
        assertEquals(copySnapshot, got, "the chain full -> original's increment -> copy's increment restored to a "
                + "mixture of the two histories (verify of the result: " + Database.verify(dest) + ")");
    }
}
