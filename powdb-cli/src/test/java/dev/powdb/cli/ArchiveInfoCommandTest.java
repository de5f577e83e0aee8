package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.Backups;
import dev.powdb.backup.WalArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

import static dev.powdb.cli.BackupFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code powdb archive-info} on a real archive: what it shows, a missing segment (a gap) and a damaged one found,
 * and what is not an archive refused with exit 2.
 */
class ArchiveInfoCommandTest {
    @TempDir
    Path tmp;

    private ArchiveFixtures.Archived a;
    private ArchiveInfo expected;

    @BeforeEach
    void archive() throws Exception {
        a = ArchiveFixtures.create(tmp);
        expected = Backups.archiveInfo(a.archive(), false);
    }

    @Test
    void showsTheWindowAndTheRestorePointOfAnIntactArchive() {
        CliRun r = CliRun.of("archive-info", a.archive().toString());
        assertEquals(0, r.exit, r.err());
        assertEquals("", r.err());
        String out = r.out();
        assertTrue(out.startsWith("archive          " + a.archive() + "\ndatabase id      " + expected.databaseId()
                + "\nsegments         " + expected.segments().size() + " (" + Sizes.bytes(expected.bytes())
                + ")\nearliest LSN     " + expected.earliestLsn() + "\nlatest LSN       " + expected.latestLsn()
                + "\nearliest commit  " + ArchiveText.time(expected.earliestCommitMicros())
                + "\nlatest commit    " + ArchiveText.time(expected.latestCommitMicros()) + "\n"), out);
        String pointTime = Instant.EPOCH.plus(a.pointTimeMicros(), ChronoUnit.MICROS).toString();
        assertTrue(out.lines().anyMatch(l -> l.matches("p1 +" + a.pointLsn() + " +" + Pattern.quote(pointTime))),
                out);
        assertTrue(out.endsWith("\narchive-info: intact\n"), out);

        CliRun fromOption = CliRun.of("--archive", a.archive().toString(), "archive-info");
        assertEquals(0, fromOption.exit, fromOption.err());
        assertEquals(out, fromOption.out());
    }

    @Test
    void checkReadsEverySegmentAndJsonSaysSo() {
        CliRun r = CliRun.of("archive-info", a.archive().toString(), "--check", "--json");
        assertEquals(0, r.exit, r.err());
        JsonNode o = json(r);
        assertTrue(o.get("ok").asBoolean() && o.get("checked").asBoolean(), r.out());
        assertEquals(expected.databaseId(), o.get("database_id").asText());
        assertEquals(expected.segments().size(), o.get("segments").asInt());
        assertEquals(expected.latestLsn(), o.get("latest_lsn").asLong());
        assertEquals("p1", o.get("restore_points").get(0).get("name").asText());
        assertEquals(a.pointLsn(), o.get("restore_points").get(0).get("lsn").asLong());

        // on a terminal the check draws a bar on standard error; standard output is the same report
        CliRun terminal = CliRun.of("", true, "archive-info", a.archive().toString(), "--check");
        assertEquals(0, terminal.exit, terminal.err());
        assertTrue(terminal.out().endsWith("\narchive-info: intact\n"), terminal.out());
    }

    @Test
    void aMissingMiddleSegmentIsAGapThatExits1() throws Exception {
        WalArchive.Segment middle = expected.segments().get(expected.segments().size() / 2);
        WalArchive.Segment before = expected.segments().get(expected.segments().size() / 2 - 1);
        Files.delete(a.archive().resolve(middle.name()));
        Files.delete(a.archive().resolve(middle.name() + WalArchive.LISTING_SUFFIX));
        CliRun r = CliRun.of("archive-info", a.archive().toString());
        assertEquals(1, r.exit, r.out());
        String lsns = middle.firstLsn() == middle.lastLsn() ? "LSN " + middle.firstLsn() + " is"
                : "LSNs " + middle.firstLsn() + " to " + middle.lastLsn() + " are";
        assertTrue(r.out().contains("\nGAP   " + lsns + " missing, between " + before.name() + " (LSNs "
                + before.firstLsn() + " to " + before.lastLsn() + ") and "), r.out());
        assertTrue(r.out().endsWith("\narchive-info: PROBLEMS FOUND (1)\n"), r.out());
        assertEquals("Error: WAL archive " + a.archive() + " is not intact: 1 gap found\n", r.err());

        CliRun j = CliRun.of("archive-info", a.archive().toString(), "--json");
        assertEquals(1, j.exit);
        JsonNode gap = json(j).get("gaps").get(0);
        assertEquals(middle.firstLsn(), gap.get("first_lsn").asLong());
        assertEquals(middle.lastLsn(), gap.get("last_lsn").asLong());
        assertEquals(before.name(), gap.get("after_segment").asText());
    }

    @Test
    void aDamagedSegmentIsFoundByCheckOnly() throws Exception {
        WalArchive.Segment victim = expected.segments().get(1);
        try (RandomAccessFile f = new RandomAccessFile(a.archive().resolve(victim.name()).toFile(), "rw")) {
            long at = f.length() - 3;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        assertEquals(0, CliRun.of("archive-info", a.archive().toString()).exit, "listings alone look intact");
        CliRun r = CliRun.of("archive-info", a.archive().toString(), "--check");
        assertEquals(1, r.exit, r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("BAD   ") && l.contains(victim.name())
                && l.contains("is damaged") && l.endsWith("; remedy: " + ArchiveText.DAMAGE_REMEDY)), r.out());
        assertEquals("Error: WAL archive " + a.archive() + " is not intact: 1 damaged segment found\n", r.err());
    }

    private void assertUsageError(String message, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exit, r.err());
        assertEquals("", r.out());
        assertEquals("Error: " + message + "\nTry 'powdb archive-info --help'.\n", r.err());
    }

    @Test
    void whatIsNotAnArchiveAndMissingArgumentsAreUsageErrors() {
        assertUsageError("no WAL archive at " + a.data() + ": it has no archive.json", "archive-info",
                a.data().toString());
        assertUsageError("no WAL archive at " + tmp.resolve("nope") + ": no such directory", "archive-info",
                tmp.resolve("nope").toString(), "--json");
        assertUsageError("Missing the archive: give DIR or --archive DIR", "archive-info");
        assertUsageError("DIR " + a.data() + " and --archive " + a.archive() + " name different archives: give one",
                "--archive", a.archive().toString(), "archive-info", a.data().toString());
        assertEquals(2, CliRun.of("archive-info", a.archive().toString(), "--bogus").exit);
        assertEquals(0, CliRun.of("--archive", a.archive().toString(), "archive-info", a.archive().toString())
                .exit, "the same archive twice is fine");
    }

    @Test
    void aDamagedIdentityFileIsAFailure() throws Exception {
        Files.writeString(a.archive().resolve(WalArchive.ID_FILE), "{\"format_version\": 1}");
        CliRun r = CliRun.of("archive-info", a.archive().toString(), "--json");
        assertEquals(1, r.exit);
        assertEquals("CORRUPT", json(r).get("error").get("code").asText(), r.out());
    }
}
