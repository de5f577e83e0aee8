package dev.powdb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.WalArchive;

/**
 * What {@code archive-info --json} prints: one object with {@code "ok"} (intact) first, keys in {@code snake_case},
 * sizes in bytes, times as ISO-8601 UTC strings; an LSN or time the archive does not have (an empty archive) is
 * null. Gaps and damage are listed with the same remedies as the text form ({@link ArchiveText}).
 */
final class ArchiveJson {
    private ArchiveJson() {
    }

    static ObjectNode info(ArchiveInfo a) {
        ObjectNode o = Cli.jsonObject().put("ok", a.intact())
                .put("archive", a.dir().toString())
                .put("database_id", a.databaseId())
                .put("segments", a.segments().size())
                .put("bytes", a.bytes());
        lsn(o, "earliest_lsn", a.earliestLsn());
        lsn(o, "latest_lsn", a.latestLsn());
        o.put("earliest_commit", ArchiveText.time(a.earliestCommitMicros()))
                .put("latest_commit", ArchiveText.time(a.latestCommitMicros()))
                .put("checked", a.checked());
        ArrayNode points = o.putArray("restore_points");
        for (WalArchive.RestorePoint p : a.restorePoints()) {
            points.addObject().put("name", p.name()).put("lsn", p.lsn()).put("time", ArchiveText.time(p.timeMicros()));
        }
        ArrayNode gaps = o.putArray("gaps");
        for (long[] gap : a.gaps()) {
            WalArchive.Segment before = ArchiveText.segmentEndingAt(a, gap[0] - 1);
            WalArchive.Segment after = ArchiveText.segmentStartingAt(a, gap[1] + 1);
            gaps.addObject().put("first_lsn", gap[0]).put("last_lsn", gap[1])
                    .put("after_segment", before == null ? null : before.name())
                    .put("before_segment", after == null ? null : after.name())
                    .put("remedy", ArchiveText.GAP_REMEDY);
        }
        ArrayNode damaged = o.putArray("damaged");
        for (String d : a.damaged()) {
            damaged.addObject().put("message", d).put("remedy", ArchiveText.DAMAGE_REMEDY);
        }
        return o;
    }

    private static void lsn(ObjectNode o, String key, long lsn) {
        if (lsn < 0) {
            o.putNull(key);
        } else {
            o.put(key, lsn);
        }
    }
}
