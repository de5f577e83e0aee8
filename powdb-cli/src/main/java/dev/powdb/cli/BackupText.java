package dev.powdb.cli;

import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.BackupVerifyReport;
import dev.powdb.backup.RestoreSummary;
import dev.powdb.storage.spi.BackupSummary;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The human-readable output of {@code backup}, {@code restore}, {@code verify-backup} and {@code backup-info}
 * (the demo prints the same lines). The JSON forms are in {@link BackupJson}.
 */
final class BackupText {
    private BackupText() {
    }

    /**
     * {@code full backup of powdb_data at LSN 1234: 7 files, 104.3 MiB in 0.42 s (248.3 MiB/s) -> DEST}; an
     * increment also names its parent and compares its size with the database's.
     *
     * @param manifest the new backup's manifest (for the parent and the database size)
     * @param base     the {@code --base} the increment was taken on, null for a full backup
     */
    static String backupLine(Path dataDir, BackupSummary s, BackupManifest manifest, Path base) {
        StringBuilder b = new StringBuilder(s.incremental() ? "incremental" : "full")
                .append(" backup of ").append(dataDir).append(" at LSN ").append(s.sourceLsn());
        if (s.incremental()) {
            b.append(" on top of ").append(base).append(" (LSN ").append(manifest.parentSourceLsn()).append(')');
        }
        b.append(": ").append(Sizes.count(s.files(), "file", "files")).append(", ")
                .append(Sizes.amountAndTime(s.bytes(), s.millis()));
        if (s.incremental()) {
            long database = databaseBytes(manifest);
            b.append(", ").append(Sizes.percent(s.bytes(), database)).append(" of the database's ")
                    .append(Sizes.bytes(database));
            if ("scanned".equals(s.changeSource()) || "mixed".equals(s.changeSource())) {
                b.append(" (changed pages found by scanning page LSNs: the engine's record of changes does not "
                        + "reach back to the base)");
            }
        }
        if (s.walPieces() > 0) {
            b.append(", with WAL from LSN ").append(s.startLsn())
                    .append(s.startedAtLastCheckpoint() ? " (the last checkpoint)" : "").append(" replayed on restore");
        }
        return b.append(" -> ").append(s.directory()).toString();
    }

    /**
     * {@code restored backups/full + 1 increment into DEST at LSN 1300: 7 files, 104.3 MiB in 0.80 s
     * (130.4 MiB/s); backups applied: 2}.
     */
    static String restoreLine(Path backup, List<Path> increments, RestoreSummary r) {
        return restoreLine(backup, increments, r, null);
    }

    /**
     * The line of a plain restore ({@code until} null), or of a point-in-time restore: {@code restored
     * backups/full into DEST at LSN 1450, WAL replayed from /mnt/wal-archive up to restore point "p1": 7 files,
     * ...}. For a time read in the machine's time zone the target names the zone: {@code up to time
     * 2026-11-24T09:15:30Z (2026-11-24T10:15:30 in time zone Europe/Oslo)}.
     */
    static String restoreLine(Path backup, List<Path> increments, RestoreSummary r, RestoreUntil.Choice until) {
        StringBuilder b = new StringBuilder("restored ").append(backup);
        if (!increments.isEmpty()) {
            b.append(" + ").append(Sizes.count(increments.size(), "increment", "increments"));
        }
        b.append(" into ").append(r.directory()).append(" at LSN ").append(r.sourceLsn());
        if (until != null) {
            b.append(", WAL replayed from ").append(until.target().archive()).append(" up to ")
                    .append(until.describe());
        }
        return b.append(": ")
                .append(Sizes.count(r.files(), "file", "files")).append(", ")
                .append(Sizes.amountAndTime(r.bytes(), r.millis()))
                .append("; backups applied: ").append(r.backups()).toString();
    }

    /**
     * The report of {@code verify-backup}: one {@code BAD} line per problem (backup, file, check, message and
     * remedy), what was checked, the drill's result, and a final {@code verify-backup: ...} line.
     */
    static void printVerifyReport(BackupVerifyReport r, PrintStream out) {
        for (BackupVerifyReport.Problem p : r.problems()) {
            out.println(problemLine(p));
        }
        String level = r.level().name().toLowerCase(java.util.Locale.ROOT);
        out.println("checked " + String.join(", ", r.backups()) + ": " + level + ", "
                + Sizes.count(r.filesChecked(), "file", "files")
                + (r.bytesHashed() > 0 ? ", " + Sizes.bytes(r.bytesHashed()) + " hashed" : "")
                + " in " + Sizes.seconds(r.millis()));
        if (r.drill() != null) {
            RestoreSummary d = r.drill();
            out.println("restore drill: " + d.directory() + " restored and opened at LSN " + d.sourceLsn() + " ("
                    + Sizes.count(d.files(), "file", "files") + ", " + Sizes.bytes(d.bytes()) + ")");
        }
        out.println(r.intact() ? "verify-backup: intact"
                : "verify-backup: PROBLEMS FOUND (" + r.problems().size() + ")");
    }

    /** {@code BAD   backups/full: users.heap: blake3: <message>; remedy: <remedy>}. */
    static String problemLine(BackupVerifyReport.Problem p) {
        return "BAD   " + p.backup() + ": " + p.file() + ": " + p.check() + ": " + p.message() + "; remedy: "
                + p.remedy();
    }

    /** The report of {@code backup-info}: the manifest's facts, a table of the files and the totals. */
    static void printManifest(Path backup, BackupManifest m, PrintStream out) {
        out.println("backup           " + backup);
        out.println("kind             " + m.kind().jsonName());
        out.println("created          " + Instant.ofEpochSecond(m.createdUnixSecs()));
        out.println("source LSN       " + m.sourceLsn());
        out.println("catalog version  " + m.catalogVersion());
        out.println("page size        " + m.pageSizeBytes() + " bytes");
        out.println("format version   " + m.formatVersion());
        if (m.kind() == BackupManifest.Kind.INCREMENTAL) {
            out.println("parent LSN       " + m.parentSourceLsn());
            out.println("parent manifest  " + m.parentManifestBlake3());
        }
        out.println("manifest         " + m.manifestBlake3());
        out.println();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"file", "stored as", "length", "stored bytes"});
        for (BackupFileRow f : BackupFileRow.of(m)) {
            rows.add(new String[] {f.name(), f.storedAs(), f.removed() ? "-" : Long.toString(f.lengthBytes()),
                    Long.toString(f.storedBytes())});
        }
        printTable(rows, out);
        out.println();
        out.println(totalsLine(m));
    }

    /**
     * {@code total: 5 files (3 whole, 2 delta, 0 unchanged), 0 removed; database 6.5 MiB, stored 97.4 KiB}: the
     * files of the restored database by how this backup stores them, and the sizes of that database and of this
     * backup directory.
     */
    static String totalsLine(BackupManifest m) {
        int files = m.files().size() + m.deltas().size() + m.unchanged().size();
        return "total: " + Sizes.count(files, "file", "files") + " (" + m.files().size() + " whole, "
                + m.deltas().size() + " delta, " + m.unchanged().size() + " unchanged), "
                + m.removed().size() + " removed; database " + Sizes.bytes(databaseBytes(m)) + ", stored "
                + Sizes.bytes(m.storedBytes());
    }

    /** Length of the database the backup describes (every file it restores), in bytes. */
    static long databaseBytes(BackupManifest m) {
        long n = 0;
        for (BackupManifest.FileEntry f : m.files()) {
            n += f.lengthBytes();
        }
        for (BackupManifest.DeltaEntry d : m.deltas()) {
            n += d.lengthBytes();
        }
        for (BackupManifest.UnchangedEntry u : m.unchanged()) {
            n += u.lengthBytes();
        }
        return n;
    }

    /** Columns padded to their widest cell, numbers (every column but the first two) right-aligned. */
    private static void printTable(List<String[]> rows, PrintStream out) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String format = i < 2 ? "%-" + width[i] + "s" : "%" + width[i] + "s";
                line.append(i > 0 ? "  " : "").append(String.format(format, row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
