package dev.powdb.cli;

import dev.powdb.backup.RestoreTarget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code restore}'s {@code --archive} and {@code --until-*} options, without touching a disk: which target each
 * combination means, every refusal, and how {@code --until-time} reads zones.
 */
class RestoreUntilTest {
    private static final Path ARCHIVE = Path.of("wal");
    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private static RestoreUntil.Choice choose(Path archive, Long lsn, String time, String point) {
        return RestoreUntil.choose(archive, lsn, time, point, OSLO);
    }

    private static String refusal(Path archive, Long lsn, String time, String point) {
        return assertThrows(IllegalArgumentException.class, () -> choose(archive, lsn, time, point)).getMessage();
    }

    private static Instant time(String text) {
        RestoreUntil.Choice c = choose(ARCHIVE, null, text, null);
        assertEquals(RestoreTarget.Kind.TIME, c.target().kind());
        return c.target().time();
    }

    @Test
    void withoutAnArchiveARestoreIsPlain() {
        assertNull(choose(null, null, null, null));
    }

    @Test
    void anArchiveWithoutATargetReplaysToTheEnd() {
        RestoreUntil.Choice c = choose(ARCHIVE, null, null, null);
        assertEquals(RestoreTarget.end(ARCHIVE), c.target());
        assertEquals("the end of the archive", c.describe());
    }

    @Test
    void eachUntilOptionNamesItsTarget() {
        assertEquals(RestoreTarget.lsn(ARCHIVE, 1450), choose(ARCHIVE, 1450L, null, null).target());
        assertEquals(RestoreTarget.lsn(ARCHIVE, 0), choose(ARCHIVE, 0L, null, null).target());
        assertEquals(RestoreTarget.point(ARCHIVE, "before upgrade"),
                choose(ARCHIVE, null, null, "before upgrade").target());
        assertEquals("restore point \"p1\"", choose(ARCHIVE, null, null, "p1").describe());
        assertEquals(RestoreTarget.time(ARCHIVE, Instant.parse("2026-11-24T10:15:30Z")),
                choose(ARCHIVE, null, "2026-11-24T10:15:30Z", null).target());
    }

    @Test
    void anUntilOptionWithoutAnArchiveNamesTheMissingOption() {
        assertEquals("--until-lsn needs the WAL archive to replay: give --archive DIR (the directory the database"
                + " archived its WAL into)", refusal(null, 5L, null, null));
        assertTrue(refusal(null, null, "2026-11-24T10:15:30Z", null).startsWith("--until-time needs the WAL"
                + " archive to replay: give --archive DIR"));
        assertTrue(refusal(null, null, null, "p1").startsWith("--until-point needs the WAL archive to replay:"
                + " give --archive DIR"));
    }

    @Test
    void twoTargetsAreRefusedWithOrWithoutAnArchive() {
        assertEquals("--until-lsn and --until-time cannot be used together: give one target",
                refusal(ARCHIVE, 5L, "2026-11-24T10:15:30Z", null));
        assertEquals("--until-lsn and --until-point cannot be used together: give one target",
                refusal(ARCHIVE, 5L, null, "p1"));
        assertEquals("--until-time and --until-point cannot be used together: give one target",
                refusal(ARCHIVE, null, "2026-11-24T10:15:30Z", "p1"));
        assertEquals("--until-lsn and --until-time and --until-point cannot be used together: give one target",
                refusal(ARCHIVE, 5L, "2026-11-24T10:15:30Z", "p1"));
        // the conflict is reported first: it is wrong whatever the archive
        assertTrue(refusal(null, 5L, null, "p1").contains("cannot be used together"));
    }

    @Test
    void aNegativeLsnAndAnEmptyPointAreRefused() {
        assertEquals("--until-lsn must not be negative, found -1", refusal(ARCHIVE, -1L, null, null));
        assertTrue(refusal(ARCHIVE, null, null, "").startsWith("--until-point needs the name of a restore point"));
    }

    @Test
    void aTimeWithZOrAnOffsetIsThatInstant() {
        assertEquals(Instant.parse("2026-11-24T10:15:30Z"), time("2026-11-24T10:15:30Z"));
        assertEquals(Instant.parse("2026-11-24T09:15:30Z"), time("2026-11-24T10:15:30+01:00"));
        assertEquals(Instant.parse("2026-11-24T15:45:30Z"), time("2026-11-24T10:15:30-05:30"));
        assertEquals(Instant.parse("2026-11-24T10:15:30.123456Z"), time("2026-11-24T10:15:30.123456Z"));
        assertEquals(Instant.parse("2026-11-24T10:15:00Z"), time("2026-11-24T10:15Z"));
        // a zone id in brackets after the offset: the offset decides
        assertEquals(Instant.parse("2026-11-24T09:15:30Z"), time("2026-11-24T10:15:30+01:00[Europe/Paris]"));
        RestoreUntil.Choice c = choose(ARCHIVE, null, "2026-11-24T10:15:30+01:00", null);
        assertNull(c.assumedZone(), "an explicit offset assumes no zone");
        assertEquals("time 2026-11-24T09:15:30Z", c.describe());
    }

    @Test
    void aTimeWithoutAZoneIsReadInTheMachinesZoneWhichTheChoiceNames() {
        RestoreUntil.Choice winter = choose(ARCHIVE, null, "2026-11-24T10:15:30", null);
        assertEquals(Instant.parse("2026-11-24T09:15:30Z"), winter.target().time());   // Oslo is +01:00 then
        assertEquals(OSLO, winter.assumedZone());
        assertEquals(LocalDateTime.parse("2026-11-24T10:15:30"), winter.localTime());
        assertEquals("time 2026-11-24T09:15:30Z (2026-11-24T10:15:30 in time zone Europe/Oslo)", winter.describe());
        RestoreUntil.Choice summer = choose(ARCHIVE, null, "2026-07-01T10:15:30", null);
        assertEquals(Instant.parse("2026-07-01T08:15:30Z"), summer.target().time());   // and +02:00 in summer

        RestoreUntil.Choice utc = RestoreUntil.choose(ARCHIVE, null, "2026-11-24T10:15:30", null, ZoneOffset.UTC);
        assertEquals(Instant.parse("2026-11-24T10:15:30Z"), utc.target().time());
        RestoreUntil.Choice kolkata = RestoreUntil.choose(ARCHIVE, null, "2026-11-24T10:15:30", null,
                ZoneId.of("Asia/Kolkata"));
        assertEquals(Instant.parse("2026-11-24T04:45:30Z"), kolkata.target().time());
        assertEquals("Asia/Kolkata", kolkata.assumedZone().getId());
    }

    @Test
    void aLocalTimeTheZoneSkipsOrRepeatsIsRefused() {
        // Oslo: 2026-03-29 02:00 -> 03:00 (skipped), 2026-10-25 03:00 -> 02:00 (repeated)
        assertEquals("--until-time '2026-03-29T02:30' does not exist in time zone Europe/Oslo (the clocks skip it);"
                + " give the time with an offset, e.g. 2026-03-29T02:30+01:00, or in UTC with Z",
                refusal(ARCHIVE, null, "2026-03-29T02:30", null));
        assertEquals("--until-time '2026-10-25T02:30:00' happens twice in time zone Europe/Oslo (the clocks go"
                + " back); give its offset: 2026-10-25T02:30+02:00 or 2026-10-25T02:30+01:00",
                refusal(ARCHIVE, null, "2026-10-25T02:30:00", null));
        // with the offset both are fine
        assertEquals(Instant.parse("2026-10-25T01:30:00Z"), time("2026-10-25T02:30+01:00"));
    }

    @Test
    void anUnreadableTimeIsRefusedQuotingItAndGivingExamples() {
        for (String bad : new String[] {"yesterday", "2026-11-24", "2026-11-24 10:15:30", "2026-13-01T00:00:00Z",
                "2026-11-24T10:15:30 Z", "2026-11-24T25:00:00", "1732443330", "",
                "2026-11-24T10:15:30[Europe/Oslo]"}) {   // a zone id alone is not ISO-8601
            assertEquals("--until-time '" + bad + "' is not an ISO-8601 date and time; give e.g."
                    + " 2026-11-24T10:15:30Z, 2026-11-24T10:15:30+01:00 or 2026-11-24T10:15:30 (read in this"
                    + " machine's time zone)", refusal(ARCHIVE, null, bad, null), bad);
        }
    }
}
