package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.powdb.backup.Backups;
import dev.powdb.storage.Database;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static dev.powdb.cli.BackupFixtures.json;
import static dev.powdb.cli.BackupFixtures.keys;
import static dev.powdb.cli.BackupFixtures.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb restore}: a full backup alone or with increments, its summary and JSON, and what is refused. */
class RestoreCommandTest {
    @TempDir
    Path tmp;

    private Path full;
    private Path incr;

    /** A full backup of 300 rows and an increment holding 20 more. */
    @BeforeEach
    void backups() {
        Path db = tmp.resolve("db");
        BackupFixtures.createDatabase(db, 300);
        full = tmp.resolve("full");
        incr = tmp.resolve("incr");
        assertEquals(0, CliRun.of("--data-dir", db.toString(), "backup", full.toString()).exit);
        try (Database d = Database.open(db)) {
            BackupFixtures.insert(d, 301, 320);
        }
        assertEquals(0, CliRun.of("--data-dir", db.toString(), "backup", incr.toString(), "--base",
                full.toString()).exit);
    }

    @Test
    void restoresAFullBackup() {
        Path dest = tmp.resolve("r");
        CliRun r = CliRun.of("restore", full.toString(), dest.toString());
        assertEquals(0, r.exit, r.err());
        assertEquals("", r.err());
        long lsn = Backups.manifest(full).sourceLsn();
        assertTrue(r.out().matches(Pattern.quote("restored " + full + " into " + dest + " at LSN " + lsn)
                + ": \\d+ files, [0-9.]+ (KiB|MiB) in [0-9.]+ s( \\([0-9.]+ MiB/s\\))?; backups applied: 1\n"),
                r.out());
        assertEquals(300, BackupFixtures.count(dest));
    }

    @Test
    void appliesIncrementsAndPrintsJson() {
        Path dest = tmp.resolve("r");
        CliRun r = CliRun.of("restore", full.toString(), dest.toString(), "--apply", incr.toString(), "--json");
        assertEquals(0, r.exit, r.err());
        JsonNode o = json(r);
        assertEquals(set("ok", "backup", "increments", "destination", "source_lsn", "files", "bytes",
                "backups_applied", "millis", "bytes_per_second", "target"), keys(o));
        assertTrue(o.get("ok").asBoolean());
        assertTrue(o.get("target").isNull(), "no archive, no point-in-time target: " + o);
        assertEquals(2, o.get("backups_applied").asInt());
        assertEquals(incr.toString(), o.get("increments").get(0).asText());
        assertEquals(Backups.manifest(incr).sourceLsn(), o.get("source_lsn").asLong());
        assertEquals(320, BackupFixtures.count(dest));

        CliRun text = CliRun.of("restore", full.toString(), tmp.resolve("r2").toString(), "--apply",
                incr.toString());
        assertTrue(text.out().startsWith("restored " + full + " + 1 increment into " + tmp.resolve("r2")),
                text.out());
        assertTrue(text.out().endsWith("; backups applied: 2\n"), text.out());
    }

    @Test
    void refusesANonEmptyTargetAndLeavesItAlone() throws Exception {
        Path dest = tmp.resolve("r");
        Files.createDirectories(dest);
        Files.writeString(dest.resolve("precious.txt"), "keep me");
        CliRun r = CliRun.of("restore", full.toString(), dest.toString());
        assertEquals(1, r.exit);
        assertTrue(r.err().startsWith("Error: ") && r.err().contains(dest.toString())
                && r.err().contains("not empty"), r.err());
        assertEquals("keep me", Files.readString(dest.resolve("precious.txt")));
        try (var entries = Files.list(dest)) {
            assertEquals(1, entries.count());
        }
    }

    @Test
    void refusesABrokenChainBeforeWritingAnything() {
        Path dest = tmp.resolve("r");
        CliRun incrementAlone = CliRun.of("restore", incr.toString(), dest.toString());
        assertEquals(1, incrementAlone.exit);
        assertTrue(incrementAlone.err().startsWith("Error: ") && incrementAlone.err().contains(incr.toString()),
                incrementAlone.err());
        CliRun twice = CliRun.of("restore", full.toString(), dest.toString(), "--apply", incr.toString(),
                "--apply", incr.toString(), "--json");
        assertEquals(1, twice.exit);
        assertEquals("CORRUPT", json(twice).get("error").get("code").asText(), twice.out());
        CliRun notABackup = CliRun.of("restore", tmp.resolve("db").toString(), dest.toString());
        assertEquals(1, notABackup.exit);
        assertTrue(notABackup.err().contains("not a backup"), notABackup.err());
        assertFalse(Files.exists(dest), "a refused restore created its target");
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, CliRun.of("restore").exit);
        assertEquals(2, CliRun.of("restore", full.toString()).exit);
        assertEquals(2, CliRun.of("restore", full.toString(), "x", "--apply").exit);
        assertEquals(2, CliRun.of("restore", full.toString(), "x", "--bogus").exit);
        assertEquals(2, CliRun.of("restore", full.toString(), "x", "y").exit);
        assertFalse(Files.exists(Path.of("x")));
    }
}
