package dev.powdb.cli;

import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.Backups;
import dev.powdb.backup.WalArchive;
import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A database that archives its WAL, with a backup and a restore point, for the archive command tests. */
final class ArchiveFixtures {
    private ArchiveFixtures() {
    }

    /**
     * What {@link #create} made.
     *
     * @param pointLsn        LSN of the restore point {@code p1}, taken after row 150 and before row 151
     * @param pointTimeMicros its time
     */
    record Archived(Path data, Path archive, Path full, long pointLsn, long pointTimeMicros) {
    }

    /**
     * Under {@code tmp}: {@code db} archiving into {@code wal}, the full backup {@code full} (taken by the CLI
     * with {@code --archive} after the command name) holding rows 1..100; then rows 101..150, the restore point
     * {@code p1}, rows 151..200, and in a further session rows 201..250. Each session's clean close seals and
     * archives its last segment, so the archive holds several segments.
     */
    static Archived create(Path tmp) throws InterruptedException {
        Path data = tmp.resolve("db");
        Path archive = tmp.resolve("wal");
        Path full = tmp.resolve("full");
        DatabaseOptions options = DatabaseOptions.defaults().withArchive(archive);
        try (Database db = Database.open(data, options)) {
            db.createTable(new TableSchema("item", List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.optional("name", ColumnType.STR)), List.of(new IndexDef("id", true))));
            BackupFixtures.insert(db, 1, 100);
        }
        CliRun backup = CliRun.of("--data-dir", data.toString(), "backup", full.toString(), "--archive",
                archive.toString());
        assertEquals(0, backup.exit, backup.err());
        long point;
        try (Database db = Database.open(data, options)) {
            BackupFixtures.insert(db, 101, 150);
            point = db.createRestorePoint("p1");
            Thread.sleep(5);   // commit times are in microseconds: keep the next commit clearly after the point
            BackupFixtures.insert(db, 151, 200);
        }
        try (Database db = Database.open(data, options)) {
            BackupFixtures.insert(db, 201, 250);
        }
        ArchiveInfo info = Backups.archiveInfo(archive, true);
        assertTrue(info.intact() && info.segments().size() >= 3, info.toString());
        WalArchive.RestorePoint p = info.restorePoints().get(0);
        assertEquals(point, p.lsn());
        return new Archived(data, archive, full, point, p.timeMicros());
    }
}
