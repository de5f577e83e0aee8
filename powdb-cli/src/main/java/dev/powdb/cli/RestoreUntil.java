package dev.powdb.cli;

import dev.powdb.backup.RestoreTarget;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code restore}'s {@code --archive} and {@code --until-*} options ask for: a plain restore, or a
 * point-in-time restore to a {@link RestoreTarget}. Checks every combination before anything touches the disk;
 * each refusal is an {@link IllegalArgumentException} whose message the command shows as a usage error (exit 2).
 *
 * <p>{@code --until-time} takes an ISO-8601 date-time with {@code Z} or an offset ({@code 2026-11-24T10:15:30Z},
 * {@code 2026-11-24T10:15:30+01:00}), or without a zone ({@code 2026-11-24T10:15:30}), which is read in the
 * machine's time zone; such a local time that the zone skips or repeats (a daylight-saving change) is refused as
 * ambiguous. Fractions of a second are allowed (commit times are compared to the microsecond); a zone id in
 * brackets is accepted only after an offset, which then decides.
 */
final class RestoreUntil {
    /** A time to give as an example in messages. */
    static final String TIME_EXAMPLES = "2026-11-24T10:15:30Z, 2026-11-24T10:15:30+01:00 or 2026-11-24T10:15:30"
            + " (read in this machine's time zone)";

    private RestoreUntil() {
    }

    /**
     * A chosen point-in-time target.
     *
     * @param target      what to pass to the restore
     * @param assumedZone for a {@code --until-time} without a zone: the zone it was read in; else null
     * @param localTime   for a {@code --until-time} without a zone: the time as given; else null
     */
    record Choice(RestoreTarget target, ZoneId assumedZone, LocalDateTime localTime) {
        /** {@code restore point "p1"}, {@code time 2026-11-24T09:15:30Z (2026-11-24T10:15:30 in Europe/Oslo)}. */
        String describe() {
            String d = target.describe();
            return assumedZone == null ? d : d + " (" + localTime + " in time zone " + assumedZone.getId() + ")";
        }
    }

    /**
     * The target that the options name.
     *
     * @param archive    the WAL archive ({@code --archive}), or null
     * @param untilLsn   {@code --until-lsn}, or null
     * @param untilTime  {@code --until-time} as given, or null
     * @param untilPoint {@code --until-point}, or null
     * @param zone       the zone to read a {@code --until-time} without a zone in (the machine's)
     * @return null for a plain restore (no archive), else the target: the end of the archive when no
     *         {@code --until-*} option is given
     * @throws IllegalArgumentException for two {@code --until-*} options, one without an archive, a negative LSN,
     *                                  an empty restore point name or a time that is not ISO-8601
     */
    static Choice choose(Path archive, Long untilLsn, String untilTime, String untilPoint, ZoneId zone) {
        List<String> given = new ArrayList<>();
        if (untilLsn != null) {
            given.add("--until-lsn");
        }
        if (untilTime != null) {
            given.add("--until-time");
        }
        if (untilPoint != null) {
            given.add("--until-point");
        }
        if (given.size() > 1) {
            throw new IllegalArgumentException(String.join(" and ", given) + " cannot be used together: give one"
                    + " target");
        }
        if (archive == null) {
            if (!given.isEmpty()) {
                throw new IllegalArgumentException(given.get(0) + " needs the WAL archive to replay: give --archive"
                        + " DIR (the directory the database archived its WAL into)");
            }
            return null;
        }
        if (untilLsn != null) {
            if (untilLsn < 0) {
                throw new IllegalArgumentException("--until-lsn must not be negative, found " + untilLsn);
            }
            return new Choice(RestoreTarget.lsn(archive, untilLsn), null, null);
        }
        if (untilPoint != null) {
            if (untilPoint.isEmpty()) {
                throw new IllegalArgumentException("--until-point needs the name of a restore point ('powdb"
                        + " archive-info' lists them)");
            }
            return new Choice(RestoreTarget.point(archive, untilPoint), null, null);
        }
        if (untilTime != null) {
            return time(archive, untilTime, zone);
        }
        return new Choice(RestoreTarget.end(archive), null, null);
    }

    private static Choice time(Path archive, String text, ZoneId zone) {
        TemporalAccessor parsed;
        try {
            parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--until-time '" + text + "' is not an ISO-8601 date and time; give"
                    + " e.g. " + TIME_EXAMPLES);
        }
        if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
            return new Choice(RestoreTarget.time(archive, Instant.from(parsed)), null, null);
        }
        LocalDateTime local = LocalDateTime.from(parsed);
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            throw new IllegalArgumentException("--until-time '" + text + "' does not exist in time zone "
                    + zone.getId() + " (the clocks skip it); give the time with an offset, e.g. "
                    + local.atOffset(zone.getRules().getTransition(local).getOffsetBefore()) + ", or in UTC with Z");
        }
        if (offsets.size() > 1) {
            throw new IllegalArgumentException("--until-time '" + text + "' happens twice in time zone "
                    + zone.getId() + " (the clocks go back); give its offset: " + local.atOffset(offsets.get(0))
                    + " or " + local.atOffset(offsets.get(1)));
        }
        return new Choice(RestoreTarget.time(archive, local.atOffset(offsets.get(0)).toInstant()), zone, local);
    }
}
