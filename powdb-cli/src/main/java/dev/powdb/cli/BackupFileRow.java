package dev.powdb.cli;

import dev.powdb.backup.BackupManifest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One file of a backup as {@code backup-info} lists it, whichever list of the manifest it comes from.
 *
 * @param name        the file's name in the data directory
 * @param kind        how it is stored: {@code whole}, {@code delta}, {@code unchanged} (kept from the parent) or
 *                    {@code removed} (deleted since the parent)
 * @param lengthBytes the file's length in the restored database (0 for a removed file)
 * @param storedBytes bytes the backup directory holds for it (0 when unchanged or removed)
 * @param pages       page images held by a delta, else 0
 */
record BackupFileRow(String name, String kind, long lengthBytes, long storedBytes, long pages) {
    /** Every file the manifest names, sorted by name. */
    static List<BackupFileRow> of(BackupManifest m) {
        List<BackupFileRow> rows = new ArrayList<>();
        for (BackupManifest.FileEntry f : m.files()) {
            rows.add(new BackupFileRow(f.name(), "whole", f.lengthBytes(), f.lengthBytes(), 0));
        }
        for (BackupManifest.DeltaEntry d : m.deltas()) {
            rows.add(new BackupFileRow(d.name(), "delta", d.lengthBytes(), d.deltaLengthBytes(), d.pageCount()));
        }
        for (BackupManifest.UnchangedEntry u : m.unchanged()) {
            rows.add(new BackupFileRow(u.name(), "unchanged", u.lengthBytes(), 0, 0));
        }
        for (String r : m.removed()) {
            rows.add(new BackupFileRow(r, "removed", 0, 0, 0));
        }
        rows.sort(Comparator.comparing(BackupFileRow::name));
        return rows;
    }

    /** Whether the file was deleted since the parent backup. */
    boolean removed() {
        return kind.equals("removed");
    }

    /** {@code whole}, {@code delta, 12 pages}, {@code unchanged} or {@code removed}. */
    String storedAs() {
        return kind.equals("delta") ? "delta, " + Sizes.count(pages, "page", "pages") : kind;
    }
}
