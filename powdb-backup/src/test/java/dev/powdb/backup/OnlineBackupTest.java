package dev.powdb.backup;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.spi.BackupSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Online backups taken while several threads insert, update and delete: each restore must equal an oracle of the
 * state at the backup's end LSN, built from the commit LSN of every transaction.
 *
 * <p>Each writer owns a key range and runs a deterministic sequence of transactions, so the state of its range
 * after its first {@code c} transactions is known exactly; the oracle for a backup ending at LSN E takes, for each
 * writer, the transactions whose commit LSN is at most E. A writer also holds a transaction open across the
 * backup's end now and then (it must be rolled back in the restore).
 */
class OnlineBackupTest {
    @TempDir
    Path tmp;

    static final TableSchema T = new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
            ColumnDef.required("v", ColumnType.INT), ColumnDef.optional("s", ColumnType.STR)),
            List.of(new IndexDef("id", true), new IndexDef("v", false)));
    static final int WRITERS = 3;
    static final long RANGE = 1_000_000L;

    /** Small segments and frequent checkpoints and a small pool: segment switches, background checkpoints and
     * page evictions all happen while backups copy. */
    static DatabaseOptions busy() {
        return DatabaseOptions.defaults().withWalSegmentBytes(64 * 1024).withCheckpointWalBytes(512 * 1024)
                .withBufferPoolPages(96);
    }

    /** Applies transaction {@code k} (from 1) of writer {@code w} to {@code ops}, or to the model when null. */
    static void step(dev.powdb.storage.TableOperations ops, Map<Long, long[]> model, int w, long k) {
        long id = w * RANGE + k;
        String s = "w" + w + "-k" + k + "-" + "x".repeat((int) (k % 150));
        if (ops != null) {
            ops.insertValues("t", id, k, s);
        } else {
            model.put(id, new long[] {k, k % 150});
        }
        long upd = w * RANGE + k / 2;
        if (k / 2 >= 1) {
            if (ops != null) {
                ops.updateBy("t", "id", upd, Map.of("v", k * 7));
            } else if (model.containsKey(upd)) {
                model.get(upd)[0] = k * 7;
            }
        }
        if (k % 5 == 0) {
            long del = w * RANGE + k - 3;
            if (ops != null) {
                ops.deleteBy("t", "id", del);
            } else {
                model.remove(del);
            }
        }
    }

    /** The rows of writer {@code w}'s range after its first {@code c} transactions: id -> {v, padding}. */
    static Map<Long, long[]> oracle(int w, long c) {
        Map<Long, long[]> model = new TreeMap<>();
        for (long k = 1; k <= c; k++) {
            step(null, model, w, k);
        }
        return model;
    }

    /** Writer threads with their commit LSNs (index k - 1 holds transaction k's). */
    static final class Writers {
        final Database db;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<List<Long>> commits = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Writers(Database db) {
            this.db = db;
            for (int w = 0; w < WRITERS; w++) {
                commits.add(java.util.Collections.synchronizedList(new ArrayList<>()));
            }
        }

        void start() {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Thread t = new Thread(() -> run(writer), "writer-" + w);
                threads.add(t);
                t.start();
            }
        }

        private void run(int w) {
            try {
                long k = 0;
                while (!stop.get()) {
                    k++;
                    try (Transaction tx = db.begin()) {
                        step(tx, null, w, k);
                        if (w == 0 && k % 40 == 0) {
                            Thread.sleep(15); // an open transaction that a backup may end inside
                        }
                        tx.commit();
                        commits.get(w).add(tx.commitLsn());
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertNull(failure.get(), () -> "writer failed: " + failure.get());
        }

        /** Transactions of writer {@code w} committed at or before {@code lsn}. */
        long committedBy(int w, long lsn) {
            List<Long> c = commits.get(w);
            synchronized (c) {
                long n = 0;
                for (long l : c) {
                    if (l <= lsn) {
                        n++;
                    }
                }
                return n;
            }
        }

        long total() {
            long n = 0;
            for (List<Long> c : commits) {
                n += c.size();
            }
            return n;
        }
    }

    /** Slows the copy down (per block) so that many transactions commit while it runs. */
    static BackupProgress slow(long millisPerBlock) {
        return new BackupProgress() {
            @Override
            public void advance(long bytes) {
                try {
                    Thread.sleep(millisPerBlock);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static void preload(Database db) {
        db.createTable(T);
        try (Transaction tx = db.begin()) {
            for (long i = 0; i < 20_000; i++) {
                tx.insertValues("t", 9 * RANGE + i, i, "preload-" + "p".repeat(200));
            }
            tx.commit();
        }
    }

    /** Checks that the restored database at {@code dir} equals the oracle at {@code lsn}. */
    static void assertOracle(Path dir, Writers writers, long lsn, String what) {
        assertTrue(Database.verify(dir).ok(), what + ": restored database fails verify");
        try (Database db = Database.openExisting(dir, DatabaseOptions.defaults())) {
            for (int w = 0; w < WRITERS; w++) {
                long c = writers.committedBy(w, lsn);
                Map<Long, long[]> expected = oracle(w, c);
                Map<Long, long[]> actual = new TreeMap<>();
                long lo = w * RANGE;
                db.range("t", "id", lo, true, lo + RANGE, false, r -> true, r -> {
                    // s is "w<w>-k<k>-" followed by the padding: its length after the second '-'.
                    String s = (String) r.get("s");
                    long padding = s.length() - s.indexOf('-', s.indexOf('-') + 1) - 1;
                    actual.put((Long) r.get("id"), new long[] {(Long) r.get("v"), padding});
                    return true;
                });
                assertEquals(expected.keySet(), actual.keySet(), what + ": writer " + w + " rows after " + c
                        + " transactions");
                for (Map.Entry<Long, long[]> e : expected.entrySet()) {
                    assertArrayEquals(e.getValue(), actual.get(e.getKey()), what + ": row " + e.getKey());
                }
                int[] viaIndex = {0};
                db.scan("t", r -> (Long) r.get("id") >= lo && (Long) r.get("id") < lo + RANGE, r -> viaIndex[0]++);
                assertEquals(expected.size(), viaIndex[0], what + ": heap scan of writer " + w);
            }
            int[] preloaded = {0};
            db.range("t", "id", 9 * RANGE, true, 10 * RANGE, false, r -> true, r -> ++preloaded[0] > 0);
            assertEquals(20_000, preloaded[0], what + ": preloaded rows");
            // The restored database keeps working.
            db.insertValues("t", 42L, 42L, "after restore");
        }
    }

    @Test
    void fullAndIncrementalBackupsTakenDuringWritesRestoreToTheStateAtTheirEndLsn() throws Exception {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data, busy())) {
            preload(db);
            Writers writers = new Writers(db);
            writers.start();
            while (writers.total() < 150) {
                Thread.sleep(5);
            }
            long before = writers.total();
            BackupSummary full = Backups.full(db, tmp.resolve("full"), slow(40));
            long during = writers.total() - before;
            BackupSummary inc = Backups.incremental(db, tmp.resolve("inc"), tmp.resolve("full"), slow(40));
            writers.stop();
            assertTrue(during > 20, "writers must keep committing during the backup: " + during);
            BackupManifest fm = Backups.manifest(tmp.resolve("full"));
            BackupManifest im = Backups.manifest(tmp.resolve("inc"));
            assertFalse(fm.wal().isEmpty(), "a backup during writes keeps WAL");
            assertEquals(2, fm.formatVersion());
            assertEquals(full.sourceLsn(), fm.sourceLsn());
            // The increment starts at a checkpoint no older than the full backup's (its own, or the last one).
            assertTrue(im.startLsn() >= fm.startLsn());
            for (Path b : List.of(tmp.resolve("full"), tmp.resolve("inc"))) {
                List<Path> incs = b.endsWith("inc") ? List.of(b) : List.of();
                BackupVerifyReport r = Backups.verify(tmp.resolve("full"), incs, VerifyLevel.DEEP, null,
                        BackupProgress.NONE);
                assertTrue(r.problems().isEmpty(), r.problems().toString());
            }
            Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("r-full"), BackupProgress.NONE);
            assertOracle(tmp.resolve("r-full"), writers, fm.sourceLsn(), "full");
            Backups.restore(tmp.resolve("full"), List.of(tmp.resolve("inc")), tmp.resolve("r-inc"),
                    BackupProgress.NONE);
            assertOracle(tmp.resolve("r-inc"), writers, im.sourceLsn(), "full + increment");
            assertTrue(writers.committedBy(0, im.sourceLsn()) > writers.committedBy(0, fm.sourceLsn()));
            assertEquals(inc.sourceLsn(), im.sourceLsn());
        }
    }

    @Test
    void backupOfAQuietDatabaseKeepsNoWalAndStaysFormatVersionOne() throws Exception {
        try (Database db = Database.open(tmp.resolve("data"))) {
            preload(db);
            db.backup(tmp.resolve("b"));
            BackupManifest m = Backups.manifest(tmp.resolve("b"));
            assertEquals(1, m.formatVersion());
            assertTrue(m.wal().isEmpty());
            assertEquals(m.sourceLsn() + 1, m.startLsn());
        }
    }

    @Test
    void theWalABackupNeedsIsNotDeletedByCheckpointsWhileItCopies() throws Exception {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data, busy())) {
            preload(db);
            Writers writers = new Writers(db);
            writers.start();
            Map<String, Boolean> seen = new ConcurrentHashMap<>();
            BackupProgress checkpointing = new BackupProgress() {
                @Override
                public void advance(long bytes) {
                    db.checkpoint(); // every checkpoint during the copy would delete the WAL without the pin
                    seen.put("checkpoint", true);
                }
            };
            Backups.full(db, tmp.resolve("b"), checkpointing);
            writers.stop();
            assertTrue(seen.containsKey("checkpoint"));
            BackupManifest m = Backups.manifest(tmp.resolve("b"));
            assertFalse(m.wal().isEmpty());
            Backups.restore(tmp.resolve("b"), List.of(), tmp.resolve("r"), BackupProgress.NONE);
            assertOracle(tmp.resolve("r"), writers, m.sourceLsn(), "full with checkpoints");
        }
    }
}
