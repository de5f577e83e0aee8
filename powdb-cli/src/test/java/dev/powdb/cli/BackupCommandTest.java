package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.Backups;
import dev.powdb.storage.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.powdb.cli.BackupFixtures.contents;
import static dev.powdb.cli.BackupFixtures.json;
import static dev.powdb.cli.BackupFixtures.keys;
import static dev.powdb.cli.BackupFixtures.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb backup}: full and incremental backups, their summary and JSON, and what is refused. */
class BackupCommandTest {
    @TempDir
    Path tmp;

    private Path db() {
        return tmp.resolve("db");
    }

    @Test
    void fullBackupPrintsOneSummaryLineAndWritesABackup() {
        BackupFixtures.createDatabase(db(), 500);
        Path dest = tmp.resolve("full");
        CliRun r = CliRun.of("--data-dir", db().toString(), "backup", dest.toString());
        assertEquals(0, r.exit, r.err());
        assertEquals("", r.err());
        BackupManifest m = Backups.manifest(dest);
        assertEquals(BackupManifest.Kind.FULL, m.kind());
        assertTrue(r.out().matches(Pattern.quote("full backup of " + db() + " at LSN " + m.sourceLsn() + ": "
                + m.files().size() + " files, ") + "[0-9.]+ (B|KiB|MiB) in [0-9.]+ s( \\([0-9.]+ MiB/s\\))? -> "
                + Pattern.quote(dest.toString()) + "\n"), r.out());
    }

    @Test
    void incrementalBackupNamesItsParentAndComparesWithTheDatabase() {
        BackupFixtures.createDatabase(db(), 2000);
        Path full = tmp.resolve("full");
        assertEquals(0, CliRun.of("--data-dir", db().toString(), "backup", full.toString()).exit);
        try (Database d = Database.open(db())) {
            BackupFixtures.insert(d, 2001, 2010);
        }
        Path incr = tmp.resolve("incr");
        CliRun r = CliRun.of("--data-dir", db().toString(), "backup", incr.toString(), "--base", full.toString());
        assertEquals(0, r.exit, r.err());
        BackupManifest m = Backups.manifest(incr);
        assertEquals(BackupManifest.Kind.INCREMENTAL, m.kind());
        assertEquals(Backups.manifest(full).manifestBlake3(), m.parentManifestBlake3());
        assertTrue(r.out().startsWith("incremental backup of " + db() + " at LSN " + m.sourceLsn() + " on top of "
                + full + " (LSN " + Backups.manifest(full).sourceLsn() + "): "), r.out());
        assertTrue(r.out().matches("(?s).*, [0-9.]+% of the database's [0-9.]+ (KiB|MiB) -> "
                + Pattern.quote(incr.toString()) + "\n"),
                r.out());
        assertEquals(2010, BackupFixtures.count(db()));
    }

    @Test
    void jsonHasTheSameFacts() {
        BackupFixtures.createDatabase(db(), 100);
        Path full = tmp.resolve("full");
        CliRun r = CliRun.of("--data-dir", db().toString(), "backup", full.toString(), "--json");
        assertEquals(0, r.exit, r.err());
        JsonNode o = json(r);
        assertEquals(set("ok", "kind", "data_dir", "destination", "source_lsn", "files", "bytes", "millis",
                "bytes_per_second", "database_bytes", "manifest_blake3", "start_lsn", "start", "wal_segments",
                "change_source", "parent"), keys(o));
        assertEquals("full", o.get("change_source").asText());
        assertEquals("new_checkpoint", o.get("start").asText(), "a full backup runs its own checkpoint");
        assertEquals(0, o.get("wal_segments").asInt(), "a backup of a quiet database keeps no WAL");
        BackupManifest m = Backups.manifest(full);
        assertTrue(o.get("ok").asBoolean());
        assertEquals("full", o.get("kind").asText());
        assertEquals(m.sourceLsn(), o.get("source_lsn").asLong());
        assertEquals(m.manifestBlake3(), o.get("manifest_blake3").asText());
        assertEquals(m.storedBytes(), o.get("bytes").asLong());
        assertTrue(o.get("parent").isNull());

        Path incr = tmp.resolve("incr");
        JsonNode i = json(CliRun.of("--data-dir", db().toString(), "backup", incr.toString(), "--base",
                full.toString(), "--json"));
        assertEquals("incremental", i.get("kind").asText());
        // A new process: the engine's stored change windows reach back to the full backup's start.
        assertEquals("tracked", i.get("change_source").asText());
        // Opening the database ran a checkpoint and nothing was written since: the increment starts there.
        assertEquals("last_checkpoint", i.get("start").asText());
        assertEquals(set("path", "source_lsn", "manifest_blake3"), keys(i.get("parent")));
        assertEquals(full.toString(), i.get("parent").get("path").asText());
        assertEquals(m.sourceLsn(), i.get("parent").get("source_lsn").asLong());
        assertEquals(m.manifestBlake3(), i.get("parent").get("manifest_blake3").asText());
    }

    @Test
    void aMissingDataDirectoryIsRefusedAndNothingIsCreated() {
        Path dest = tmp.resolve("dest");
        CliRun r = CliRun.of("--data-dir", db().toString(), "backup", dest.toString());
        assertEquals(1, r.exit);
        assertEquals("Error: no database at " + db() + ": no such directory\n", r.err());
        assertFalse(Files.exists(db()), "the data directory was created");
        assertFalse(Files.exists(dest), "the destination was created");

        CliRun json = CliRun.of("--data-dir", db().toString(), "backup", dest.toString(), "--json");
        assertEquals(1, json.exit);
        assertEquals("NOT_FOUND", json(json).get("error").get("code").asText());
        assertFalse(json(json).get("ok").asBoolean());
    }

    @Test
    void anEmptyDirectoryIsNotADatabase() throws Exception {
        Files.createDirectories(db());
        CliRun r = CliRun.of("--data-dir", db().toString(), "backup", tmp.resolve("dest").toString());
        assertEquals(1, r.exit);
        assertTrue(r.err().startsWith("Error: no database at " + db()), r.err());
        try (var entries = Files.list(db())) {
            assertEquals(0, entries.count(), "something was written into the empty directory");
        }
    }

    @Test
    void badDestinationsAndBasesAreRefusedBeforeTheDatabaseIsOpened() throws Exception {
        BackupFixtures.createDatabase(db(), 10);
        Map<String, byte[]> before = contents(db());
        Path full = tmp.resolve("notEmpty");
        Files.createDirectories(full);
        Files.writeString(full.resolve("keep.txt"), "mine");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path emptyDir = Files.createDirectories(tmp.resolve("empty"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), emptyDir);
        String[][] cases = {
                {"backup", link.toString()},
                {"backup", full.toString()},
                {"backup", file.toString()},
                {"backup", tmp.resolve("no/such/parent").toString()},
                {"backup", tmp.resolve("d1").toString(), "--base", tmp.resolve("missing").toString()},
                {"backup", tmp.resolve("d2").toString(), "--base", full.toString()},
        };
        String[] messages = {"is a symbolic link", "is not empty", "exists and is not a directory", "does not exist",
                "is not a backup", "is not a backup"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 2];
            args[0] = "--data-dir";
            args[1] = db().toString();
            System.arraycopy(cases[i], 0, args, 2, cases[i].length);
            CliRun r = CliRun.of(args);
            assertEquals(1, r.exit, String.join(" ", args));
            assertTrue(r.err().startsWith("Error: ") && r.err().contains(messages[i]), r.err());
        }
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
        assertFalse(Files.exists(tmp.resolve("d1")) || Files.exists(tmp.resolve("d2")));
        try (var entries = Files.list(emptyDir)) {
            assertEquals(0, entries.count(), "a backup was written through the symbolic link");
        }
        assertTrue(BackupFixtures.sameContents(before, contents(db())), "the data directory changed");
    }

    @Test
    void aDatabaseOpenElsewhereIsRefusedWithoutTouchingIt() {
        BackupFixtures.createDatabase(db(), 50);
        Path dest = tmp.resolve("dest");
        try (Database open = Database.open(db())) {
            Map<String, byte[]> before = contents(db());
            CliRun r = CliRun.of("--data-dir", db().toString(), "backup", dest.toString());
            assertEquals(1, r.exit);
            assertTrue(r.err().startsWith("Error: database at " + db()) && r.err().contains("already open"),
                    r.err());
            assertTrue(BackupFixtures.sameContents(before, contents(db())), "the data directory changed");
            assertEquals(50, open.count("item", null));
        }
        assertFalse(Files.exists(dest));
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, CliRun.of("backup").exit);
        assertEquals(2, CliRun.of("backup", "a", "b").exit);
        assertEquals(2, CliRun.of("backup", "a", "--base").exit);
        CliRun r = CliRun.of("backup", "a", "--no-such-option");
        assertEquals(2, r.exit);
        assertTrue(r.err().startsWith("Error: Unknown option: '--no-such-option'"), r.err());
        assertFalse(Files.exists(Path.of("a")));
    }

    @Test
    void onATerminalAProgressBarGoesToStandardError() {
        BackupFixtures.createDatabase(db(), 2000);
        CliRun r = CliRun.of("", true, "--data-dir", db().toString(), "backup", tmp.resolve("dest").toString());
        assertEquals(0, r.exit, r.err());
        assertTrue(r.err().contains("backup") && r.err().contains("%"), r.err());
        assertTrue(r.out().startsWith("full backup of "), r.out());
        assertFalse(r.out().contains("%"), "the bar went to standard output: " + r.out());
    }
}
