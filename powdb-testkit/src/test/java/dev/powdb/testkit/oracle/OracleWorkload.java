package dev.powdb.testkit.oracle;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.TableOperations;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import dev.powdb.testkit.CrashMode;
import dev.powdb.testkit.FaultyFs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

import static dev.powdb.testkit.oracle.OracleTable.TABLE;

/**
 * One seeded run of random operations against a database on a {@link FaultyFs} and an {@link OracleTable}: row
 * statements (some of which must fail and change nothing), reads through every access path, transactions that
 * commit or roll back, checkpoints, clean reopens and simulated power losses. In {@link SyncMode#FULL} every
 * acknowledged commit must survive a crash and nothing uncommitted may; a commit cut off by a power loss may land
 * or not, but only whole. Statement behaviour lives in {@link OracleStatements}.
 */
public final class OracleWorkload {
    /** Engine settings a seed runs with. */
    public enum Config {
        /** Default options (no automatic checkpoint reached, large pool, one WAL segment). */
        DEFAULTS,
        /** 64-page pool, 64 KiB WAL segments, a background checkpoint every 256 KiB of WAL. */
        SMALL_ALL,
        /** 64-page pool only: evictions write pages between checkpoints. */
        SMALL_POOL,
        /** 64 KiB WAL segments and background checkpoints, default pool. */
        SMALL_WAL;

        DatabaseOptions options(FaultyFs fs) {
            DatabaseOptions o = DatabaseOptions.defaults().withFs(fs).withSyncMode(SyncMode.FULL);
            if (this == SMALL_ALL || this == SMALL_POOL) {
                o = o.withBufferPoolPages(64);
            }
            if (this == SMALL_ALL || this == SMALL_WAL) {
                o = o.withWalSegmentBytes(64 * 1024).withCheckpointWalBytes(256 * 1024);
            }
            return o;
        }
    }

    /** {@code -Dpowdb.paranoid=true}: check every access path after every step (slow; for narrowing a failure). */
    private static final boolean PARANOID = Boolean.getBoolean("powdb.paranoid");

    /** {@code -Dpowdb.trace=true}: print every operation (and with paranoid checks, the row ids after it). */
    private static final boolean TRACE = Boolean.getBoolean("powdb.trace");

    final long seed;
    final int steps;
    final Config config;
    final Random rnd;
    final RowValues values;
    final FaultyFs fs;
    final Path dir = Path.of("/powdb/oracle");
    final DatabaseOptions options;
    final OracleStatements statements;

    Database db;
    Transaction tx;
    private int txLeft;
    /** State as of the last acknowledged commit. */
    OracleTable committed = new OracleTable();
    /** What the running transaction sees: {@link #committed} itself when none is open. */
    OracleTable working = committed;
    long nextId = 1;
    final List<Long> freedIds = new ArrayList<>();

    private int step;
    private String op = "open";
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final Map<String, Integer> counts = new TreeMap<>();

    public OracleWorkload(long seed, int steps) {
        this.seed = seed;
        this.steps = steps;
        this.config = Config.values()[(int) Math.floorMod(seed, (long) Config.values().length)];
        this.rnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
        this.values = new RowValues(rnd, 0.06, 0.004);
        this.fs = new FaultyFs(seed);
        this.options = config.options(fs);
        this.statements = new OracleStatements(this);
    }

    /**
     * Runs every step and returns a summary of what ran.
     *
     * @throws AssertionError naming the seed, the step and the operation when the database and the oracle disagree
     *                        or an operation misbehaves
     */
    public String run() {
        try {
            fs.createDirectoriesDurably(dir);
            db = Database.open(dir, options);
            db.createTable(OracleTable.SCHEMA);
            for (step = 1; step <= steps; step++) {
                oneStep();
                checkAfterStep();
            }
            step = steps + 1;
            endTransaction(true);
            closeAndVerify();
            return summary();
        } catch (Throwable t) {
            throw new AssertionError(context() + "\n  cause: " + t, t);
        } finally {
            if (db != null) {
                abandonQuietly(db);
            }
        }
    }

    private void checkAfterStep() {
        if (PARANOID) {
            check(OracleCheck.deepDiff(ops(), working));
            if (TRACE) {
                List<String> rows = new ArrayList<>();
                ops().scan(TABLE, null, r -> rows.add(Long.toHexString(r.rowId()) + ":" + r.get("id")));
                System.out.println("    rows " + rows);
            }
        } else if (step % 20 == 0) {
            note("periodic scan check");
            check(OracleCheck.scanDiff(ops(), working));
        }
    }

    /** Debugging aid: runs steps 1 to {@code last} and leaves the database (and any transaction) open. */
    void runUpTo(int last) throws IOException {
        fs.createDirectoriesDurably(dir);
        db = Database.open(dir, options);
        db.createTable(OracleTable.SCHEMA);
        for (step = 1; step <= last; step++) {
            oneStep();
        }
    }

    private void oneStep() throws IOException {
        int r = rnd.nextInt(100);
        if (r < 60) {
            statements.random(r);
        } else if (r < 72) {
            statements.randomRead(r - 60);
        } else if (r < 80) {
            if (tx == null) {
                beginTransaction();
            } else {
                endTransaction(rnd.nextInt(3) > 0);
            }
        } else if (r < 83) {
            note("checkpoint" + (tx != null ? " (transaction open)" : ""));
            db.checkpoint();
        } else if (r < 86) {
            reopen();
        } else if (r < 91) {
            crash();
        } else if (r < 94) {
            powerCut();
        } else {
            note("deep check");
            check(OracleCheck.deepDiff(ops(), working));
        }
    }

    // ---- state shared with the statements ---------------------------------------------------------------------

    /** Where statements go: the open transaction, else the database (autocommit). */
    TableOperations ops() {
        return tx != null ? tx : db;
    }

    /** Records the operation about to run (for failure messages). */
    void note(String description) {
        op = description;
        if (TRACE) {
            System.out.println(step + ": " + description);
        }
        recent.addLast(step + ": " + description);
        if (recent.size() > 8) {
            recent.removeFirst();
        }
        String kind = description.split("[ (:]", 2)[0];
        counts.merge(kind, 1, Integer::sum);
    }

    /** Fails with {@code problem} unless it is null. */
    void check(String problem) {
        if (problem != null) {
            throw new AssertionError(problem);
        }
    }

    /** A statement changed something: counts against the open transaction's length. */
    void wrote() throws IOException {
        if (tx != null && --txLeft <= 0) {
            endTransaction(rnd.nextInt(10) < 7);
        }
    }

    /** An id not in use: mostly the next new one, sometimes one that was deleted earlier. */
    long freshId() {
        if (!freedIds.isEmpty() && rnd.nextInt(4) == 0) {
            long id = freedIds.remove(rnd.nextInt(freedIds.size()));
            if (!working.contains(id) && !committed.contains(id)) {
                return id;
            }
        }
        return nextId++;
    }

    /** A random id present in the working state (the caller makes sure it is not empty). */
    long existingId() {
        List<Long> ids = new ArrayList<>(working.rows().keySet());
        return ids.get(rnd.nextInt(ids.size()));
    }

    /** Runs {@code body}, which must fail with {@code code}. */
    static void expectFailure(ErrorCode code, Runnable body) {
        try {
            body.run();
        } catch (PowDbException e) {
            if (e.code() != code) {
                throw new AssertionError("expected " + code + " but got " + e.code() + ": " + e.getMessage(), e);
            }
            return;
        }
        throw new AssertionError("expected the statement to fail with " + code + " but it succeeded");
    }

    // ---- transactions, reopen, crashes ------------------------------------------------------------------------

    private void beginTransaction() {
        txLeft = 1 + rnd.nextInt(8);
        note("begin transaction (" + txLeft + " statements)");
        tx = db.begin();
        working = committed.copy();
    }

    /** Commits (or rolls back) the open transaction, if any, and checks the result through every access path. */
    void endTransaction(boolean commit) throws IOException {
        if (tx == null) {
            return;
        }
        boolean viaClose = !commit && rnd.nextInt(4) == 0;
        note((commit ? "commit" : viaClose ? "close (rollback)" : "rollback") + " transaction");
        if (commit) {
            tx.commit();
            committed = working;
        } else if (viaClose) {
            tx.close();
        } else {
            tx.rollback();
        }
        tx = null;
        working = committed;
        check(OracleCheck.deepDiff(db, committed));
    }

    private void reopen() throws IOException {
        endTransaction(rnd.nextBoolean());
        note("close and reopen");
        db.close();
        db = null;
        if (rnd.nextInt(4) == 0) {
            verify();
        }
        db = Database.open(dir, options);
        check(OracleCheck.deepDiff(db, committed));
    }

    private void crash() throws IOException {
        CrashMode mode = CrashMode.values()[rnd.nextInt(CrashMode.values().length)];
        boolean push = tx != null && rnd.nextBoolean();
        note("crash " + mode + (tx != null ? " with a transaction open" : "") + (push ? ", its pages flushed" : ""));
        if (push) {
            db.engine().pool().flushAll();
        }
        abandonQuietly(db);
        db = null;
        tx = null;
        working = committed;
        fs.crash(mode);
        reopenAfterCrash(committed, null);
    }

    /**
     * Cuts the power after a random number of writes while autocommit statements run: every statement that
     * returned is acknowledged and must survive; the one cut off may land or not, but whole.
     */
    private void powerCut() throws IOException {
        endTransaction(true);
        CrashMode mode = CrashMode.values()[rnd.nextInt(CrashMode.values().length)];
        int writes = 1 + rnd.nextInt(40);
        note("power cut after " + writes + " writes, then crash " + mode);
        fs.powerOffAfterWrites(writes);
        OracleTable inFlight = null;
        for (int i = 0; i < 25 && inFlight == null; i++) {
            OracleTable after = committed.copy();
            Runnable statement = statements.planAutocommitWrite(after);
            try {
                statement.run();
                committed = after;
                working = committed;
            } catch (RuntimeException e) {
                // Not acknowledged: after the crash it may have landed or not.
                note("cut off: " + e);
                inFlight = after;
            }
        }
        fs.clearFaults();
        abandonQuietly(db);
        db = null;
        fs.crash(mode);
        reopenAfterCrash(committed, inFlight);
    }

    /** Reopens after a crash; the database must equal {@code acked}, or {@code inFlight} when that is not null. */
    private void reopenAfterCrash(OracleTable acked, OracleTable inFlight) throws IOException {
        db = Database.open(dir, options);
        String d = OracleCheck.deepDiff(db, acked);
        if (d != null && inFlight != null) {
            String d2 = OracleCheck.deepDiff(db, inFlight);
            if (d2 == null) {
                committed = inFlight;
                working = committed;
                d = null;
            } else {
                d = "neither the acknowledged state (" + d + ") nor the one with the cut-off commit (" + d2
                        + ") after recovery";
            }
        }
        check(d);
        if (rnd.nextInt(4) == 0) {
            db.close();
            db = null;
            verify();
            db = Database.open(dir, options);
        }
    }

    private void closeAndVerify() {
        note("final close and verify");
        db.close();
        db = null;
        verify();
        try (Database again = Database.open(dir, options)) {
            check(OracleCheck.deepDiff(again, committed));
        }
    }

    private void verify() {
        VerifyReport report = Database.verify(dir, options);
        if (!report.ok()) {
            throw new AssertionError("verify found problems:\n" + report);
        }
    }

    static void abandonQuietly(Database d) {
        Crashes.abandon(d);
    }

    // ---- messages ---------------------------------------------------------------------------------------------

    int step() {
        return step;
    }

    private String context() {
        return "seed " + seed + " (config " + config + ") failed at step " + step + " of " + steps + ": " + op
                + "\n  rerun with -Dpowdb.seed=" + seed + "\n  recent operations: " + String.join(" | ", recent)
                + "\n  oracle: " + committed + (tx != null ? ", transaction open: " + working : "");
    }

    private String summary() {
        return "seed " + seed + " (" + config + "): " + steps + " steps, final " + committed + ", crashes "
                + fs.crashCount() + ", " + values.sizeSummary() + ", operations " + counts;
    }

    /** Rows equal as the engine returns them (values in column order). */
    static boolean sameRow(Row r, Object[] want) {
        return r != null && Arrays.deepEquals(r.values(), want);
    }

    static boolean sameGroup(Object[] v, long g) {
        return Objects.equals(v[OracleTable.GRP], g);
    }
}
