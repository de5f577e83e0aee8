package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.TimeZone;
import java.util.regex.Pattern;

import static dev.powdb.cli.BackupFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code powdb restore} with a WAL archive: each kind of target restores exactly the rows committed up to it, the
 * summary and JSON name the target and the LSN, and every bad combination of options is refused before anything
 * is written.
 */
class PointInTimeRestoreCommandTest {
    @TempDir
    Path tmp;

    private ArchiveFixtures.Archived a;
    private Path dest;

    @BeforeEach
    void archive() throws Exception {
        a = ArchiveFixtures.create(tmp);
        dest = tmp.resolve("restored");
    }

    private String time(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }

    @Test
    void untilARestorePointKeepsExactlyTheRowsBeforeIt() {
        CliRun r = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive", a.archive().toString(),
                "--until-point", "p1");
        assertEquals(0, r.exit, r.err());
        assertEquals("", r.err());
        assertTrue(r.out().matches(Pattern.quote("restored " + a.full() + " into " + dest + " at LSN "
                + a.pointLsn() + ", WAL replayed from " + a.archive() + " up to restore point \"p1\": ")
                + "\\d+ files, [0-9.]+ (B|KiB|MiB) in [0-9.]+ s( \\([0-9.]+ MiB/s\\))?; backups applied: 1\n"),
                r.out());
        assertEquals(150, BackupFixtures.count(dest));
    }

    @Test
    void untilAnLsnWithTheArchiveBeforeTheCommandPrintsTheTargetAsJson() {
        CliRun r = CliRun.of("--archive", a.archive().toString(), "restore", a.full().toString(), dest.toString(),
                "--until-lsn", Long.toString(a.pointLsn()), "--json");
        assertEquals(0, r.exit, r.err());
        JsonNode o = json(r);
        assertEquals(a.pointLsn(), o.get("source_lsn").asLong());
        JsonNode t = o.get("target");
        assertEquals("lsn", t.get("kind").asText());
        assertEquals(a.pointLsn(), t.get("until_lsn").asLong());
        assertEquals(a.archive().toString(), t.get("archive").asText());
        assertEquals("LSN " + a.pointLsn(), t.get("description").asText());
        assertEquals(150, BackupFixtures.count(dest));
    }

    @Test
    void withAnArchiveAndNoTargetEverythingArchivedIsReplayed() {
        CliRun r = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive", a.archive().toString(),
                "--json");
        assertEquals(0, r.exit, r.err());
        JsonNode t = json(r).get("target");
        assertEquals("end", t.get("kind").asText());
        assertEquals("the end of the archive", t.get("description").asText());
        assertEquals(250, BackupFixtures.count(dest));
    }

    @Test
    void untilATimeInUtcKeepsTheCommitsAtOrBeforeIt() {
        String when = time(a.pointTimeMicros());
        CliRun r = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive", a.archive().toString(),
                "--until-time", when);
        assertEquals(0, r.exit, r.err());
        assertTrue(r.out().contains(", WAL replayed from " + a.archive() + " up to time " + when + ": "), r.out());
        assertFalse(r.out().contains("time zone"), r.out());
        assertEquals(150, BackupFixtures.count(dest));
    }

    @Test
    void aTimeWithoutAZoneIsReadInTheMachinesZoneAndTheSummarySaysWhich() {
        TimeZone saved = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));   // +05:30 all year
            Instant when = Instant.EPOCH.plus(a.pointTimeMicros(), ChronoUnit.MICROS);
            LocalDateTime local = LocalDateTime.ofInstant(when, ZoneId.of("Asia/Kolkata"));
            CliRun r = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive",
                    a.archive().toString(), "--until-time", local.toString());
            assertEquals(0, r.exit, r.err());
            assertTrue(r.out().contains(" up to time " + when + " (" + local + " in time zone Asia/Kolkata): "),
                    r.out());
            assertEquals(150, BackupFixtures.count(dest));

            // read as UTC instead, the same text would be 5.5 hours later: everything archived is in
            Path utc = tmp.resolve("utc");
            CliRun later = CliRun.of("restore", a.full().toString(), utc.toString(), "--archive",
                    a.archive().toString(), "--until-time", local + "Z", "--json");
            assertEquals(0, later.exit, later.err());
            assertTrue(json(later).get("target").get("time_zone").isNull(), later.out());
            assertEquals(250, BackupFixtures.count(utc));
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    private void assertUsageError(String message, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exit, r.err());
        assertEquals("", r.out());
        assertEquals("Error: " + message + "\nTry 'powdb restore --help'.\n", r.err());
        assertFalse(Files.exists(dest), "a refused restore created its target");
    }

    @Test
    void badCombinationsAreUsageErrorsThatWriteNothing() {
        String full = a.full().toString();
        String d = dest.toString();
        String wal = a.archive().toString();
        assertUsageError("--until-point needs the WAL archive to replay: give --archive DIR (the directory the"
                + " database archived its WAL into)", "restore", full, d, "--until-point", "p1");
        assertUsageError("--until-lsn needs the WAL archive to replay: give --archive DIR (the directory the"
                + " database archived its WAL into)", "restore", full, d, "--until-lsn", "5");
        assertUsageError("--until-lsn and --until-point cannot be used together: give one target",
                "restore", full, d, "--archive", wal, "--until-lsn", "5", "--until-point", "p1");
        assertUsageError("--until-time and --until-point cannot be used together: give one target",
                "restore", full, d, "--archive", wal, "--until-time", "2026-11-24T10:15:30Z", "--until-point", "p1");
        assertUsageError("--until-time 'last tuesday' is not an ISO-8601 date and time; give e.g."
                        + " 2026-11-24T10:15:30Z, 2026-11-24T10:15:30+01:00 or 2026-11-24T10:15:30 (read in this"
                        + " machine's time zone)",
                "restore", full, d, "--archive", wal, "--until-time", "last tuesday");
        assertUsageError("--until-lsn must not be negative, found -2", "restore", full, d, "--archive", wal,
                "--until-lsn", "-2");
        assertUsageError("--archive " + wal + " before 'restore' and --archive " + tmp.resolve("other")
                + " after it name different archives: give one", "--archive", wal, "restore", full, d,
                "--archive", tmp.resolve("other").toString());
        CliRun notANumber = CliRun.of("restore", full, d, "--archive", wal, "--until-lsn", "ten");
        assertEquals(2, notANumber.exit);
        assertTrue(notANumber.err().contains("'--until-lsn'"), notANumber.err());
        CliRun twice = CliRun.of("restore", full, d, "--archive", wal, "--until-point", "p1", "--until-point", "p2");
        assertEquals(2, twice.exit);
        assertFalse(Files.exists(dest));
    }

    @Test
    void theSameArchiveBeforeAndAfterTheCommandIsFine() {
        CliRun r = CliRun.of("--archive", a.archive().toString(), "restore", a.full().toString(), dest.toString(),
                "--archive", a.archive().resolve(".").toString(), "--until-point", "p1");
        assertEquals(0, r.exit, r.err());
        assertEquals(150, BackupFixtures.count(dest));
    }

    @Test
    void aTargetTheArchiveCannotReachFailsWithExit1AndWritesNothing() {
        CliRun noSuchPoint = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive",
                a.archive().toString(), "--until-point", "nope", "--json");
        assertEquals(1, noSuchPoint.exit);
        assertEquals("NOT_FOUND", json(noSuchPoint).get("error").get("code").asText(), noSuchPoint.out());
        assertTrue(noSuchPoint.err().startsWith("Error: restore refused: no restore point named \"nope\""),
                noSuchPoint.err());
        CliRun pastTheEnd = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive",
                a.archive().toString(), "--until-lsn", "999999");
        assertEquals(1, pastTheEnd.exit);
        assertTrue(pastTheEnd.err().contains("past the end of the WAL archive"), pastTheEnd.err());
        CliRun notAnArchive = CliRun.of("restore", a.full().toString(), dest.toString(), "--archive",
                a.data().toString());
        assertEquals(1, notAnArchive.exit);
        assertFalse(Files.exists(dest), "a refused restore created its target");
    }
}
