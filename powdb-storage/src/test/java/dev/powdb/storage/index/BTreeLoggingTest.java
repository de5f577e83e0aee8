package dev.powdb.storage.index;

import dev.powdb.storage.index.BTreeFixture.Entry;
import dev.powdb.storage.index.BTreeFixture.LoggedEdit;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageEdit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the tree hands to the edit log: page LSNs, undo information and WAL volume. */
class BTreeLoggingTest {
    @TempDir
    Path dir;
    private BTreeFixture f;
    private final TreeSet<Entry> oracle = new TreeSet<>();
    private final List<Entry> entries = new ArrayList<>();

    @AfterEach
    void closeFixture() {
        if (f != null) {
            f.close();
        }
    }

    /** Random inserts (and deletes of present entries) mirrored in the oracle. */
    private void workload(Random r, int ops, int insertPercent) {
        for (int i = 0; i < ops; i++) {
            if (entries.isEmpty() || r.nextInt(100) < insertPercent) {
                Entry e = new Entry(BTreeFixture.randomKey(r), BTreeFixture.randomRowId(r));
                if (oracle.add(e)) {
                    f.tree.insert(f.log, e.key(), e.rowId());
                    entries.add(e);
                }
            } else {
                int j = r.nextInt(entries.size());
                Entry e = entries.get(j);
                entries.set(j, entries.get(entries.size() - 1));
                entries.remove(entries.size() - 1);
                oracle.remove(e);
                assertTrue(f.tree.delete(f.log, e.key(), e.rowId()));
            }
        }
    }

    /** Pages whose content changed, or that are new, must have an LSN past {@code sinceLsn}. */
    private void assertChangedPagesStamped(byte[][] before, long sinceLsn, String when) {
        byte[][] after = f.snapshot();
        int changed = 0;
        for (int p = 0; p < after.length; p++) {
            boolean differs = p >= before.length || !Arrays.equals(before[p], after[p]);
            long lsn = f.pageLsn(p);
            if (differs) {
                changed++;
                assertTrue(lsn > sinceLsn, when + ": page " + p + " changed but has LSN " + lsn + " <= " + sinceLsn);
            }
        }
        assertTrue(changed > 10, "workload changed only " + changed + " pages");
    }

    @Test
    void everyPageChangedSinceLsnHasNewerLsn() {
        long seed = 4242;
        f = BTreeFixture.create(dir, 32);
        Random r = new Random(seed);
        workload(r, 20_000, 80);
        byte[][] before = f.snapshot();
        long x = f.log.lastLsn.get();
        f.log.recording = true;
        workload(r, 4_000, 50);
        for (LoggedEdit e : f.log.edits) {
            assertTrue(f.pageLsn(e.pageNo()) > x, "logged page " + e.pageNo() + " not stamped (seed " + seed + ")");
        }
        assertChangedPagesStamped(before, x, "in memory (seed " + seed + ")");
        f.reopen(32);
        assertChangedPagesStamped(before, x, "after reopen (seed " + seed + ")");
        assertEquals(List.of(), f.verify());
        assertTrue(BTreeFixture.sameEntries(new ArrayList<>(oracle), f.scanAll()));
    }

    /** Applies the before-images of the recorded edits in reverse, the way a transaction rollback would. */
    private void undoRecorded() {
        f.log.recording = false;
        List<LoggedEdit> edits = new ArrayList<>(f.log.edits);
        f.log.edits.clear();
        for (int i = edits.size() - 1; i >= 0; i--) {
            LoggedEdit e = edits.get(i);
            Page page = f.file.pin(e.pageNo());
            try (PageEdit pe = PageEdit.begin(page, f.log)) {
                int[] ranges = e.ranges();
                for (int k = 0; k < ranges.length; k += 2) {
                    pe.page().putBytes(ranges[k], e.before(), ranges[k], ranges[k + 1] - ranges[k]);
                }
            } finally {
                page.unpin();
            }
        }
    }

    @Test
    void undoingEditsInReverseRestoresTheTree() {
        long seed = 99;
        f = BTreeFixture.create(dir, 512);
        Random r = new Random(seed);
        workload(r, 5, 100);
        for (int round = 0; round < 3; round++) {
            String where = "seed " + seed + " round " + round;
            byte[][] before = f.snapshot();
            List<Entry> expected = new ArrayList<>(oracle);
            int heightBefore = f.tree.readMeta().height();
            f.log.recording = true;
            TreeSet<Entry> savedOracle = new TreeSet<>(oracle);
            List<Entry> savedEntries = new ArrayList<>(entries);
            workload(r, 2_500, 75);
            assertTrue(f.tree.readMeta().height() > heightBefore || round > 0, "no root split in round 0");
            undoRecorded();
            oracle.clear();
            oracle.addAll(savedOracle);
            entries.clear();
            entries.addAll(savedEntries);
            byte[][] after = f.snapshot();
            for (int p = 0; p < after.length; p++) {
                byte[] want = p < before.length ? before[p] : new byte[Page.SIZE];
                assertArrayEquals(want, after[p], where + ": page " + p + " not restored");
            }
            assertEquals(List.of(), f.verify(), where);
            assertTrue(BTreeFixture.sameEntries(expected, f.scanAll()), where);
            // Grow the tree for the next round, without recording.
            workload(r, 3_000, 85);
        }
    }

    @Test
    void appendingAndDeletingLogOnlyTheChangedBytes() {
        f = BTreeFixture.create(dir, 64);
        for (int i = 0; i < 100; i++) {
            f.tree.insert(f.log, new byte[] {0, (byte) i}, i);
        }
        long bytes = f.log.loggedBytes;
        f.tree.insert(f.log, new byte[] {0, 100}, 100);
        // 12-byte cell, 2-byte slot, count and cell start: well under 50 bytes even with span gaps.
        assertTrue(f.log.loggedBytes - bytes <= 50, "append logged " + (f.log.loggedBytes - bytes) + " bytes");
        bytes = f.log.loggedBytes;
        assertTrue(f.tree.delete(f.log, new byte[] {0, 50}, 50));
        // The 50 slots after the removed one shift; the cell bytes are not rewritten.
        assertTrue(f.log.loggedBytes - bytes <= 2 * 51 + 16, "delete logged " + (f.log.loggedBytes - bytes));
    }

    @Test
    void randomWorkloadLogVolumeStaysSmall() {
        f = BTreeFixture.create(dir, 256);
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[8];
            r.nextBytes(key);
            f.tree.insert(f.log, key, i);
        }
        long bytes = f.log.loggedBytes;
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[8];
            r.nextBytes(key);
            f.tree.insert(f.log, key, i);
        }
        long perInsert = (f.log.loggedBytes - bytes) / n;
        // Slot shifts average half a leaf (~100 slots) and splits add about two pages per ~100 inserts.
        assertTrue(perInsert < 400, "logged " + perInsert + " bytes per insert");
    }
}
