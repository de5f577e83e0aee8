package dev.powdb.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a point-in-time restore stops, replaying WAL from an archive on top of a backup chain. Transactions whose
 * commit record is at or before the target are in the result, later ones are not, and a transaction open at the
 * target is rolled back.
 *
 * @param archive the WAL archive directory
 * @param kind    what {@code value} means
 * @param lsn     for {@link Kind#LSN}: the last LSN replayed
 * @param time    for {@link Kind#TIME}: every transaction committed at or before it is in
 * @param point   for {@link Kind#POINT}: the name of a restore point
 */
public record RestoreTarget(Path archive, Kind kind, long lsn, Instant time, String point) {
    /** The kinds of target. */
    public enum Kind {
        /** Everything the archive holds without a gap after the backup. */
        END,
        /** Up to and including an LSN. */
        LSN,
        /** Up to the last commit at or before a time. */
        TIME,
        /** Up to a named restore point. */
        POINT
    }

    public RestoreTarget {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(kind, "kind");
    }

    /** Replay everything archived. */
    public static RestoreTarget end(Path archive) {
        return new RestoreTarget(archive, Kind.END, -1, null, null);
    }

    /** Replay up to and including {@code lsn}. */
    public static RestoreTarget lsn(Path archive, long lsn) {
        if (lsn < 0) {
            throw Targets.invalid("--until-lsn must not be negative, found " + lsn);
        }
        return new RestoreTarget(archive, Kind.LSN, lsn, null, null);
    }

    /** Replay every transaction committed at or before {@code time}. */
    public static RestoreTarget time(Path archive, Instant time) {
        return new RestoreTarget(archive, Kind.TIME, -1, Objects.requireNonNull(time, "time"), null);
    }

    /** Replay up to the restore point {@code name}. */
    public static RestoreTarget point(Path archive, String name) {
        if (name == null || name.isEmpty()) {
            throw Targets.invalid("--until-point needs a restore point name");
        }
        return new RestoreTarget(archive, Kind.POINT, -1, null, name);
    }

    /** The target in words, for messages. */
    public String describe() {
        return switch (kind) {
            case END -> "the end of the archive";
            case LSN -> "LSN " + lsn;
            case TIME -> "time " + time;
            case POINT -> "restore point \"" + point + "\"";
        };
    }
}
