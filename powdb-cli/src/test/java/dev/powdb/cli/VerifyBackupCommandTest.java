package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.powdb.storage.Database;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static dev.powdb.cli.BackupFixtures.json;
import static dev.powdb.cli.BackupFixtures.keys;
import static dev.powdb.cli.BackupFixtures.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb verify-backup}: intact chains, damaged backups, quick and deep checks, drills and JSON. */
class VerifyBackupCommandTest {
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
            BackupFixtures.insert(d, 2001, 2100);
        }
        assertEquals(0, CliRun.of("--data-dir", db.toString(), "backup", incr.toString(), "--base",
                full.toString()).exit);
    }

    @Test
    void anIntactChainExits0() {
        CliRun r = CliRun.of("verify-backup", full.toString(), "--apply", incr.toString());
        assertEquals(0, r.exit, r.out() + r.err());
        assertEquals("", r.err());
        List<String> lines = BackupFixtures.lines(r.out());
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).matches(Pattern.quote("checked " + full + ", " + incr)
                + ": deep, \\d+ files, .* hashed in .*"), r.out());
        assertEquals("verify-backup: intact", lines.get(1));
    }

    @Test
    void aFlippedByteIsReportedWithFileCheckAndRemedy() throws Exception {
        flipByte(full.resolve("item.heap"), 4096 + 100);
        CliRun r = CliRun.of("verify-backup", full.toString(), "--apply", incr.toString());
        assertEquals(1, r.exit, r.out());
        List<String> bad = r.out().lines().filter(l -> l.startsWith("BAD ")).toList();
        assertFalse(bad.isEmpty(), r.out());
        assertTrue(bad.stream().anyMatch(l -> l.startsWith("BAD   " + full + ": item.heap: blake3: ")
                && l.contains("; remedy: ")), r.out());
        assertTrue(r.out().endsWith("verify-backup: PROBLEMS FOUND (" + bad.size() + ")\n"), r.out());
        assertTrue(r.err().startsWith("Error: backup " + full + " failed verification"), r.err());

        // a quick check looks at presence and lengths only: the same byte is not seen
        assertEquals(0, CliRun.of("verify-backup", full.toString(), "--quick").exit);
    }

    @Test
    void aMissingFileIsFoundEvenByAQuickCheckAndJsonListsIt() throws Exception {
        Files.delete(full.resolve("item_id.idx"));
        CliRun r = CliRun.of("verify-backup", full.toString(), "--quick", "--json");
        assertEquals(1, r.exit);
        JsonNode o = json(r);
        assertEquals(set("ok", "level", "backups", "files_checked", "bytes_hashed", "millis", "drill", "problems"),
                keys(o));
        assertFalse(o.get("ok").asBoolean());
        assertEquals("quick", o.get("level").asText());
        JsonNode p = o.get("problems").get(0);
        assertEquals(set("backup", "file", "check", "message", "remedy"), keys(p));
        assertEquals("item_id.idx", p.get("file").asText());
        assertEquals("presence", p.get("check").asText());
        assertFalse(p.get("remedy").asText().isEmpty());
    }

    @Test
    void aRestoreDrillLeavesAWorkingCopy() {
        Path drill = tmp.resolve("drill");
        CliRun r = CliRun.of("verify-backup", full.toString(), "--apply", incr.toString(), "--restore-drill",
                drill.toString(), "--json");
        assertEquals(0, r.exit, r.out() + r.err());
        JsonNode d = json(r).get("drill");
        assertEquals(drill.toString(), d.get("directory").asText());
        assertEquals(2100, BackupFixtures.count(drill));

        CliRun refused = CliRun.of("verify-backup", full.toString(), "--restore-drill", drill.toString());
        assertEquals(1, refused.exit, refused.out());
        assertTrue(refused.err().startsWith("Error: "), refused.err());
    }

    @Test
    void aDirectoryThatIsNotABackupFails() {
        CliRun r = CliRun.of("verify-backup", tmp.resolve("db").toString());
        assertEquals(1, r.exit);
        assertTrue(r.err().contains("Error: ") && r.err().contains(tmp.resolve("db").toString()), r.err());
    }

    @Test
    void usageErrorsExit2() {
        assertEquals(2, CliRun.of("verify-backup").exit);
        assertEquals(2, CliRun.of("verify-backup", full.toString(), "--restore-drill").exit);
        assertEquals(2, CliRun.of("verify-backup", full.toString(), "--deep").exit);
        assertEquals(2, CliRun.of("verify-backup", full.toString(), "extra").exit);
    }

    static void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }
}
