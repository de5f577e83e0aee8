package dev.powdb.testkit;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.VerifyReport;
import dev.powdb.testkit.oracle.Crashes;
import dev.powdb.testkit.oracle.OracleCheck;
import dev.powdb.testkit.oracle.OracleTable;
import dev.powdb.testkit.oracle.RowValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.powdb.testkit.oracle.OracleTable.TABLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage to the WAL: a flipped bit in records that had been fsynced (a later record's durable horizon says so) must
 * refuse open with the segment file and the offset, without changing anything; damage in a tail that was never
 * fsynced is a torn tail and is cut off silently, keeping every record before it.
 */
class FaultWalDamageTest {
    private static final Path DIR = Path.of("/powdb/waldamage");
    private static final Path WAL = DIR.resolve("wal");
    /** Longest WAL frame these tests write (a full-page image plus its undo bytes, with margin). */
    private static final int MAX_FRAME = 3 * 4096;

    @ParameterizedTest(name = "WAL segments of {0} bytes")
    @ValueSource(longs = {16L << 20, 64 * 1024})
    void damageInAnFsyncedSegmentRefusesOpenNamingTheSegmentAndOffset(long segmentBytes) throws IOException {
        FaultyFs fs = new FaultyFs(segmentBytes);
        DatabaseOptions options = DatabaseOptions.defaults().withFs(fs).withCheckpointWalBytes(0)
                .withWalSegmentBytes(segmentBytes);
        OracleTable model = commitRows(fs, options, 300, 1);
        fs.crash(CrashMode.DROP_ALL);
        List<String> segments = fs.list(WAL);
        assertTrue(segmentBytes > 1 << 20 || segments.size() >= 3, "setup: expected several segments, got "
                + segments);
        FaultyFs.Snapshot intact = fs.snapshot();

        Random rnd = new Random(segmentBytes);
        for (int round = 0; round < 10; round++) {
            fs.restore(intact);
            String name = segments.get(segments.size() == 1 ? 0 : rnd.nextInt(segments.size() - 1));
            Path seg = WAL.resolve(name);
            long size = frameEnd(fs, seg);
            long offset = size / 10 + (long) (rnd.nextDouble() * size * 0.7);
            fs.corruptDurableByte(seg, offset);
            byte[][] damaged = durableImages(fs, segments);
            String where = "a bit flipped at offset " + offset + " of " + name + " (" + size + " bytes)";

            CorruptionException e = assertThrows(CorruptionException.class, () -> Database.open(DIR, options),
                    where + " must refuse open");
            assertTrue(e.resource().endsWith(name), where + ": the error names " + e.resource());
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("offset " + e.offset()), where
                    + ": " + e.getMessage());
            assertTrue(e.offset() <= offset && offset - e.offset() < MAX_FRAME, where + ": the error points at offset "
                    + e.offset() + ", not at the frame holding the damage");
            byte[][] after = durableImages(fs, segments);
            for (int i = 0; i < segments.size(); i++) {
                assertArrayEquals(damaged[i], after[i], where + ": a refused open changed " + segments.get(i));
            }
            CorruptionException again = assertThrows(CorruptionException.class, () -> Database.open(DIR, options));
            assertEquals(e.getMessage(), again.getMessage(), where + ": a second attempt must fail the same way");
        }
        fs.restore(intact);
        try (Database db = Database.open(DIR, options)) {
            assertNull(OracleCheck.deepDiff(db, model), "the undamaged WAL must recover every row");
        }
    }

    @Test
    void damageInAnUnsyncedTailIsCutOffSilently() throws IOException {
        FaultyFs fs = new FaultyFs(99);
        DatabaseOptions full = DatabaseOptions.defaults().withFs(fs).withCheckpointWalBytes(0);
        OracleTable durable = commitRows(fs, full, 50, 1);
        List<String> segments = fs.list(WAL);
        Path seg = WAL.resolve(segments.get(segments.size() - 1));
        long durableEnd = frameEnd(fs, seg);

        // Commits in off mode are written to the OS but never fsynced: their frames' durable horizons stay behind.
        List<OracleTable> states = new ArrayList<>();
        states.add(durable);
        RowValues values = new RowValues(new Random(5), 0, 0);
        Database off = Database.open(DIR, full.withSyncMode(SyncMode.OFF));
        OracleTable model = durable.copy();
        for (long id = 1000; id < 1040; id++) {
            Object[] row = values.newRow(id);
            off.insertValues(TABLE, row.clone());
            model = model.copy();
            model.put(row);
            states.add(model);
        }
        Crashes.abandon(off);
        fs.crash(CrashMode.KEEP_ALL); // the tail reached the disk, so it can be damaged there
        long end = frameEnd(fs, seg);
        assertTrue(end > durableEnd + 1000, "setup: the off-mode commits should extend " + seg.getFileName());
        long offset = durableEnd + (end - durableEnd) / 2;
        fs.corruptDurableByte(seg, offset);

        int recovered = -1;
        try (Database db = Database.open(DIR, full)) {
            for (int i = states.size() - 1; i >= 0 && recovered < 0; i--) {
                if (OracleCheck.deepDiff(db, states.get(i)) == null) {
                    recovered = i;
                }
            }
            assertTrue(recovered >= 0, "after cutting the damaged tail the database matches no commit: "
                    + OracleCheck.deepDiff(db, durable));
            assertTrue(recovered < states.size() - 1, "the commit holding the damaged byte came back");
            assertTrue(recovered > 0, "commits before the damaged one were lost too");
            assertTrue(fs.durableSize(seg) <= offset, "the torn tail should be cut off at or before offset "
                    + offset + ", the segment is " + fs.durableSize(seg) + " bytes");
            Object[] row = values.newRow(5000);
            db.insertValues(TABLE, row.clone());
            model = states.get(recovered).copy();
            model.put(row);
        }
        try (Database db = Database.open(DIR, full)) {
            assertNull(OracleCheck.deepDiff(db, model), "the WAL must keep working after the cut");
        }
        VerifyReport report = Database.verify(DIR, full);
        assertTrue(report.ok(), report.toString());
    }

    /** Creates the table and commits {@code n} rows one by one in FULL mode; leaves the database abandoned. */
    private static OracleTable commitRows(FaultyFs fs, DatabaseOptions options, int n, long seed) throws IOException {
        fs.createDirectoriesDurably(DIR);
        RowValues values = new RowValues(new Random(seed), 0, 0);
        OracleTable model = new OracleTable();
        Database db = Database.open(DIR, options);
        db.createTable(OracleTable.SCHEMA);
        for (long id = 1; id <= n; id++) {
            Object[] row = values.newRow(id);
            db.insertValues(TABLE, row.clone());
            model.put(row);
        }
        Crashes.abandon(db);
        return model;
    }

    private static byte[][] durableImages(FaultyFs fs, List<String> segments) throws IOException {
        byte[][] out = new byte[segments.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = fs.readDurable(WAL.resolve(segments.get(i)));
        }
        return out;
    }

    /**
     * Where the frames of a segment end: the newest segment keeps zeroed space reserved after its last frame, so
     * the file length is not the end of the log.
     */
    private static long frameEnd(FaultyFs fs, Path seg) throws IOException {
        byte[] b = fs.readDurable(seg);
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return end;
    }
}
