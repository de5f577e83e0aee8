package dev.powdb.testkit;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.page.Page;
import dev.powdb.testkit.oracle.Crashes;
import dev.powdb.testkit.oracle.OracleCheck;
import dev.powdb.testkit.oracle.OracleTable;
import dev.powdb.testkit.oracle.RowValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.powdb.testkit.oracle.OracleTable.TABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A power loss in the middle of a checkpoint tears the data pages it was writing; recovery must rebuild them from
 * the full-page images logged after the previous checkpoint, so every committed row comes back intact and the
 * database verifies clean.
 */
class CrashTornCheckpointTest {
    private static final Path DIR = Path.of("/powdb/torn");
    private static final long SEED = 4242;
    private static final List<String> DATA_FILES = List.of("t.heap", "t_id.idx", "t_grp.idx");

    /** A database whose pages were all checkpointed once, then all changed and committed again. */
    private static final class Setup {
        final FaultyFs fs = new FaultyFs(SEED);
        final DatabaseOptions options = DatabaseOptions.defaults().withFs(fs).withCheckpointWalBytes(0);
        final OracleTable model = new OracleTable();
        final Database db;

        Setup() throws IOException {
            Random rnd = new Random(SEED);
            RowValues values = new RowValues(rnd, 0.03, 0);
            fs.createDirectoriesDurably(DIR);
            db = Database.open(DIR, options);
            db.createTable(OracleTable.SCHEMA);
            long id = 1;
            for (int batch = 0; batch < 6; batch++) {
                try (Transaction tx = db.begin()) {
                    for (int i = 0; i < 50; i++) {
                        Object[] row = values.newRow(id++);
                        tx.insertValues(TABLE, row.clone());
                        model.put(row);
                    }
                    tx.commit();
                }
            }
            db.checkpoint();
            // Change every page after the checkpoint: each page's first change is logged as a full image.
            db.update(TABLE, null, r -> Map.of("name", "after-" + r.get("id") + "-" + "x".repeat((int) ((Long) r
                    .get("id") % 40)), "score", ((Long) r.get("id")) * 1.5));
            for (Object[] v : new ArrayList<>(model.rows().values())) {
                long k = (Long) v[OracleTable.ID];
                model.put(OracleTable.apply(v, Map.of("name", "after-" + k + "-" + "x".repeat((int) (k % 40)),
                        "score", k * 1.5)));
            }
            for (int i = 0; i < 40; i++) {
                Object[] row = values.newRow(id++);
                db.insertValues(TABLE, row.clone());
                model.put(row);
            }
            for (long gone = 5; gone <= 300; gone += 15) {
                db.deleteBy(TABLE, "id", gone);
                model.remove(gone);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CrashMode.class, names = {"TORN", "RANDOM"})
    void pagesTornByAPowerLossDuringACheckpointAreRepairedFromTheWal(CrashMode mode) throws IOException {
        Setup probe = new Setup();
        long before = probe.fs.writeCount();
        probe.db.checkpoint();
        int checkpointWrites = (int) (probe.fs.writeCount() - before);
        Crashes.abandon(probe.db);
        assertTrue(checkpointWrites > 20, "the checkpoint wrote only " + checkpointWrites + " times");

        int tornPages = 0;
        List<Integer> cuts = new ArrayList<>();
        for (int k = 1; k <= checkpointWrites; k += Math.max(1, checkpointWrites / 14)) {
            cuts.add(k);
        }
        cuts.add(checkpointWrites);
        for (int cut : cuts) {
            Setup s = new Setup();
            s.fs.powerOffAfterWrites(cut);
            try {
                s.db.checkpoint();
                fail("the checkpoint finished although the power went off after " + cut + " of its "
                        + checkpointWrites + " writes");
            } catch (RuntimeException expected) {
                // The machine stopped in the middle.
            }
            Crashes.abandon(s.db);
            s.fs.crash(mode);
            int torn = countDamagedPages(s.fs);
            tornPages += torn;
            String where = mode + " crash after " + cut + " of " + checkpointWrites + " checkpoint writes ("
                    + torn + " damaged pages on disk)";
            try (Database db = Database.open(DIR, s.options)) {
                assertNull(OracleCheck.deepDiff(db, s.model), where);
            } catch (CorruptionException e) {
                throw new AssertionError(where + ": recovery refused: " + e.getMessage(), e);
            }
            VerifyReport report = Database.verify(DIR, s.options);
            assertTrue(report.ok(), where + ":\n" + report);
        }
        System.out.println(mode + ": " + cuts.size() + " cut points, " + tornPages + " damaged pages repaired");
        assertTrue(tornPages > 0, "no cut point left a damaged page on disk, so no repair was tested");
    }

    /**
     * A page write at the end of a file cut short by a power loss (only a prefix reached the disk) whose missing
     * tail was zeros anyway: the page reads back valid, zero-padded. Recovery keeps it, and the database must still
     * verify clean afterwards.
     */
    @Test
    void pageWriteCutShortAtTheEndOfAFileLeavesAVerifiableDatabase() throws IOException {
        FaultyFs fs = new FaultyFs(SEED);
        DatabaseOptions options = DatabaseOptions.defaults().withFs(fs).withCheckpointWalBytes(0);
        fs.createDirectoriesDurably(DIR);
        Database db = Database.open(DIR, options);
        db.createTable(OracleTable.SCHEMA);
        OracleTable model = new OracleTable();
        RowValues values = new RowValues(new Random(SEED), 0, 0);
        for (long id = 1; id <= 20; id++) {
            Object[] row = values.newRow(id);
            row[OracleTable.DATA] = null;
            db.insertValues(TABLE, row.clone());
            model.put(row);
        }
        db.checkpoint();
        Object[] big = values.newRow(21);
        big[OracleTable.DATA] = values.bytes(5000); // two overflow pages appended, the second mostly zeros
        db.insertValues(TABLE, big.clone());
        model.put(big);
        db.engine().pool().flushAll();
        Crashes.abandon(db);
        fs.crash(CrashMode.KEEP_ALL);

        Path heap = DIR.resolve("t.heap");
        byte[] image = fs.readDurable(heap);
        assertEquals(0, image.length % Page.SIZE, "setup: the heap should end on a page boundary");
        int zeros = 0;
        while (zeros < Page.SIZE - 1 && image[image.length - 1 - zeros] == 0) {
            zeros++;
        }
        assertTrue(zeros > 100, "setup: the last heap page should end in zeros, found " + zeros);
        try (StorageFile f = fs.open(heap, false)) {
            f.truncate(image.length - zeros); // what a crash keeping only a prefix of that write leaves
            f.sync();
        }

        try (Database again = Database.open(DIR, options)) {
            assertNull(OracleCheck.deepDiff(again, model));
        }
        VerifyReport report = Database.verify(DIR, options);
        assertTrue(report.ok(), "after recovery and a clean close the database must verify:\n" + report);
    }

    /** Pages of the data files whose durable image fails its checks (torn or otherwise damaged). */
    private static int countDamagedPages(FaultyFs fs) throws IOException {
        int damaged = 0;
        for (String name : DATA_FILES) {
            byte[] all = fs.readDurable(DIR.resolve(name));
            if (all.length < Page.SIZE) {
                continue;
            }
            int fileId = Page.readInt(all, 20);
            for (int page = 1; (long) page * Page.SIZE < all.length; page++) {
                byte[] img = Arrays.copyOfRange(all, page * Page.SIZE, (page + 1) * Page.SIZE);
                try {
                    Page.verifyImage(img, name, fileId, page);
                } catch (CorruptionException e) {
                    damaged++;
                }
            }
        }
        return damaged;
    }
}
