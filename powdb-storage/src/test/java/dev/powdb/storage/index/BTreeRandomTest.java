package dev.powdb.storage.index;

import dev.powdb.storage.index.BTreeFixture.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random inserts, deletes and reads against a {@link TreeSet} oracle. A failure names the seed and the step;
 * rerun one seed with {@code -Dpowdb.btree.seed=N}.
 */
class BTreeRandomTest {
    @TempDir
    Path dir;

    private static long seed(long fallback) {
        return Long.getLong("powdb.btree.seed", fallback);
    }

    @Test
    void randomOperationsMatchOracle() {
        new Run(seed(20240611L), 200_000, 256, false).execute(dir);
    }

    @Test
    void smallPoolEvictsAndReopens() {
        new Run(seed(77L), 40_000, 32, true).execute(dir);
    }

    /** One seeded workload. */
    private static final class Run {
        private final long seed;
        private final int ops;
        private final int poolPages;
        private final boolean reopen;
        private final Random r;
        private final TreeSet<Entry> oracle = new TreeSet<>();
        private final List<Entry> entries = new ArrayList<>();
        private BTreeFixture f;
        private int step;

        Run(long seed, int ops, int poolPages, boolean reopen) {
            this.seed = seed;
            this.ops = ops;
            this.poolPages = poolPages;
            this.reopen = reopen;
            this.r = new Random(seed);
        }

        void execute(Path dir) {
            f = BTreeFixture.create(dir, poolPages);
            try {
                int checkEvery = ops / 6;
                for (step = 0; step < ops; step++) {
                    // Alternate insert-heavy and delete-heavy phases so that leaves fill, empty and refill.
                    boolean growing = (step / (ops / 6)) % 2 == 0;
                    randomOperation(growing ? 68 : 30);
                    if ((step + 1) % checkEvery == 0) {
                        fullCheck();
                        if (reopen) {
                            f.reopen(poolPages);
                            fullCheck();
                        }
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("B+tree random run failed: seed " + seed + " (-Dpowdb.btree.seed=" + seed
                        + "), step " + step + ", " + oracle.size() + " entries: " + e, e);
            } finally {
                f.close();
            }
        }

        private void randomOperation(int insertPercent) {
            int dice = r.nextInt(100);
            if (dice < insertPercent) {
                insert();
            } else if (dice < 90) {
                deleteExisting();
            } else if (dice < 93) {
                deleteRandom();
            } else if (dice < 96) {
                checkLookup(pickKey());
            } else if (dice < 98) {
                byte[] key = pickKey();
                assertEquals(!BTreeFixture.expectedRange(oracle, key, true, key, true).isEmpty(),
                        f.tree.containsKey(key), "containsKey " + BTree.hex(key));
            } else {
                checkShortRange();
            }
        }

        private byte[] pickKey() {
            return entries.isEmpty() || r.nextBoolean() ? BTreeFixture.randomKey(r)
                    : entries.get(r.nextInt(entries.size())).key().clone();
        }

        private void insert() {
            Entry e = new Entry(BTreeFixture.randomKey(r), BTreeFixture.randomRowId(r));
            if (oracle.contains(e)) {
                assertThrows(IllegalStateException.class, () -> f.tree.insert(f.log, e.key(), e.rowId()));
                return;
            }
            f.tree.insert(f.log, e.key(), e.rowId());
            oracle.add(e);
            entries.add(e);
        }

        private void deleteExisting() {
            if (entries.isEmpty()) {
                return;
            }
            int i = r.nextInt(entries.size());
            Entry e = entries.get(i);
            entries.set(i, entries.get(entries.size() - 1));
            entries.remove(entries.size() - 1);
            oracle.remove(e);
            assertTrue(f.tree.delete(f.log, e.key(), e.rowId()), "delete of present entry " + e);
        }

        private void deleteRandom() {
            Entry e = new Entry(BTreeFixture.randomKey(r), BTreeFixture.randomRowId(r));
            boolean present = oracle.remove(e);
            if (present) {
                entries.removeIf(x -> x.compareTo(e) == 0);
            }
            assertEquals(present, f.tree.delete(f.log, e.key(), e.rowId()), "delete " + e);
        }

        private void checkLookup(byte[] key) {
            List<Long> got = new ArrayList<>();
            f.tree.lookup(key, got::add);
            List<Long> want = new ArrayList<>();
            for (Entry e : BTreeFixture.expectedRange(oracle, key, true, key, true)) {
                want.add(e.rowId());
            }
            assertEquals(want, got, "lookup " + BTree.hex(key));
        }

        private void checkShortRange() {
            byte[] lo = r.nextInt(10) == 0 ? null : pickKey();
            byte[] hi = r.nextInt(10) == 0 ? null : pickKey();
            if (lo != null && hi != null && Arrays.compareUnsigned(lo, hi) > 0 && r.nextBoolean()) {
                byte[] t = lo;
                lo = hi;
                hi = t;
            }
            boolean loInc = r.nextBoolean();
            boolean hiInc = r.nextBoolean();
            int limit = 1 + r.nextInt(60);
            List<Entry> got = new ArrayList<>();
            f.tree.range(lo, loInc, hi, hiInc, (key, rowId) -> {
                got.add(new Entry(key, rowId));
                return got.size() < limit;
            });
            List<Entry> want = BTreeFixture.expectedRange(oracle, lo, loInc, hi, hiInc, limit);
            assertTrue(BTreeFixture.sameEntries(want, got), "range scan differs: want " + want + " got " + got);
        }

        private void fullCheck() {
            List<String> problems = new ArrayList<>();
            long seen = f.tree.verify(problems);
            assertEquals(List.of(), problems, "verify");
            assertEquals(oracle.size(), seen, "entries seen by verify");
            assertEquals(oracle.size(), f.tree.count(), "count");
            assertTrue(BTreeFixture.sameEntries(new ArrayList<>(oracle), f.scanAll()), "full scan differs");
        }
    }
}
