package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.RestoreSummary;
import dev.powdb.backup.WalArchive;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;

import static dev.powdb.cli.BackupFixtures.keys;
import static dev.powdb.cli.BackupFixtures.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text and JSON of {@code archive-info} and of a point-in-time {@code restore}, from hand-made values: an
 * intact archive, one with a gap and damage, an empty one.
 */
class ArchiveOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HASH = "ab".repeat(32);
    /** 2026-11-24T10:15:30.123456Z in microseconds since the epoch. */
    private static final long T0 = 1_795_515_330_123_456L;

    private static WalArchive.Segment segment(long first, long last, long firstCommit, long lastCommit,
                                              WalArchive.RestorePoint... points) {
        return new WalArchive.Segment(String.format("%016x.wal", first), first, last, 1000, HASH, firstCommit,
                lastCommit, List.of(points));
    }

    /** Segments 1-99, 100-199, 200-310 with a restore point in the second; commits in the first two only. */
    private static List<WalArchive.Segment> threeSegments() {
        return List.of(segment(1, 99, T0, T0 + 1_000_000),
                segment(100, 199, T0 + 2_000_000, T0 + 3_000_000,
                        new WalArchive.RestorePoint("before-upgrade", 150, T0 + 2_500_000)),
                segment(200, 310, -1, -1));
    }

    private static String text(ArchiveInfo a) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ArchiveText.print(a, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode json(ArchiveInfo a) throws Exception {
        return JSON.readTree(ArchiveJson.info(a).toString());
    }

    @Test
    void anIntactArchiveShowsItsWindowAndRestorePoints() throws Exception {
        ArchiveInfo a = new ArchiveInfo(Path.of("wal"), "00ff", threeSegments(), List.of(), List.of(), true);
        assertEquals(String.join("\n",
                "archive          wal",
                "database id      00ff",
                "segments         3 (2.9 KiB)",
                "earliest LSN     1",
                "latest LSN       310",
                "earliest commit  2026-11-24T10:15:30.123456Z",
                "latest commit    2026-11-24T10:15:33.123456Z",
                "checked          yes: every segment read, hashed and its records checked",
                "",
                "restore point   LSN  time",
                "before-upgrade  150  2026-11-24T10:15:32.623456Z",
                "archive-info: intact",
                ""), text(a));

        JsonNode o = json(a);
        assertEquals(set("ok", "archive", "database_id", "segments", "bytes", "earliest_lsn", "latest_lsn",
                "earliest_commit", "latest_commit", "checked", "restore_points", "gaps", "damaged"), keys(o));
        assertTrue(o.get("ok").asBoolean());
        assertEquals(3, o.get("segments").asInt());
        assertEquals(3000, o.get("bytes").asLong());
        assertEquals(1, o.get("earliest_lsn").asLong());
        assertEquals(310, o.get("latest_lsn").asLong());
        assertEquals("2026-11-24T10:15:30.123456Z", o.get("earliest_commit").asText());
        assertEquals("2026-11-24T10:15:33.123456Z", o.get("latest_commit").asText());
        assertEquals(JSON.readTree("[{\"name\":\"before-upgrade\",\"lsn\":150,"
                + "\"time\":\"2026-11-24T10:15:32.623456Z\"}]"), o.get("restore_points"));
        assertEquals(0, o.get("gaps").size());
        assertEquals(0, o.get("damaged").size());
    }

    @Test
    void gapsAndDamageAreEachReportedWithTheSegmentsAroundThemAndARemedy() throws Exception {
        List<WalArchive.Segment> all = threeSegments();
        List<WalArchive.Segment> held = List.of(all.get(0), all.get(2));
        ArchiveInfo a = new ArchiveInfo(Path.of("wal"), "00ff", held, List.of(new long[] {100, 199}),
                List.of("WAL archive: wal/00000000000000c8.wal is damaged: its BLAKE3 is 00, the listing says ab"),
                true);
        String out = text(a);
        assertTrue(out.contains("\nrestore points   none\n\n"), out);
        assertTrue(out.contains("\nGAP   LSNs 100 to 199 are missing, between 0000000000000001.wal (LSNs 1 to 99)"
                + " and 00000000000000c8.wal (LSNs 200 to 310): WAL after LSN 99 cannot be replayed; remedy: "
                + ArchiveText.GAP_REMEDY + "\n"), out);
        assertTrue(out.contains("\nBAD   WAL archive: wal/00000000000000c8.wal is damaged: its BLAKE3 is 00, the"
                + " listing says ab; remedy: " + ArchiveText.DAMAGE_REMEDY + "\n"), out);
        assertTrue(out.endsWith("\narchive-info: PROBLEMS FOUND (2)\n"), out);

        JsonNode o = json(a);
        assertEquals(false, o.get("ok").asBoolean());
        JsonNode gap = o.get("gaps").get(0);
        assertEquals(set("first_lsn", "last_lsn", "after_segment", "before_segment", "remedy"), keys(gap));
        assertEquals(100, gap.get("first_lsn").asLong());
        assertEquals(199, gap.get("last_lsn").asLong());
        assertEquals("0000000000000001.wal", gap.get("after_segment").asText());
        assertEquals("00000000000000c8.wal", gap.get("before_segment").asText());
        assertEquals(1, o.get("damaged").size());
        assertTrue(o.get("damaged").get(0).get("message").asText().contains("is damaged"));
        assertEquals(ArchiveText.DAMAGE_REMEDY, o.get("damaged").get(0).get("remedy").asText());
    }

    @Test
    void aOneLsnGapSaysSoAndAnUncheckedArchiveSaysHowToCheck() {
        List<WalArchive.Segment> held = List.of(segment(1, 99, -1, -1), segment(101, 120, -1, -1));
        ArchiveInfo a = new ArchiveInfo(Path.of("wal"), "00ff", held, List.of(new long[] {100, 100}), List.of(),
                false);
        String out = text(a);
        assertTrue(out.contains("\nGAP   LSN 100 is missing, between "), out);
        assertTrue(out.contains("\nchecked          no (--check reads and hashes every segment)\n"), out);
        assertTrue(out.contains("\nearliest commit  -\nlatest commit    -\n"), out);
        assertTrue(out.endsWith("\narchive-info: PROBLEMS FOUND (1)\n"), out);
    }

    @Test
    void anEmptyArchiveHasNoWindow() throws Exception {
        ArchiveInfo a = new ArchiveInfo(Path.of("wal"), "00ff", List.of(), List.of(), List.of(), false);
        String out = text(a);
        assertTrue(out.contains("\nsegments         0 (0 B)\nearliest LSN     -\nlatest LSN       -\n"), out);
        assertTrue(out.endsWith("restore points   none\narchive-info: intact\n"), out);
        JsonNode o = json(a);
        for (String key : new String[] {"earliest_lsn", "latest_lsn", "earliest_commit", "latest_commit"}) {
            assertTrue(o.get(key).isNull(), key + ": " + o);
        }
    }

    @Test
    void aPointInTimeRestoreLineAndJsonNameTheTargetAndTheLsn() throws Exception {
        RestoreSummary s = new RestoreSummary(Path.of("restored"), 1450, 3, 10240, 1, 0);
        RestoreUntil.Choice local = RestoreUntil.choose(Path.of("wal"), null, "2026-11-24T10:15:30", null,
                ZoneId.of("Europe/Oslo"));
        assertEquals("restored full into restored at LSN 1450, WAL replayed from wal up to time"
                        + " 2026-11-24T09:15:30Z (2026-11-24T10:15:30 in time zone Europe/Oslo): 3 files, 10.0 KiB in"
                        + " 0.00 s; backups applied: 1",
                BackupText.restoreLine(Path.of("full"), List.of(), s, local));
        RestoreUntil.Choice point = RestoreUntil.choose(Path.of("wal"), null, null, "p1", ZoneId.of("UTC"));
        assertTrue(BackupText.restoreLine(Path.of("full"), List.of(Path.of("incr")), s, point).startsWith(
                "restored full + 1 increment into restored at LSN 1450, WAL replayed from wal up to restore point"
                        + " \"p1\": "));

        JsonNode o = JSON.readTree(BackupJson.restore(Path.of("full"), List.of(), s, local).toString());
        assertEquals(1450, o.get("source_lsn").asLong());
        JsonNode t = o.get("target");
        assertEquals(set("kind", "archive", "until_lsn", "until_time", "until_point", "time_zone", "description"),
                keys(t));
        assertEquals("time", t.get("kind").asText());
        assertEquals("wal", t.get("archive").asText());
        assertEquals("2026-11-24T09:15:30Z", t.get("until_time").asText());
        assertEquals("Europe/Oslo", t.get("time_zone").asText());
        assertTrue(t.get("until_lsn").isNull() && t.get("until_point").isNull(), t.toString());

        JsonNode lsn = JSON.readTree(BackupJson.restore(Path.of("full"), List.of(), s,
                RestoreUntil.choose(Path.of("wal"), 1450L, null, null, ZoneId.of("UTC"))).toString()).get("target");
        assertEquals("lsn", lsn.get("kind").asText());
        assertEquals(1450, lsn.get("until_lsn").asLong());
        assertTrue(lsn.get("until_time").isNull() && lsn.get("time_zone").isNull(), lsn.toString());
    }
}
