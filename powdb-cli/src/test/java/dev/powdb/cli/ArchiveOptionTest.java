package dev.powdb.cli;

import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.Backups;
import dev.powdb.backup.WalArchive;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The global {@code --archive DIR}: every command that opens the database archives its WAL there, before or after
 * the command name, and a directory that cannot be the archive is refused before the database is opened.
 */
class ArchiveOptionTest {
    @TempDir
    Path tmp;

    private Path db() {
        return tmp.resolve("db");
    }

    private Path wal() {
        return tmp.resolve("wal");
    }

    /** Asserts that {@code archive} is the WAL archive of the database at {@code data}. */
    private static void assertArchiveOf(Path data, Path archive, String what) {
        assertTrue(Files.isRegularFile(archive.resolve(WalArchive.ID_FILE)), what + ": no archive.json");
        // the archive is this database's: opening it with the archive is accepted
        Database.openExisting(data, DatabaseOptions.defaults().withArchive(archive)).close();
    }

    /** Asserts that {@code archive} is the WAL archive of {@code data} and holds at least one intact segment. */
    private static void assertArchives(Path data, Path archive, String what) {
        assertArchiveOf(data, archive, what);
        ArchiveInfo info = Backups.archiveInfo(archive, true);
        assertFalse(info.segments().isEmpty(), what + ": no segment archived");
        assertTrue(info.intact(), what + ": " + info);
    }

    @Test
    void everyCommandThatOpensTheDatabaseArchivesItsWal() {
        Map<String, List<String>> commands = Map.of(
                "-c", List.of("--archive", "ARCHIVE", "--data-dir", "DB", "-c", "hello"),
                "shell", List.of("--data-dir", "DB", "shell", "--archive", "ARCHIVE"),
                "backup", List.of("--data-dir", "DB", "backup", "BACKUP", "--archive", "ARCHIVE"),
                "dump", List.of("--archive", "ARCHIVE", "--data-dir", "DB", "dump"),
                "info", List.of("--data-dir", "DB", "info", "--archive", "ARCHIVE"),
                "checkpoint", List.of("--archive", "ARCHIVE", "--data-dir", "DB", "checkpoint"));
        for (Map.Entry<String, List<String>> c : commands.entrySet()) {
            Path data = tmp.resolve("db-" + c.getKey());
            Path archive = tmp.resolve("wal-" + c.getKey());
            BackupFixtures.createDatabase(data, 10);
            String[] args = c.getValue().stream().map(s -> s.replace("ARCHIVE", archive.toString())
                    .replace("DB", data.toString()).replace("BACKUP", tmp.resolve("b-" + c.getKey()).toString()))
                    .toArray(String[]::new);
            CliRun r = CliRun.of("", false, args);
            assertEquals(0, r.exit, c.getKey() + ": " + r.err());
            assertArchives(data, archive, c.getKey());
        }
    }

    @Test
    void aNewDatabaseCreatedWithAnArchiveStartsItsArchive() {
        CliRun r = CliRun.of("--data-dir", db().toString(), "--archive", wal().toString(), "-c", "hello");
        assertEquals(0, r.exit, r.err());
        assertArchiveOf(db(), wal(), "new database");
        // the next run takes it as its own; what a session writes is archived when it closes
        try (Database d = Database.openExisting(db(), DatabaseOptions.defaults())) {
            d.createTable(new dev.powdb.storage.TableSchema("t", List.of(dev.powdb.storage.ColumnDef.required("id",
                    dev.powdb.storage.ColumnType.INT)), List.of()));
        }
        assertEquals(0, CliRun.of("--data-dir", db().toString(), "--archive", wal().toString(), "-c", "x").exit);
        assertArchives(db(), wal(), "second run");
    }

    @Test
    void commandsThatDoNotOpenTheDatabaseIgnoreIt() {
        BackupFixtures.createDatabase(db(), 10);
        assertEquals(0, CliRun.of("--data-dir", db().toString(), "--archive", wal().toString(), "verify").exit);
        assertFalse(Files.exists(wal()), "verify created the archive");
    }

    /** A refused {@code --archive}: exit 1 with {@code message}, and a new database's directory never created. */
    private void assertRefused(Path archive, String message) {
        Path fresh = tmp.resolve("fresh");
        CliRun r = CliRun.of("--data-dir", fresh.toString(), "--archive", archive.toString(), "-c", "hello");
        assertEquals(1, r.exit, r.err());
        assertEquals("Error: " + message + "\n", r.err());
        assertFalse(Files.exists(fresh), "a refused archive created the data directory");
        assertTrue(r.runner.executed.isEmpty(), "statements ran");
    }

    @Test
    void aDirectoryThatCannotBeTheArchiveIsRefusedBeforeTheDatabaseIsOpened() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertRefused(file, "WAL archive " + file + " exists and is not a directory");

        Path orphan = tmp.resolve("no-parent").resolve("wal");
        assertRefused(orphan, "WAL archive " + orphan + ": its parent directory " + orphan.getParent()
                + " does not exist (create it first)");

        Path stranger = tmp.resolve("stranger");
        Files.createDirectories(stranger);
        Files.writeString(stranger.resolve("notes.txt"), "mine");
        assertRefused(stranger, "WAL archive " + stranger + " is not empty and has no archive.json: it is not a"
                + " PowDB WAL archive; give a new or empty directory, or the archive itself");
        assertEquals("mine", Files.readString(stranger.resolve("notes.txt")));

        Path link = tmp.resolve("link");
        Files.createDirectories(tmp.resolve("real"));
        Files.createSymbolicLink(link, tmp.resolve("real"));
        assertRefused(link, "WAL archive " + link + " is a symbolic link; give the real directory");

        Path inside = tmp.resolve("fresh").resolve("wal-archive");
        assertRefused(inside, "WAL archive " + inside + " is inside the data directory " + tmp.resolve("fresh")
                + "; keep the archive outside it (best on another disk)");
    }

    @Test
    void anExistingArchiveIsRefusedForANewDatabaseAndForAnotherOne() {
        CliRun first = CliRun.of("--data-dir", db().toString(), "--archive", wal().toString(), "-c", "hello");
        assertEquals(0, first.exit, first.err());
        assertRefused(wal(), "WAL archive " + wal() + " already holds the WAL of a database, and "
                + tmp.resolve("fresh") + " holds no database yet; a new database needs a new or empty archive"
                + " directory");

        Path other = tmp.resolve("other");
        BackupFixtures.createDatabase(other, 5);
        CliRun r = CliRun.of("--data-dir", other.toString(), "--archive", wal().toString(), "-c", "hello");
        assertEquals(1, r.exit);
        assertTrue(r.err().startsWith("Error: WAL archive " + wal() + " holds the WAL of database "), r.err());
        assertTrue(r.runner.executed.isEmpty(), "statements ran");
    }

    @Test
    void twoDifferentArchivesBeforeAndAfterTheCommandAreAUsageError() {
        BackupFixtures.createDatabase(db(), 5);
        CliRun r = CliRun.of("--data-dir", db().toString(), "--archive", wal().toString(), "backup",
                tmp.resolve("b").toString(), "--archive", tmp.resolve("wal2").toString());
        assertEquals(2, r.exit);
        assertEquals("Error: --archive " + wal() + " before 'backup' and --archive " + tmp.resolve("wal2")
                + " after it name different archives: give one\nTry 'powdb backup --help'.\n", r.err());
        assertFalse(Files.exists(wal()) || Files.exists(tmp.resolve("wal2")) || Files.exists(tmp.resolve("b")));
        assertEquals(2, CliRun.of("--archive", "a", "--archive", "b", "-c", "hello").exit);
    }
}
