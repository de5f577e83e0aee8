package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.Backups;
import dev.powdb.storage.Database;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static dev.powdb.cli.BackupFixtures.json;
import static dev.powdb.cli.BackupFixtures.keys;
import static dev.powdb.cli.BackupFixtures.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb backup-info}: what a manifest says, as text and JSON, and refusing what is not a backup. */
class BackupInfoCommandTest {
    @TempDir
    Path tmp;

    private Path full;
    private Path incr;

    @BeforeEach
    void backups() {
        Path db = tmp.resolve("db");
        BackupFixtures.createDatabase(db, 2000);
        full = tmp.resolve("full");
        incr = tmp.resolve("incr");
        assertEquals(0, CliRun.of("--data-dir", db.toString(), "backup", full.toString()).exit);
        try (Database d = Database.open(db)) {
            d.update("item", row -> ((Long) row.get(0)) <= 5, row -> java.util.Map.of("name", "changed"));
        }
        assertEquals(0, CliRun.of("--data-dir", db.toString(), "backup", incr.toString(), "--base",
                full.toString()).exit);
    }

    @Test
    void showsAFullBackup() {
        CliRun r = CliRun.of("backup-info", full.toString());
        assertEquals(0, r.exit, r.err());
        BackupManifest m = Backups.manifest(full);
        String out = r.out();
        assertTrue(out.startsWith("backup           " + full + "\nkind             full\ncreated          "
                + Instant.ofEpochSecond(m.createdUnixSecs()) + "\nsource LSN       " + m.sourceLsn() + "\n"), out);
        assertTrue(out.contains("\npage size        4096 bytes\n"), out);
        assertTrue(out.contains("\nmanifest         " + m.manifestBlake3() + "\n"), out);
        assertTrue(!out.contains("parent"), out);
        assertTrue(out.contains("\nfile ") && out.contains("stored as"), out);
        for (BackupManifest.FileEntry f : m.files()) {
            assertTrue(out.lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(f.name())
                    + " +whole +" + f.lengthBytes() + " +" + f.lengthBytes())), f.name() + "\n" + out);
        }
        assertTrue(out.endsWith("total: " + m.files().size() + " files (" + m.files().size()
                + " whole, 0 delta, 0 unchanged), 0 removed; database " + Sizes.bytes(m.storedBytes())
                + ", stored " + Sizes.bytes(m.storedBytes()) + "\n"), out);
    }

    @Test
    void showsHowAnIncrementStoresEachFile() {
        CliRun r = CliRun.of("backup-info", incr.toString());
        assertEquals(0, r.exit, r.err());
        BackupManifest parent = Backups.manifest(full);
        assertTrue(r.out().contains("\nkind             incremental\n"), r.out());
        assertTrue(r.out().contains("\nparent LSN       " + parent.sourceLsn() + "\nparent manifest  "
                + parent.manifestBlake3() + "\n"), r.out());
        // five rows changed in place: the heap is stored as a delta of a few pages
        assertTrue(r.out().lines().anyMatch(l -> l.matches("item\\.heap +delta, \\d+ pages? +\\d+ +\\d+")),
                r.out());
    }

    @Test
    void jsonListsEveryFileAndTheTotals() {
        CliRun r = CliRun.of("backup-info", incr.toString(), "--json");
        assertEquals(0, r.exit, r.err());
        JsonNode o = json(r);
        assertEquals(set("ok", "backup", "kind", "format_version", "created", "created_unix_secs", "source_lsn",
                "catalog_version", "page_size", "parent_manifest_blake3", "parent_source_lsn", "manifest_blake3",
                "files", "totals"), keys(o));
        BackupManifest m = Backups.manifest(incr);
        assertEquals("incremental", o.get("kind").asText());
        assertEquals(Instant.ofEpochSecond(m.createdUnixSecs()).toString(), o.get("created").asText());
        assertEquals(m.parentSourceLsn().longValue(), o.get("parent_source_lsn").asLong());
        int listed = m.files().size() + m.deltas().size() + m.unchanged().size() + m.removed().size();
        assertEquals(listed, o.get("files").size());
        boolean sawDelta = false;
        for (JsonNode f : o.get("files")) {
            if (f.get("stored").asText().equals("delta")) {
                sawDelta = true;
                assertEquals(set("name", "stored", "length", "stored_bytes", "pages"), keys(f));
                assertTrue(f.get("pages").asLong() >= 1);
            }
        }
        assertTrue(sawDelta, r.out());
        assertEquals(set("files", "whole", "delta", "unchanged", "removed", "database_bytes", "stored_bytes"),
                keys(o.get("totals")));
        assertEquals(m.storedBytes(), o.get("totals").get("stored_bytes").asLong());
    }

    @Test
    void refusesWhatIsNotABackup() throws Exception {
        CliRun dir = CliRun.of("backup-info", tmp.resolve("db").toString());
        assertEquals(1, dir.exit);
        assertTrue(dir.err().startsWith("Error: ") && dir.err().contains("not a backup"), dir.err());

        Path fake = tmp.resolve("fake");
        Files.createDirectories(fake);
        Files.writeString(fake.resolve(BackupManifest.FILE_NAME), "{\"format_version\": 1}");
        CliRun damaged = CliRun.of("backup-info", fake.toString(), "--json");
        assertEquals(1, damaged.exit);
        assertEquals("CORRUPT", json(damaged).get("error").get("code").asText());
        assertTrue(damaged.err().contains("manifest.json: field "), damaged.err());

        Files.writeString(fake.resolve(BackupManifest.FILE_NAME), "{\"format_version\": 99}");
        CliRun tooNew = CliRun.of("backup-info", fake.toString(), "--json");
        assertEquals(1, tooNew.exit);
        assertEquals("FORMAT_TOO_NEW", json(tooNew).get("error").get("code").asText());

        assertEquals(1, CliRun.of("backup-info", tmp.resolve("missing").toString()).exit);
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, CliRun.of("backup-info").exit);
        assertEquals(2, CliRun.of("backup-info", full.toString(), "--quick").exit);
    }
}
