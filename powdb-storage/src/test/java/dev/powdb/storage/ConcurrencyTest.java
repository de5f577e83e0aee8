package dev.powdb.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Many threads on one {@link Database}: readers never see a transaction half done, concurrent writers lose
 * nothing, transactions stay on their thread, a closed database refuses work, and checkpoints running beside
 * writers keep every commit. Assertions are on counts and states only; the time limits on joins merely turn a
 * deadlock into a failure instead of a hung build.
 */
class ConcurrencyTest {
    /** Longest wait for a worker; far above the normal run time, only there to report deadlocks. */
    private static final long JOIN_SECONDS = 120;

    @TempDir
    Path tmp;

    // ---- (a) readers against a money-moving writer -------------------------------------------------------------

    private static final int ACCOUNTS = 1500;
    private static final long START_BALANCE = 1000;
    private static final long TOTAL = ACCOUNTS * START_BALANCE;

    static TableSchema accounts() {
        return new TableSchema("acct", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.required("bal", ColumnType.INT), ColumnDef.required("copy", ColumnType.INT),
                ColumnDef.optional("note", ColumnType.STR)),
                List.of(new IndexDef("id", true), new IndexDef("bal", false)));
    }

    /**
     * One writer moves money between accounts; each transaction breaks the invariants (sum of balances constant,
     * {@code bal == copy} on every row, one row per id) in several intermediate statements, sometimes deletes and
     * re-inserts a row, grows and shrinks rows, and sometimes rolls back. Four readers run lookups, index range
     * scans and full scans meanwhile; none may ever see a broken invariant. A small buffer pool makes readers
     * evict and load pages concurrently.
     */
    @Test
    void readersNeverSeeUncommittedOrPartialTransactions() throws Exception {
        DatabaseOptions opts = DatabaseOptions.defaults().withSyncMode(SyncMode.NORMAL).withBufferPoolPages(64)
                .withCheckpointWalBytes(512 * 1024);
        try (Database db = Database.open(tmp.resolve("db"), opts)) {
            db.createTable(accounts());
            try (Transaction tx = db.begin()) {
                for (long id = 0; id < ACCOUNTS; id++) {
                    tx.insertValues("acct", id, START_BALANCE, START_BALANCE, "n" + id);
                }
                tx.commit();
            }
            int transfers = 700;
            AtomicBoolean writerDone = new AtomicBoolean();
            ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();
            AtomicInteger committed = new AtomicInteger();
            AtomicInteger rolledBack = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                List<Future<Long>> readers = new ArrayList<>();
                CountDownLatch readersStarted = new CountDownLatch(4);
                for (int r = 0; r < 4; r++) {
                    int kind = r;
                    readers.add(pool.submit(() -> {
                        readersStarted.countDown();
                        return readLoop(db, kind, 1000 + kind, writerDone, broken);
                    }));
                }
                Future<?> writer = pool.submit(() -> {
                    try {
                        readersStarted.await();
                        Random rnd = new Random(42);
                        for (int i = 0; i < transfers; i++) {
                            if (transfer(db, rnd)) {
                                committed.incrementAndGet();
                            } else {
                                rolledBack.incrementAndGet();
                            }
                        }
                    } finally {
                        writerDone.set(true);
                    }
                    return null;
                });
                get(writer);
                long[] checks = new long[4];
                for (int r = 0; r < 4; r++) {
                    checks[r] = get(readers.get(r));
                }
                assertTrue(broken.isEmpty(), "readers saw broken invariants (" + broken.size() + "), first: "
                        + broken.stream().limit(5).toList());
                assertEquals(transfers, committed.get() + rolledBack.get());
                assertTrue(committed.get() > 0 && rolledBack.get() > 0, "both commits and rollbacks ran");
                for (int r = 0; r < 4; r++) {
                    assertTrue(checks[r] > 0, "reader " + r + " ran no checks");
                }
            } finally {
                pool.shutdownNow();
            }
            assertInvariants(db, "after the run");
        }
        try (Database db = Database.open(tmp.resolve("db"))) {
            assertInvariants(db, "after reopening");
        }
        VerifyReport rep = Database.verify(tmp.resolve("db"));
        assertTrue(rep.ok(), rep.toString());
    }

    /** One transfer transaction; returns true if it committed. */
    private static boolean transfer(Database db, Random rnd) {
        long a = rnd.nextInt(ACCOUNTS);
        long b = (a + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + rnd.nextInt(50);
        boolean commit = rnd.nextInt(8) != 0;
        int style = rnd.nextInt(3);
        try (Transaction tx = db.begin()) {
            Row ra = tx.getBy("acct", "id", a).orElseThrow();
            // Two statements per row: between them bal != copy.
            tx.updateBy("acct", "id", a, Map.of("bal", (Long) ra.get("bal") - amount));
            tx.updateBy("acct", "id", a, Map.of("copy", (Long) ra.get("copy") - amount,
                    "note", "x".repeat(rnd.nextInt(700))));
            Row rb = tx.getBy("acct", "id", b).orElseThrow();
            long nb = (Long) rb.get("bal") + amount;
            switch (style) {
                case 0 -> {
                    tx.deleteBy("acct", "id", b);
                    tx.insert("acct", Map.of("id", b, "bal", nb, "copy", nb, "note", "r".repeat(rnd.nextInt(300))));
                }
                case 1 -> {
                    assertEquals(1, tx.update("acct", r -> (Long) r.get("id") == b,
                            r -> Map.of("bal", nb)));
                    assertEquals(1, tx.update("acct", r -> (Long) r.get("id") == b,
                            r -> Map.of("copy", (Long) r.get("copy") + amount)));
                }
                default -> {
                    tx.updateBy("acct", "id", b, Map.of("copy", (Long) rb.get("copy") + amount));
                    tx.updateBy("acct", "id", b, Map.of("bal", nb));
                }
            }
            if (commit) {
                tx.commit();
            } else {
                tx.rollback();
            }
        }
        return commit;
    }

    /** Runs checks of one kind until the writer is done (and once more after); returns how many ran. */
    private static long readLoop(Database db, int kind, long seed, AtomicBoolean writerDone,
                                 ConcurrentLinkedQueue<String> broken) {
        Random rnd = new Random(seed);
        long checks = 0;
        boolean last = false;
        while (!last) {
            last = writerDone.get();
            switch (kind) {
                case 0 -> {
                    // Point lookups through the unique index.
                    for (int i = 0; i < 50; i++) {
                        long id = rnd.nextInt(ACCOUNTS);
                        List<Row> rows = db.lookup("acct", "id", id);
                        if (rows.size() != 1) {
                            broken.add("lookup of id " + id + " gave " + rows.size() + " rows");
                        } else if (!rows.get(0).get("bal").equals(rows.get(0).get("copy"))) {
                            broken.add("lookup saw half an update: " + rows.get(0));
                        }
                        if (!rows.isEmpty()) {
                            db.get("acct", rows.get(0).rowId()).ifPresent(r -> {
                                if (!r.get("bal").equals(r.get("copy"))) {
                                    broken.add("get saw half an update: " + r);
                                }
                            });
                        }
                        checks++;
                    }
                }
                case 1 -> {
                    // A window of ids through an index range scan: every id once, rows consistent.
                    long lo = rnd.nextInt(ACCOUNTS - 100);
                    Set<Long> seen = new HashSet<>();
                    db.range("acct", "id", lo, true, lo + 100, false, null, r -> {
                        if (!seen.add((Long) r.get("id"))) {
                            broken.add("range saw id " + r.get("id") + " twice");
                        }
                        if (!r.get("bal").equals(r.get("copy"))) {
                            broken.add("range saw half an update: " + r);
                        }
                        return true;
                    });
                    if (seen.size() != 100) {
                        broken.add("range [" + lo + ", " + (lo + 100) + ") gave " + seen.size() + " ids");
                    }
                    checks++;
                }
                case 2 -> {
                    // Every row through the (non-unique) balance index.
                    long[] sum = {0};
                    Set<Long> ids = new HashSet<>();
                    long[] prevBal = {Long.MIN_VALUE};
                    db.range("acct", "bal", null, true, null, true, null, r -> {
                        long bal = (Long) r.get("bal");
                        if (bal < prevBal[0]) {
                            broken.add("balance index out of order: " + bal + " after " + prevBal[0]);
                        }
                        prevBal[0] = bal;
                        sum[0] += bal;
                        ids.add((Long) r.get("id"));
                        return true;
                    });
                    if (sum[0] != TOTAL || ids.size() != ACCOUNTS) {
                        broken.add("balance-index scan: sum " + sum[0] + " over " + ids.size() + " ids");
                    }
                    checks++;
                }
                default -> {
                    // Full table scan.
                    long[] sum = {0};
                    long[] rows = {0};
                    Set<Long> ids = new HashSet<>();
                    db.scan("acct", null, r -> {
                        rows[0]++;
                        sum[0] += (Long) r.get("bal");
                        ids.add((Long) r.get("id"));
                        if (!r.get("bal").equals(r.get("copy"))) {
                            broken.add("scan saw half an update: " + r);
                        }
                    });
                    if (sum[0] != TOTAL || rows[0] != ACCOUNTS || ids.size() != ACCOUNTS) {
                        broken.add("full scan: sum " + sum[0] + ", " + rows[0] + " rows, " + ids.size() + " ids");
                    }
                    checks++;
                }
            }
        }
        return checks;
    }

    private static void assertInvariants(Database db, String when) {
        long sum = 0;
        Set<Long> ids = new HashSet<>();
        for (Row r : db.scan("acct", null)) {
            sum += (Long) r.get("bal");
            assertTrue(ids.add((Long) r.get("id")), when + ": duplicate id " + r.get("id"));
            assertEquals(r.get("bal"), r.get("copy"), when + ": " + r);
            assertEquals(1, db.lookup("acct", "id", r.get("id")).size(), when + ": index entry of " + r);
        }
        assertEquals(ACCOUNTS, ids.size(), when);
        assertEquals(TOTAL, sum, when);
    }

    // ---- (b) concurrent writers -------------------------------------------------------------------------------

    private static TableSchema items() {
        return new TableSchema("items", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.required("owner", ColumnType.INT), ColumnDef.optional("pad", ColumnType.STR)),
                List.of(new IndexDef("id", true), new IndexDef("owner", false)));
    }

    private static TableSchema counters() {
        return new TableSchema("ctr", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.required("n", ColumnType.INT)), List.of(new IndexDef("id", true)));
    }

    /**
     * Eight threads commit at once: autocommit inserts, read-modify-write increments of shared counters (through
     * {@code update} with a function of the row, and inside explicit transactions), transactions that roll back,
     * and races for the same unique key. Every acknowledged row must be there exactly once, rolled-back ones not at
     * all, each unique key won by exactly one thread, and each counter equal to the increments acknowledged.
     */
    @Test
    void concurrentWritersLoseNothing() throws Exception {
        Path dir = tmp.resolve("db");
        int threads = 8;
        int inserts = 60;
        int increments = 40;
        int txs = 25;
        int raceKeys = 15;
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Set<Long> rolledBack = ConcurrentHashMap.newKeySet();
        long[] expectedCounter = new long[4];
        AtomicLong[] counted = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
        AtomicInteger committedTxs = new AtomicInteger();
        AtomicInteger[] raceWins = new AtomicInteger[raceKeys];
        for (int k = 0; k < raceKeys; k++) {
            raceWins[k] = new AtomicInteger();
        }
        try (Database db = Database.open(dir, DatabaseOptions.defaults().withSyncMode(SyncMode.FULL))) {
            db.createTable(items());
            db.createTable(counters());
            for (long c = 0; c < 4; c++) {
                db.insertValues("ctr", c, 0L);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Void>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                work.add(() -> {
                    start.await();
                    Random rnd = new Random(me);
                    String pad = "p".repeat(50 + me * 20);
                    int ins = 0;
                    int inc = 0;
                    int tx = 0;
                    int race = 0;
                    long seq = 0;
                    while (ins < inserts || inc < increments || tx < txs || race < raceKeys) {
                        int pick = rnd.nextInt(4);
                        if (pick == 0 && ins < inserts) {
                            long id = me * 1_000_000L + seq++;
                            db.insert("items", Map.of("id", id, "owner", (long) me, "pad", pad));
                            acked.add(id);
                            ins++;
                        } else if (pick == 1 && inc < increments) {
                            long c = (me + inc) % 4;
                            int n = db.update("ctr", r -> (Long) r.get("id") == c,
                                    row -> Map.of("n", (Long) row.get("n") + 1));
                            assertEquals(1, n);
                            counted[(int) c].incrementAndGet();
                            inc++;
                        } else if (pick == 2 && tx < txs) {
                            long c = (me + tx + 1) % 4;
                            boolean commit = rnd.nextInt(5) != 0;
                            long id1 = me * 1_000_000L + seq++;
                            long id2 = me * 1_000_000L + seq++;
                            try (Transaction t2 = db.begin()) {
                                t2.insertValues("items", id1, (long) me, pad);
                                t2.update("ctr", r -> (Long) r.get("id") == c,
                                        row -> Map.of("n", (Long) row.get("n") + 1));
                                long before = (Long) t2.getBy("ctr", "id", c).orElseThrow().get("n");
                                t2.updateBy("ctr", "id", c, Map.of("n", before + 1));
                                t2.insertValues("items", id2, (long) me, pad);
                                if (commit) {
                                    t2.commit();
                                } else {
                                    t2.rollback();
                                }
                            }
                            if (commit) {
                                acked.add(id1);
                                acked.add(id2);
                                counted[(int) c].addAndGet(2);
                                committedTxs.incrementAndGet();
                            } else {
                                rolledBack.add(id1);
                                rolledBack.add(id2);
                            }
                            tx++;
                        } else if (pick == 3 && race < raceKeys) {
                            long key = -1 - race;
                            try {
                                db.insertValues("items", key, (long) me, "race");
                                raceWins[race].incrementAndGet();
                                acked.add(key);
                            } catch (PowDbException e) {
                                if (e.code() != ErrorCode.UNIQUE_VIOLATION) {
                                    throw e;
                                }
                            }
                            race++;
                        }
                    }
                    return null;
                });
            }
            runAll(work, start);
            for (int c = 0; c < 4; c++) {
                expectedCounter[c] = counted[c].get();
            }
            assertEquals((long) threads * increments + 2L * committedTxs.get(),
                    expectedCounter[0] + expectedCounter[1] + expectedCounter[2] + expectedCounter[3]);
            assertTrue(committedTxs.get() > 0 && !rolledBack.isEmpty(), "both commits and rollbacks ran");
            for (int k = 0; k < raceKeys; k++) {
                assertEquals(1, raceWins[k].get(), "unique key " + (-1 - k) + " won by exactly one thread");
            }
            checkWriters(db, acked, rolledBack, expectedCounter, "while open");
        }
        try (Database db = Database.open(dir)) {
            checkWriters(db, acked, rolledBack, expectedCounter, "after reopening");
        }
        VerifyReport rep = Database.verify(dir);
        assertTrue(rep.ok(), rep.toString());
    }

    private static void checkWriters(Database db, Set<Long> acked, Set<Long> rolledBack, long[] expectedCounter,
                                     String when) {
        Set<Long> ids = new HashSet<>();
        for (Row r : db.scan("items", null)) {
            assertTrue(ids.add((Long) r.get("id")), when + ": duplicate row " + r);
        }
        Set<Long> missing = new HashSet<>(acked);
        missing.removeAll(ids);
        assertTrue(missing.isEmpty(), when + ": acknowledged rows missing: " + missing);
        Set<Long> extra = new HashSet<>(ids);
        extra.removeAll(acked);
        assertTrue(extra.isEmpty(), when + ": rows never acknowledged (rolled back: "
                + extra.stream().filter(rolledBack::contains).count() + "): " + extra);
        for (long id : acked) {
            assertEquals(1, db.lookup("items", "id", id).size(), when + ": index entry of " + id);
        }
        for (long c = 0; c < 4; c++) {
            assertEquals(expectedCounter[(int) c], db.getBy("ctr", "id", c).orElseThrow().get("n"),
                    when + ": counter " + c + " (lost update?)");
        }
    }

    // ---- (c) a transaction stays on its thread ----------------------------------------------------------------

    /**
     * Every use of a transaction from a thread other than the one that began it is refused with ILLEGAL_STATE and
     * changes nothing; afterwards the owner can still use, commit and end the transaction, and other threads can
     * write again.
     */
    @Test
    void transactionIsRefusedOnAnotherThread() throws Exception {
        try (Database db = Database.open(tmp.resolve("db"))) {
            db.createTable(counters());
            db.insertValues("ctr", 0L, 0L);
            Transaction tx = db.begin();
            tx.insertValues("ctr", 1L, 10L);
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Map<String, Callable<Object>> uses = new java.util.LinkedHashMap<>();
                uses.put("insertValues", () -> tx.insertValues("ctr", 2L, 20L));
                uses.put("insert", () -> tx.insert("ctr", Map.of("id", 3L, "n", 30L)));
                uses.put("get", () -> tx.get("ctr", 0));
                uses.put("lookup", () -> tx.lookup("ctr", "id", 0L));
                uses.put("scan", () -> tx.scan("ctr", null));
                uses.put("range", () -> {
                    tx.range("ctr", "id", null, true, null, true, null, r -> true);
                    return null;
                });
                uses.put("update", () -> tx.update("ctr", null, r -> Map.of("n", 99L)));
                uses.put("updateBy", () -> tx.updateBy("ctr", "id", 0L, Map.of("n", 99L)));
                uses.put("delete", () -> tx.delete("ctr", null));
                uses.put("deleteBy", () -> tx.deleteBy("ctr", "id", 0L));
                uses.put("createTable", () -> {
                    tx.createTable(new TableSchema("x", List.of(ColumnDef.required("a", ColumnType.INT))));
                    return null;
                });
                uses.put("tables", tx::tables);
                // The calls that end a transaction: refused too, and they must not end it.
                uses.put("commit", () -> {
                    tx.commit();
                    return null;
                });
                uses.put("rollback", () -> {
                    tx.rollback();
                    return null;
                });
                uses.put("close", () -> {
                    tx.close();
                    return null;
                });
                List<String> problems = new ArrayList<>();
                for (Map.Entry<String, Callable<Object>> use : uses.entrySet()) {
                    Future<String> f = other.submit(() -> {
                        try {
                            use.getValue().call();
                            return "returned normally";
                        } catch (PowDbException e) {
                            return e.code() == ErrorCode.ILLEGAL_STATE ? null : e.code() + ": " + e.getMessage();
                        }
                    });
                    String wrong = get(f);
                    if (wrong != null) {
                        problems.add("tx." + use.getKey() + "() from another thread " + wrong);
                    }
                    if (tx.isFinished()) {
                        problems.add("tx." + use.getKey() + "() from another thread was refused but marked the "
                                + "transaction finished, so its owner can no longer commit, roll back or close it "
                                + "and the writer lock stays held");
                        break;
                    }
                }
                assertEquals(List.of(), problems);
                // The owner's transaction is untouched and still usable.
                assertFalse(tx.isFinished(), "a refused commit/rollback from another thread ended the transaction");
                assertEquals(2, tx.count("ctr", null));
                assertEquals(0L, tx.getBy("ctr", "id", 0L).orElseThrow().get("n"));
                tx.insertValues("ctr", 4L, 40L);
                tx.commit();
                assertTrue(tx.isFinished());
                // Other threads can write again (the writer lock was released by the owner's commit).
                Future<Long> after = other.submit(() -> db.insertValues("ctr", 5L, 50L));
                assertNotNull(get(after));
            } finally {
                if (!tx.isFinished()) {
                    tx.close();
                }
                other.shutdownNow();
            }
            Set<Long> ids = new HashSet<>();
            db.scan("ctr", null).forEach(r -> ids.add((Long) r.get("id")));
            assertEquals(Set.of(0L, 1L, 4L, 5L), ids);
            assertEquals(0L, db.getBy("ctr", "id", 0L).orElseThrow().get("n"));
            assertEquals(List.of("ctr"), db.tables().stream().map(TableSchema::name).toList());
        }
    }

    /**
     * A thread that has an open transaction and then calls an autocommit operation (or begins a second
     * transaction) on the database: the call must either be refused with ILLEGAL_STATE, or really commit on its
     * own. It must not report success and then be undone by the open transaction's rollback, nor end the open
     * transaction's bookkeeping so that a crash keeps that transaction's uncommitted changes.
     */
    @Test
    void autocommitOrSecondBeginOnThreadWithOpenTransaction() throws Exception {
        List<String> problems = new ArrayList<>();
        for (String second : List.of("autocommit", "begin")) {
            // Scenario 1: the open transaction rolls back afterwards.
            Path dir1 = tmp.resolve(second + "-rollback");
            try (Database db = Database.open(dir1)) {
                db.createTable(counters());
                db.insertValues("ctr", 0L, 0L);
                Transaction tx = db.begin();
                tx.insertValues("ctr", 1L, 1L);
                boolean acknowledged = secondWrite(db, second, 2L);
                tx.insertValues("ctr", 3L, 3L);
                tx.rollback();
                Set<Long> ids = ids(db);
                if (acknowledged && !ids.contains(2L)) {
                    problems.add(second + ": the second write on the thread was acknowledged as committed, then "
                            + "undone by the open transaction's rollback; rows now " + ids);
                }
                if (ids.contains(1L) || ids.contains(3L)) {
                    problems.add(second + ": the rolled-back transaction's rows are visible: " + ids);
                }
            }
            // Scenario 2: a checkpoint, then the process dies with the first transaction still open.
            Path dir2 = tmp.resolve(second + "-crash");
            Database db = Database.open(dir2);
            boolean acknowledged;
            try {
                db.createTable(counters());
                db.insertValues("ctr", 0L, 0L);
                Transaction tx = db.begin();
                tx.insertValues("ctr", 1L, 1L);
                acknowledged = secondWrite(db, second, 2L);
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    get(other.submit(() -> {
                        db.checkpoint();
                        return null;
                    }));
                } finally {
                    other.shutdownNow();
                }
            } finally {
                db.engine().abandonForTesting();
            }
            try (Database again = Database.open(dir2)) {
                Set<Long> ids = ids(again);
                if (ids.contains(1L)) {
                    problems.add(second + ": after a crash the never-committed transaction's row survived: " + ids);
                }
                if (acknowledged && !ids.contains(2L)) {
                    problems.add(second + ": after a crash the acknowledged second write is missing: " + ids);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Writes row {@code id} on this thread besides its open transaction; true if that reported a commit. */
    private static boolean secondWrite(Database db, String how, long id) {
        try {
            if (how.equals("autocommit")) {
                db.insertValues("ctr", id, id);
            } else {
                try (Transaction inner = db.begin()) {
                    inner.insertValues("ctr", id, id);
                    inner.commit();
                }
            }
            return true;
        } catch (PowDbException e) {
            assertEquals(ErrorCode.ILLEGAL_STATE, e.code(), how + " beside an open transaction: " + e.getMessage());
            return false;
        }
    }

    private static Set<Long> ids(Database db) {
        Set<Long> ids = new TreeSet<>();
        db.scan("ctr", null).forEach(r -> ids.add((Long) r.get("id")));
        return ids;
    }

    // ---- (d) closed database ------------------------------------------------------------------------------------

    /** After close every operation fails with ILLEGAL_STATE; a second close is harmless; the data is intact. */
    @Test
    void operationsAfterCloseFail() {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir);
        db.createTable(counters());
        db.insertValues("ctr", 0L, 7L);
        db.close();
        db.close();
        Map<String, Runnable> ops = new java.util.LinkedHashMap<>();
        ops.put("insert", () -> db.insert("ctr", Map.of("id", 1L, "n", 1L)));
        ops.put("insertValues", () -> db.insertValues("ctr", 1L, 1L));
        ops.put("get", () -> db.get("ctr", 0));
        ops.put("lookup", () -> db.lookup("ctr", "id", 0L));
        ops.put("range", () -> db.range("ctr", "id", null, true, null, true, null, r -> true));
        ops.put("scan", () -> db.scan("ctr", null));
        ops.put("count", () -> db.count("ctr", null));
        ops.put("update", () -> db.update("ctr", null, r -> Map.of("n", 1L)));
        ops.put("updateBy", () -> db.updateBy("ctr", "id", 0L, Map.of("n", 1L)));
        ops.put("delete", () -> db.delete("ctr", null));
        ops.put("deleteBy", () -> db.deleteBy("ctr", "id", 0L));
        ops.put("createTable", () -> db.createTable(new TableSchema("x",
                List.of(ColumnDef.required("a", ColumnType.INT)))));
        ops.put("dropTable", () -> db.dropTable("ctr"));
        ops.put("addColumn", () -> db.addColumn("ctr", ColumnDef.optional("z", ColumnType.STR)));
        ops.put("createIndex", () -> db.createIndex("ctr", "n", false));
        ops.put("table", () -> db.table("ctr"));
        ops.put("tables", db::tables);
        ops.put("begin", db::begin);
        ops.put("checkpoint", db::checkpoint);
        for (Map.Entry<String, Runnable> op : ops.entrySet()) {
            PowDbException e = assertThrows(PowDbException.class, op.getValue()::run,
                    op.getKey() + " after close");
            assertEquals(ErrorCode.ILLEGAL_STATE, e.code(), op.getKey() + " after close: " + e.getMessage());
        }
        try (Database again = Database.open(dir)) {
            assertEquals(1, again.count("ctr", null));
            assertEquals(7L, again.getBy("ctr", "id", 0L).orElseThrow().get("n"));
        }
    }

    /**
     * Closing while other threads are writing, reading and checkpointing: each of them ends with ILLEGAL_STATE (not
     * another error), close succeeds, and after reopening every acknowledged insert is there.
     */
    @Test
    void closeWhileThreadsAreBusy() throws Exception {
        Path dir = tmp.resolve("db");
        DatabaseOptions opts = DatabaseOptions.defaults().withSyncMode(SyncMode.FULL).withBufferPoolPages(64)
                .withCheckpointWalBytes(128 * 1024);
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Database db = Database.open(dir, opts);
        db.createTable(items());
        ConcurrentLinkedQueue<String> endings = new ConcurrentLinkedQueue<>();
        AtomicInteger progress = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < 6; t++) {
                int me = t;
                workers.add(pool.submit(() -> {
                    Random rnd = new Random(me);
                    try {
                        for (long i = 0; ; i++) {
                            switch (me) {
                                case 0, 1, 2 -> {
                                    long id = me * 1_000_000L + i;
                                    db.insertValues("items", id, (long) me, "x".repeat(rnd.nextInt(300)));
                                    acked.add(id);
                                }
                                case 3 -> db.count("items", null);
                                case 4 -> db.lookup("items", "owner", (long) rnd.nextInt(3));
                                default -> db.checkpoint();
                            }
                            progress.incrementAndGet();
                        }
                    } catch (PowDbException e) {
                        endings.add(me + ":" + e.code() + (e.code() == ErrorCode.ILLEGAL_STATE ? ""
                                : " " + e.getMessage()));
                    } catch (RuntimeException e) {
                        endings.add(me + ":" + e);
                    }
                    return null;
                }));
            }
            while ((progress.get() < 600 || acked.size() < 150) && !workers.stream().allMatch(Future::isDone)) {
                Thread.onSpinWait();
            }
            db.close();
            for (Future<?> w : workers) {
                get(w);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> wrong = endings.stream().filter(e -> !e.endsWith(":ILLEGAL_STATE")).sorted().toList();
        assertEquals(List.of(), wrong, "threads must end with ILLEGAL_STATE once the database is closed");
        assertEquals(6, endings.size());
        try (Database again = Database.open(dir, opts)) {
            Set<Long> ids = new HashSet<>();
            again.scan("items", null).forEach(r -> ids.add((Long) r.get("id")));
            Set<Long> lost = new TreeSet<>(acked);
            lost.removeAll(ids);
            assertEquals(Set.of(), lost, "acknowledged inserts lost by close");
        }
        VerifyReport rep = Database.verify(dir);
        assertTrue(rep.ok(), rep.toString());
    }

    /**
     * Closing the database on a thread whose transaction is still open: the transaction must not survive as if
     * committed. Afterwards its use fails with ILLEGAL_STATE, and after reopening its changes are gone.
     */
    @Test
    void closeWithOpenTransactionOnSameThreadDoesNotCommitIt() {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir);
        db.createTable(counters());
        db.insertValues("ctr", 0L, 7L);
        Transaction tx = db.begin();
        tx.insertValues("ctr", 1L, 1L);
        tx.updateBy("ctr", "id", 0L, Map.of("n", 8L));
        tx.createTable(new TableSchema("uncommitted", List.of(ColumnDef.required("a", ColumnType.INT))));
        try {
            db.close();
        } catch (PowDbException e) {
            // Refusing to close while a transaction is open is acceptable too: then roll it back and close.
            assertEquals(ErrorCode.ILLEGAL_STATE, e.code(), e.getMessage());
            tx.rollback();
            db.close();
        }
        if (!tx.isFinished()) {
            PowDbException e = assertThrows(PowDbException.class, tx::commit);
            assertEquals(ErrorCode.ILLEGAL_STATE, e.code(), "commit after close: " + e.getMessage());
        }
        try (Database again = Database.open(dir)) {
            assertEquals(List.of("ctr"), again.tables().stream().map(TableSchema::name).toList());
            assertEquals(1, again.count("ctr", null), "uncommitted insert survived close");
            assertEquals(7L, again.getBy("ctr", "id", 0L).orElseThrow().get("n"), "uncommitted update survived");
        }
        VerifyReport rep = Database.verify(dir);
        assertTrue(rep.ok(), rep.toString());
    }

    // ---- (e) checkpoints beside writers -----------------------------------------------------------------------

    /**
     * Four writers insert, update and delete (disjoint keys, an exact model of what each acknowledged) while
     * another thread checkpoints in a loop; small WAL segments and a small buffer pool make segment deletion and
     * page eviction happen during the run. The process is then "killed" (nothing flushed), reopened and compared
     * with the model; a second round ends with a clean close.
     */
    @Test
    void checkpointsConcurrentWithWritersLoseNothing() throws Exception {
        Path dir = tmp.resolve("db");
        DatabaseOptions opts = DatabaseOptions.defaults().withSyncMode(SyncMode.FULL).withBufferPoolPages(64)
                .withWalSegmentBytes(64 * 1024).withCheckpointWalBytes(256 * 1024);
        Map<Long, String> model = new ConcurrentHashMap<>();
        try (Database db = Database.open(dir, opts)) {
            db.createTable(items());
        }
        for (int round = 0; round < 2; round++) {
            Database db = Database.open(dir, opts);
            try {
                assertEquals(model, contents(db), "round " + round + ": state at open");
                int checkpoints = writeWithCheckpoints(db, model, round);
                assertTrue(checkpoints > 1, "checkpoints ran concurrently: " + checkpoints);
                assertEquals(model, contents(db), "round " + round + ": state before closing");
            } finally {
                if (round == 0) {
                    db.engine().abandonForTesting();
                } else {
                    db.close();
                }
            }
            try (Database again = Database.open(dir, opts)) {
                assertEquals(model, contents(again), "round " + round + ": state after reopening");
                for (long id : model.keySet()) {
                    assertEquals(1, again.lookup("items", "id", id).size(), "index entry of " + id);
                }
            }
        }
        VerifyReport rep = Database.verify(dir);
        assertTrue(rep.ok(), rep.toString());
    }

    private static int writeWithCheckpoints(Database db, Map<Long, String> model, int round) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger checkpoints = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<?> checkpointer = pool.submit(() -> {
                start.await();
                while (!done.get()) {
                    db.checkpoint();
                    checkpoints.incrementAndGet();
                }
                return null;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int me = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    Random rnd = new Random(round * 100 + me);
                    long base = (round * 10L + me) * 1_000_000L;
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < 300; i++) {
                        int pick = rnd.nextInt(10);
                        if (pick < 6 || mine.isEmpty()) {
                            long id = base + i;
                            String v = "v" + i + "-" + "x".repeat(rnd.nextInt(200));
                            db.insertValues("items", id, (long) me, v);
                            model.put(id, v);
                            mine.add(id);
                        } else if (pick < 9) {
                            long id = mine.get(rnd.nextInt(mine.size()));
                            String v = "u" + i + "-" + "y".repeat(rnd.nextInt(400));
                            assertEquals(1, db.updateBy("items", "id", id, Map.of("pad", v)));
                            model.put(id, v);
                        } else {
                            long id = mine.remove(rnd.nextInt(mine.size()));
                            assertEquals(1, db.deleteBy("items", "id", id));
                            model.remove(id);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            try {
                for (Future<?> w : writers) {
                    get(w);
                }
            } finally {
                done.set(true);
            }
            get(checkpointer);
        } finally {
            pool.shutdownNow();
        }
        return checkpoints.get();
    }

    private static Map<Long, String> contents(Database db) {
        Map<Long, String> out = new HashMap<>();
        for (Row r : db.scan("items", null)) {
            assertEquals(null, out.put((Long) r.get("id"), (String) r.get("pad")), "duplicate id " + r);
        }
        return out;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static <T> T get(Future<T> f) throws Exception {
        try {
            return f.get(JOIN_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail("a worker did not finish within " + JOIN_SECONDS + " s (deadlock?)");
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private static void runAll(List<Callable<Void>> work, CountDownLatch start) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(work.size());
        try {
            List<Future<Void>> fs = new ArrayList<>();
            for (Callable<Void> w : work) {
                fs.add(pool.submit(w));
            }
            start.countDown();
            for (Future<Void> f : fs) {
                get(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
