package dev.powdb.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a WAL archive holds: the restorable window (earliest and latest LSN and commit time), its restore points,
 * the gaps in it and, when checked, its damaged segments.
 *
 * @param segments   the listed segments in LSN order
 * @param gaps       missing LSN ranges {@code {first, last}} between listed segments
 * @param damaged    problems found by checking every segment (empty when not checked)
 * @param checked    whether every segment was read and checked
 */
public record ArchiveInfo(Path dir, String databaseId, List<WalArchive.Segment> segments, List<long[]> gaps,
                          List<String> damaged, boolean checked) {
    static ArchiveInfo of(Path dir, boolean check) {
        List<WalArchive.Segment> segments = WalArchive.list(dir);
        List<String> damaged = new ArrayList<>();
        if (check) {
            for (WalArchive.Segment s : segments) {
                try {
                    WalArchive.readChecked(dir, s);
                } catch (BackupException e) {
                    damaged.add(e.getMessage());
                }
            }
        }
        return new ArchiveInfo(dir, WalArchive.readOwner(dir), segments, WalArchive.gaps(segments), damaged, check);
    }

    /** Earliest LSN held, or -1 when empty. */
    public long earliestLsn() {
        return segments.isEmpty() ? -1 : segments.get(0).firstLsn();
    }

    /** Latest LSN held, or -1 when empty. */
    public long latestLsn() {
        return segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastLsn();
    }

    /** Time of the earliest commit held (microseconds since the epoch), or -1. */
    public long earliestCommitMicros() {
        for (WalArchive.Segment s : segments) {
            if (s.firstCommitMicros() >= 0) {
                return s.firstCommitMicros();
            }
        }
        return -1;
    }

    /** Time of the latest commit held, or -1. */
    public long latestCommitMicros() {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).lastCommitMicros() >= 0) {
                return segments.get(i).lastCommitMicros();
            }
        }
        return -1;
    }

    /** Every restore point, in LSN order. */
    public List<WalArchive.RestorePoint> restorePoints() {
        List<WalArchive.RestorePoint> out = new ArrayList<>();
        segments.forEach(s -> out.addAll(s.restorePoints()));
        return out;
    }

    /** Bytes of all segments. */
    public long bytes() {
        long n = 0;
        for (WalArchive.Segment s : segments) {
            n += s.lengthBytes();
        }
        return n;
    }

    /** Whether the archive has neither gaps nor (when checked) damage. */
    public boolean intact() {
        return gaps.isEmpty() && damaged.isEmpty();
    }
}
