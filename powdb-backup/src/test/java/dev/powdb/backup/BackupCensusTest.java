package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.DataDirectory;
import dev.powdb.storage.DataDirectory.FileKind;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Census of a data directory against its full backup: after a workload with DDL, checkpoints and crashes, every
 * entry of the data directory is either in the backup's manifest or deliberately left out (the writer lock, the WAL
 * directory and its segments, temporary files of an atomic replace, the change-tracking summaries). Anything else
 * is a file the backup would lose (PowDB once shipped backups without its auth and views files) or a left-over the
 * engine forgot (a dropped table's heap).
 */
class BackupCensusTest {
    private static final Set<FileKind> LEFT_OUT = Set.of(FileKind.LOCK, FileKind.WAL_SEGMENT, FileKind.WAL_DIR,
            FileKind.TEMPORARY, FileKind.TRACK_DIR, FileKind.TRACK_SUMMARY);
    private static final DatabaseOptions OPTIONS = DatabaseOptions.defaults().withWalSegmentBytes(64 * 1024)
            .withCheckpointWalBytes(192 * 1024);

    @TempDir
    Path tmp;
    private int census;

    /** Takes a full backup of {@code db} and classifies every entry of its data directory against the manifest. */
    private void census(Database db, String when) throws Exception {
        Path dest = tmp.resolve("census-" + census++);
        Backups.full(db, dest, BackupProgress.NONE);
        BackupManifest m = Backups.manifest(dest);
        Set<String> inManifest = new TreeSet<>();
        m.files().forEach(f -> inManifest.add(f.name()));
        List<String> unclaimed = new ArrayList<>();
        Set<String> durableSeen = new TreeSet<>();
        for (Map.Entry<String, String> e : BackupFixtures.tree(db.dir()).entrySet()) {
            String rel = e.getKey();
            if (rel.isEmpty()) {
                continue; // the directory itself
            }
            FileKind kind = DataDirectory.classify(rel);
            if (inManifest.contains(rel)) {
                assertTrue(e.getValue().startsWith("file "), when + ": " + rel + " is in the manifest but is "
                        + e.getValue());
                durableSeen.add(rel);
            } else if (!LEFT_OUT.contains(kind)) {
                unclaimed.add(rel + " (" + kind + ", " + e.getValue() + ")");
            }
        }
        assertEquals(List.of(), unclaimed, when + ": files in the data directory that the full backup neither holds "
                + "nor deliberately leaves out; manifest: " + inManifest);
        Set<String> expected = new TreeSet<>(inManifest);
        assertEquals(expected, durableSeen, when + ": manifest files missing from the data directory");
        // Every file the manifest holds is durable state by the one canonical function.
        for (String name : inManifest) {
            assertTrue(DataDirectory.isDurable(DataDirectory.classify(name)), when + ": " + name);
        }
        // And the schema's files are exactly the paged files of the manifest.
        Set<String> schemaFiles = new TreeSet<>();
        db.tables().forEach(t -> {
            schemaFiles.add(t.name() + ".heap");
            t.indexes().forEach(i -> schemaFiles.add(t.name() + "_" + i.column() + ".idx"));
        });
        Set<String> paged = new TreeSet<>(inManifest);
        paged.removeIf(n -> !BackupManifest.isPagedName(n));
        assertEquals(schemaFiles, paged, when + ": paged files of the backup versus the schema");
        BackupFixtures.deleteTree(dest);
    }

    @Test
    void everyFileIsBackedUpOrDeliberatelyLeftOut() throws Exception {
        Path dir = tmp.resolve("data");
        Database db = Database.open(dir, OPTIONS);
        try {
            census(db, "new database");
            createT(db, "a");
            createT(db, "b");
            createT(db, "c");
            fill(db, "a", 0, 3000);
            fill(db, "b", 0, 500);
            fill(db, "c", 0, 100);
            census(db, "after loads");
            db.addColumn("a", new ColumnDef("extra", ColumnType.INT, false, 5L));
            db.dropColumn("a", "s");
            db.createIndex("a", "extra", false);
            db.dropIndex("b", "grp");
            db.dropTable("c");
            db.checkpoint();
            census(db, "after DDL and a checkpoint");
            // DDL and writes after the checkpoint, then a crash: recovery must not leave stray files.
            db.dropTable("b");
            createT(db, "d");
            fill(db, "d", 0, 1000);
            db.dropIndex("a", "grp");
            try (Transaction tx = db.begin()) {
                tx.insert("a", Map.of("id", 99_999L));
                // crash with this transaction open
                db.engine().abandonForTesting();
            } catch (RuntimeException expectedAfterAbandon) {
                // closing the transaction of an abandoned engine may fail; the crash is what matters
            }
            db = Database.open(dir, OPTIONS);
            census(db, "after a crash and recovery");
            assertTrue(db.lookup("a", "id", 99_999L).isEmpty(), "uncommitted row survived the crash");
            // A crash right after a drop, before any checkpoint.
            db.dropTable("d");
            createT(db, "c"); // the name of a table dropped earlier
            fill(db, "c", 0, 50);
            db.engine().abandonForTesting();
            db = Database.open(dir, OPTIONS);
            census(db, "after a crash following drop and recreate");
            assertEquals(50, db.count("c", r -> true));
            assertTrue(Files.exists(dir.resolve("LOCK"), LinkOption.NOFOLLOW_LINKS));
        } finally {
            db.close();
        }
        // Closed: the same files minus nothing the census did not already know.
        try (Database again = Database.openExisting(dir, DatabaseOptions.defaults())) {
            census(again, "after a clean close and reopen");
        }
    }
}
