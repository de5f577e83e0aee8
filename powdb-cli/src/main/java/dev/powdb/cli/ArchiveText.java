package dev.powdb.cli;

import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.WalArchive;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The human-readable output of {@code archive-info}: the archive's facts and restorable window, its restore
 * points, one {@code GAP} line per missing LSN range and one {@code BAD} line per damaged segment (each with a
 * remedy), and a final {@code archive-info: ...} line. The JSON form is in {@link ArchiveJson}.
 */
final class ArchiveText {
    /** What to do about a gap, after the LSNs it cuts the archive at. */
    static final String GAP_REMEDY = "copy the missing segments back into the archive if a copy of them exists;"
            + " otherwise take a new backup now, since restores from it do not need the missing WAL";
    /** What to do about a damaged segment. */
    static final String DAMAGE_REMEDY = "copy the segment back from another copy of the archive if one exists;"
            + " otherwise no restore can replay WAL through it, so take a new backup now";

    private ArchiveText() {
    }

    /** Prints the report of {@code archive-info}. */
    static void print(ArchiveInfo a, PrintStream out) {
        out.println("archive          " + a.dir());
        out.println("database id      " + a.databaseId());
        out.println("segments         " + a.segments().size() + " (" + Sizes.bytes(a.bytes()) + ")");
        out.println("earliest LSN     " + lsn(a.earliestLsn()));
        out.println("latest LSN       " + lsn(a.latestLsn()));
        out.println("earliest commit  " + orDash(time(a.earliestCommitMicros())));
        out.println("latest commit    " + orDash(time(a.latestCommitMicros())));
        out.println("checked          " + (a.checked() ? "yes: every segment read, hashed and its records checked"
                : "no (--check reads and hashes every segment)"));
        List<WalArchive.RestorePoint> points = a.restorePoints();
        if (points.isEmpty()) {
            out.println("restore points   none");
        } else {
            out.println();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"restore point", "LSN", "time"});
            for (WalArchive.RestorePoint p : points) {
                rows.add(new String[] {p.name(), Long.toString(p.lsn()), orDash(time(p.timeMicros()))});
            }
            printTable(rows, out);
        }
        if (!a.intact()) {
            out.println();
        }
        for (long[] gap : a.gaps()) {
            out.println(gapLine(a, gap));
        }
        for (String damage : a.damaged()) {
            out.println("BAD   " + damage + "; remedy: " + DAMAGE_REMEDY);
        }
        out.println(a.intact() ? "archive-info: intact" : "archive-info: PROBLEMS FOUND ("
                + (a.gaps().size() + a.damaged().size()) + ")");
    }

    /**
     * {@code GAP   LSNs 100 to 199 are missing, between 0000000000000001.wal (LSNs 1 to 99) and
     * 00000000000000c8.wal (LSNs 200 to 310): WAL after LSN 99 cannot be replayed; remedy: ...}.
     */
    static String gapLine(ArchiveInfo a, long[] gap) {
        WalArchive.Segment before = segmentEndingAt(a, gap[0] - 1);
        WalArchive.Segment after = segmentStartingAt(a, gap[1] + 1);
        return "GAP   " + (gap[0] == gap[1] ? "LSN " + gap[0] + " is" : "LSNs " + gap[0] + " to " + gap[1] + " are")
                + " missing"
                + (before == null || after == null ? ""
                        : ", between " + segment(before) + " and " + segment(after))
                + ": WAL after LSN " + (gap[0] - 1) + " cannot be replayed; remedy: " + GAP_REMEDY;
    }

    /** {@code 0000000000000001.wal (LSNs 1 to 99)}. */
    private static String segment(WalArchive.Segment s) {
        return s.name() + " (LSNs " + s.firstLsn() + " to " + s.lastLsn() + ")";
    }

    static WalArchive.Segment segmentEndingAt(ArchiveInfo a, long lastLsn) {
        return a.segments().stream().filter(s -> s.lastLsn() == lastLsn).findFirst().orElse(null);
    }

    static WalArchive.Segment segmentStartingAt(ArchiveInfo a, long firstLsn) {
        return a.segments().stream().filter(s -> s.firstLsn() == firstLsn).findFirst().orElse(null);
    }

    /** A time in microseconds since the epoch as ISO-8601 UTC, or null for -1 (none). */
    static String time(long micros) {
        return micros < 0 ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS).toString();
    }

    private static String lsn(long lsn) {
        return lsn < 0 ? "-" : Long.toString(lsn);
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    /** Columns padded to their widest cell; the LSN column right-aligned. */
    private static void printTable(List<String[]> rows, PrintStream out) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            String line = String.format("%-" + width[0] + "s  %" + width[1] + "s  %s", row[0], row[1], row[2]);
            out.println(line.stripTrailing());
        }
    }
}
