package dev.powdb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.BackupVerifyReport;
import dev.powdb.backup.RestoreSummary;
import dev.powdb.backup.RestoreTarget;
import dev.powdb.storage.spi.BackupSummary;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --json} output of the backup commands: one object each, with {@code "ok"} first, keys in
 * {@code snake_case}, sizes in bytes, durations in milliseconds, times as ISO-8601 UTC strings. Failures print
 * {@code {"ok": false, "error": {...}}} (see {@link Cli#reportingFailures}).
 */
final class BackupJson {
    private BackupJson() {
    }

    /** What {@code backup --json} prints. */
    static ObjectNode backup(Path dataDir, BackupSummary s, BackupManifest m, Path base) {
        ObjectNode o = Cli.jsonObject().put("ok", true)
                .put("kind", m.kind().jsonName())
                .put("data_dir", dataDir.toString())
                .put("destination", s.directory().toString())
                .put("source_lsn", s.sourceLsn())
                .put("files", s.files())
                .put("bytes", s.bytes())
                .put("millis", s.millis())
                .put("bytes_per_second", Sizes.bytesPerSecond(s.bytes(), s.millis()))
                .put("database_bytes", BackupText.databaseBytes(m))
                .put("manifest_blake3", s.manifestBlake3())
                .put("start_lsn", s.startLsn())
                .put("start", s.startedAtLastCheckpoint() ? "last_checkpoint" : "new_checkpoint")
                .put("wal_segments", s.walPieces())
                .put("change_source", s.changeSource());
        if (base == null) {
            o.putNull("parent");
        } else {
            o.putObject("parent").put("path", base.toString()).put("source_lsn", m.parentSourceLsn())
                    .put("manifest_blake3", m.parentManifestBlake3());
        }
        return o;
    }

    /**
     * What {@code restore --json} prints. {@code source_lsn} is the LSN of the restored state (for a point-in-time
     * restore, the last LSN replayed); {@code target} is null for a plain restore, else the point-in-time target:
     * {@code kind} ({@code end}, {@code lsn}, {@code time} or {@code point}), {@code archive}, {@code until_lsn},
     * {@code until_time} (ISO-8601 UTC), {@code until_point} (each null unless it is the kind), {@code time_zone}
     * (the zone a time without one was read in, else null) and {@code description}.
     */
    static ObjectNode restore(Path backup, List<Path> increments, RestoreSummary r, RestoreUntil.Choice until) {
        ObjectNode o = Cli.jsonObject().put("ok", true).put("backup", backup.toString());
        ArrayNode applied = o.putArray("increments");
        increments.forEach(i -> applied.add(i.toString()));
        o.put("destination", r.directory().toString())
                .put("source_lsn", r.sourceLsn())
                .put("files", r.files())
                .put("bytes", r.bytes())
                .put("backups_applied", r.backups())
                .put("millis", r.millis())
                .put("bytes_per_second", Sizes.bytesPerSecond(r.bytes(), r.millis()));
        if (until == null) {
            o.putNull("target");
            return o;
        }
        RestoreTarget t = until.target();
        ObjectNode n = o.putObject("target").put("kind", t.kind().name().toLowerCase(Locale.ROOT))
                .put("archive", t.archive().toString());
        if (t.kind() == RestoreTarget.Kind.LSN) {
            n.put("until_lsn", t.lsn());
        } else {
            n.putNull("until_lsn");
        }
        n.put("until_time", t.time() == null ? null : t.time().toString())
                .put("until_point", t.point())
                .put("time_zone", until.assumedZone() == null ? null : until.assumedZone().getId())
                .put("description", until.describe());
        return o;
    }

    /** What {@code verify-backup --json} prints: the whole report. */
    static ObjectNode verify(BackupVerifyReport r) {
        ObjectNode o = Cli.jsonObject().put("ok", r.intact())
                .put("level", r.level().name().toLowerCase(Locale.ROOT));
        ArrayNode backups = o.putArray("backups");
        r.backups().forEach(backups::add);
        o.put("files_checked", r.filesChecked()).put("bytes_hashed", r.bytesHashed()).put("millis", r.millis());
        if (r.drill() == null) {
            o.putNull("drill");
        } else {
            RestoreSummary d = r.drill();
            o.putObject("drill").put("directory", d.directory().toString()).put("source_lsn", d.sourceLsn())
                    .put("files", d.files()).put("bytes", d.bytes()).put("millis", d.millis());
        }
        ArrayNode problems = o.putArray("problems");
        for (BackupVerifyReport.Problem p : r.problems()) {
            problems.addObject().put("backup", p.backup()).put("file", p.file()).put("check", p.check())
                    .put("message", p.message()).put("remedy", p.remedy());
        }
        return o;
    }

    /** What {@code backup-info --json} prints: the manifest's facts, every file and the totals. */
    static ObjectNode manifest(Path backup, BackupManifest m) {
        ObjectNode o = Cli.jsonObject().put("ok", true)
                .put("backup", backup.toString())
                .put("kind", m.kind().jsonName())
                .put("format_version", m.formatVersion())
                .put("created", Instant.ofEpochSecond(m.createdUnixSecs()).toString())
                .put("created_unix_secs", m.createdUnixSecs())
                .put("source_lsn", m.sourceLsn())
                .put("catalog_version", m.catalogVersion())
                .put("page_size", m.pageSizeBytes())
                .put("parent_manifest_blake3", m.parentManifestBlake3());
        if (m.parentSourceLsn() == null) {
            o.putNull("parent_source_lsn");
        } else {
            o.put("parent_source_lsn", m.parentSourceLsn().longValue());
        }
        o.put("manifest_blake3", m.manifestBlake3());
        ArrayNode files = o.putArray("files");
        for (BackupFileRow f : BackupFileRow.of(m)) {
            ObjectNode n = files.addObject().put("name", f.name()).put("stored", f.kind());
            if (f.removed()) {
                n.putNull("length");
            } else {
                n.put("length", f.lengthBytes());
            }
            n.put("stored_bytes", f.storedBytes());
            if (f.kind().equals("delta")) {
                n.put("pages", f.pages());
            }
        }
        o.putObject("totals")
                .put("files", m.files().size() + m.deltas().size() + m.unchanged().size())
                .put("whole", m.files().size())
                .put("delta", m.deltas().size())
                .put("unchanged", m.unchanged().size())
                .put("removed", m.removed().size())
                .put("database_bytes", BackupText.databaseBytes(m))
                .put("stored_bytes", m.storedBytes());
        return o;
    }
}
