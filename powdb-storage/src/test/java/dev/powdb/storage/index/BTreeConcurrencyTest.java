package dev.powdb.storage.index;

import dev.powdb.storage.index.BTreeFixture.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many reader threads on one tree (no writer, as the engine guarantees), with a pool small enough to evict. */
class BTreeConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void concurrentReadersSeeTheSameEntries() throws Exception {
        long seed = 31337;
        TreeSet<Entry> oracle = new TreeSet<>();
        try (BTreeFixture f = BTreeFixture.create(dir, 32)) {
            Random r = new Random(seed);
            for (int i = 0; i < 20_000; i++) {
                Entry e = new Entry(BTreeFixture.randomKey(r), BTreeFixture.randomRowId(r));
                if (oracle.add(e)) {
                    f.tree.insert(f.log, e.key(), e.rowId());
                }
            }
            List<Entry> all = new ArrayList<>(oracle);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long threadSeed = seed + t;
                    futures.add(pool.submit(() -> readRandomly(f.tree, oracle, all, threadSeed)));
                }
                for (Future<?> fu : futures) {
                    fu.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(oracle.size(), f.tree.count());
        }
    }

    private static Void readRandomly(BTree tree, TreeSet<Entry> oracle, List<Entry> all, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 1_500; i++) {
            Entry probe = all.get(r.nextInt(all.size()));
            List<Long> got = new ArrayList<>();
            tree.lookup(probe.key(), got::add);
            List<Long> want = new ArrayList<>();
            for (Entry e : BTreeFixture.expectedRange(oracle, probe.key(), true, probe.key(), true)) {
                want.add(e.rowId());
            }
            assertEquals(want, got, "lookup (thread seed " + seed + ")");
            boolean loInclusive = r.nextBoolean();
            List<Entry> scanned = new ArrayList<>();
            tree.range(probe.key(), loInclusive, null, false, (k, rowId) -> {
                scanned.add(new Entry(k, rowId));
                return scanned.size() < 40;
            });
            List<Entry> expected = BTreeFixture.expectedRange(oracle, probe.key(), loInclusive, null, false, 40);
            assertTrue(BTreeFixture.sameEntries(expected, scanned), "range scan (thread seed " + seed + ")");
        }
        return null;
    }
}
