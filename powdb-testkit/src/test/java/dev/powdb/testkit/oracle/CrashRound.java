package dev.powdb.testkit.oracle;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import dev.powdb.testkit.CrashMode;
import dev.powdb.testkit.FaultyFs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.powdb.testkit.oracle.OracleTable.TABLE;

/**
 * One seeded crash round: commit transactions in {@link SyncMode#FULL}, then do more work that a crash may lose
 * (an uncommitted transaction, commits cut off by a power loss, commits in {@code normal} or {@code off} mode, a
 * checkpoint cut off), crash with a given {@link CrashMode} and reopen. The database must then equal the state after
 * some commit: never an earlier one than the last that was guaranteed durable, never a state that no sequence of
 * whole commits produces (so no torn transaction, no uncommitted data, no damaged row). It must also pass
 * verification after a clean close.
 */
public final class CrashRound {
    /** What happens between the durable commits and the crash. */
    public enum Variant {
        /** An uncommitted FULL transaction, its pages possibly flushed and checkpointed. */
        OPEN_TRANSACTION,
        /** FULL commits until a power-off countdown stops the machine mid-way. */
        POWER_CUT,
        /** Commits in {@code normal} or {@code off} mode, possibly a checkpoint, possibly an open transaction. */
        RELAXED_COMMITS,
        /** A checkpoint stopped by a power-off countdown. */
        CHECKPOINT_CUT
    }

    private final long seed;
    private final CrashMode mode;
    private final Random rnd;
    private final FaultyFs fs;
    private final Path dir = Path.of("/powdb/crash");
    private final RowValues values;
    private final DatabaseOptions full;
    private final List<OracleTable> states = new ArrayList<>();
    private final StringBuilder log = new StringBuilder();
    private Variant variant;
    /** Index in {@link #states} of the oldest state the database may come back in. */
    private int mustHave;
    private long nextId = 1;

    public CrashRound(long seed, CrashMode mode) {
        this.seed = seed;
        this.mode = mode;
        this.rnd = new Random(seed * 31 + mode.ordinal());
        this.fs = new FaultyFs(seed);
        this.values = new RowValues(rnd, 0.1, 0);
        DatabaseOptions o = DatabaseOptions.defaults().withFs(fs);
        if (rnd.nextBoolean()) {
            o = o.withBufferPoolPages(64);
        }
        if (rnd.nextBoolean()) {
            o = o.withWalSegmentBytes(64 * 1024).withCheckpointWalBytes(rnd.nextBoolean() ? 128 * 1024 : 0);
        } else {
            o = o.withCheckpointWalBytes(0);
        }
        this.full = o;
    }

    /**
     * Runs the round.
     *
     * @return the variant and which state came back, e.g. {@code "POWER_CUT #3 of 4 (oldest allowed #2)"}
     * @throws AssertionError naming the seed, the crash mode, the variant and what the round did
     */
    public String run() {
        Database db = null;
        try {
            fs.createDirectoriesDurably(dir);
            db = Database.open(dir, full);
            db.createTable(OracleTable.SCHEMA);
            OracleTable model = new OracleTable();
            int durable = 2 + rnd.nextInt(8);
            for (int i = 0; i < durable; i++) {
                model = commitTransaction(db, model);
                if (rnd.nextInt(4) == 0) {
                    db.checkpoint();
                    log.append("checkpoint; ");
                }
            }
            states.add(model);
            variant = Variant.values()[rnd.nextInt(Variant.values().length)];
            log.append(durable).append(" FULL commits, then ").append(variant).append(": ");
            db = afterDurableCommits(db, model);
            OracleWorkload.abandonQuietly(db);
            db = null;
            fs.clearFaults();
            fs.crash(mode);
            log.append("crash ").append(mode).append("; ");
            return variant + " " + checkRecovered();
        } catch (Throwable t) {
            throw new AssertionError("crash round seed " + seed + " (" + mode + ", " + variant + ") failed: " + t
                    + "\n  round: " + log + "\n  states after each commit: " + states.size() + ", oldest allowed #"
                    + mustHave, t);
        } finally {
            if (db != null) {
                OracleWorkload.abandonQuietly(db);
            }
        }
    }

    private Database afterDurableCommits(Database db, OracleTable model) throws IOException {
        switch (variant) {
            case OPEN_TRANSACTION -> {
                Transaction tx = db.begin();
                runStatements(tx, model.copy(), 1 + rnd.nextInt(8));
                if (rnd.nextBoolean()) {
                    db.engine().pool().flushAll();
                    log.append("pages flushed; ");
                }
                if (rnd.nextInt(3) == 0) {
                    db.checkpoint();
                    log.append("checkpoint with the transaction open; ");
                }
                return db;
            }
            case POWER_CUT -> {
                int writes = 1 + rnd.nextInt(60);
                fs.powerOffAfterWrites(writes);
                log.append("power off after ").append(writes).append(" writes; ");
                powerCutCommits(db, model);
                return db;
            }
            case RELAXED_COMMITS -> {
                return relaxedCommits(db, model);
            }
            default -> {
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    model = commitTransaction(db, model);
                    states.add(model);
                    mustHave = states.size() - 1;
                }
                int writes = 1 + rnd.nextInt(40);
                fs.powerOffAfterWrites(writes);
                log.append("checkpoint with power off after ").append(writes).append(" writes; ");
                try {
                    db.checkpoint();
                    log.append("it finished; ");
                } catch (RuntimeException e) {
                    log.append("it failed: ").append(e.getMessage()).append("; ");
                }
                return db;
            }
        }
    }

    /** FULL commits until one fails: the failed one may or may not have landed. */
    private void powerCutCommits(Database db, OracleTable model) {
        for (int i = 0; i < 30; i++) {
            OracleTable after;
            Transaction tx;
            try {
                tx = db.begin();
                after = runStatements(tx, model.copy(), 1 + rnd.nextInt(5));
            } catch (RuntimeException e) {
                log.append("statement failed: ").append(e.getMessage()).append("; ");
                return;
            }
            try {
                tx.commit();
            } catch (RuntimeException e) {
                states.add(after);
                log.append("commit cut off: ").append(e.getMessage()).append("; ");
                return;
            }
            model = after;
            states.add(model);
            mustHave = states.size() - 1;
        }
        log.append("no failure; ");
    }

    /** Reopens in normal or off mode (a process restart, nothing lost) and commits without waiting for fsync. */
    private Database relaxedCommits(Database db, OracleTable model) {
        OracleWorkload.abandonQuietly(db);
        SyncMode sync = rnd.nextBoolean() ? SyncMode.NORMAL : SyncMode.OFF;
        Database relaxed = Database.open(dir, full.withSyncMode(sync).withNormalSyncIntervalMillis(1 + rnd.nextInt(
                20)));
        log.append("reopened in ").append(sync).append("; ");
        int n = 1 + rnd.nextInt(10);
        for (int i = 0; i < n; i++) {
            model = commitTransaction(relaxed, model);
            states.add(model);
            if (rnd.nextInt(6) == 0) {
                relaxed.checkpoint();
                mustHave = states.size() - 1;
                log.append("checkpoint; ");
            }
        }
        log.append(n).append(" commits; ");
        if (rnd.nextInt(3) == 0) {
            Transaction tx = relaxed.begin();
            runStatements(tx, model.copy(), 1 + rnd.nextInt(5));
            relaxed.engine().pool().flushAll();
            log.append("open transaction flushed; ");
        }
        if (mode == CrashMode.KEEP_ALL) {
            mustHave = states.size() - 1; // everything was handed to the operating system, which survives
        }
        return relaxed;
    }

    private OracleTable commitTransaction(Database db, OracleTable before) {
        try (Transaction tx = db.begin()) {
            OracleTable after = runStatements(tx, before.copy(), 1 + rnd.nextInt(5));
            tx.commit();
            return after;
        }
    }

    /** Runs {@code n} random inserts, updates and deletes in {@code tx}, applying them to {@code model}. */
    private OracleTable runStatements(Transaction tx, OracleTable model, int n) {
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(10);
            if (model.isEmpty() || r < 5) {
                Object[] row = values.newRow(nextId++);
                tx.insertValues(TABLE, row.clone());
                model.put(row);
                continue;
            }
            List<Long> ids = new ArrayList<>(model.rows().keySet());
            long id = ids.get(rnd.nextInt(ids.size()));
            if (r < 8) {
                Map<String, Object> changes = values.changes();
                tx.updateBy(TABLE, "id", id, changes);
                model.put(OracleTable.apply(model.get(id), changes));
            } else {
                tx.deleteBy(TABLE, "id", id);
                model.remove(id);
            }
        }
        return model;
    }

    /** Reopens and checks the state, then that the database takes a write and verifies after a clean close. */
    private String checkRecovered() {
        OracleTable found;
        String outcome;
        try (Database db = Database.open(dir, full)) {
            int match = -1;
            for (int i = states.size() - 1; i >= 0 && match < 0; i--) {
                if (OracleCheck.deepDiff(db, states.get(i)) == null) {
                    match = i;
                }
            }
            if (match < mustHave) {
                String vsOldest = OracleCheck.deepDiff(db, states.get(mustHave));
                String vsNewest = OracleCheck.deepDiff(db, states.get(states.size() - 1));
                throw new AssertionError((match < 0 ? "the database matches no committed state"
                        : "the database is back at state #" + match + ", older than the durable #" + mustHave)
                        + "; against the oldest allowed: " + vsOldest + "; against the newest: " + vsNewest);
            }
            log.append("recovered state #").append(match).append(" of ").append(states.size()).append("; ");
            outcome = "#" + match + " of " + states.size() + " (oldest allowed #" + mustHave + ")";
            found = states.get(match).copy();
            Object[] row = values.newRow(nextId++);
            db.insertValues(TABLE, row.clone());
            found.put(row);
        }
        VerifyReport report = Database.verify(dir, full);
        if (!report.ok()) {
            throw new AssertionError("verify after recovery and a clean close:\n" + report);
        }
        try (Database db = Database.open(dir, full)) {
            String d = OracleCheck.deepDiff(db, found);
            if (d != null) {
                throw new AssertionError("after a write and a clean reopen: " + d);
            }
        }
        return outcome;
    }
}
