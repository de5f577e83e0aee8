package dev.powdb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import dev.powdb.storage.spi.BackupSummary;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A live database goes through seeded rounds of inserts, updates, deletes, large values, table and index changes,
 * column changes, checkpoints, rolled-back transactions and crashes; after each round an incremental backup (and, at
 * the same LSN, a full one) is taken. Every prefix of the chain must restore to exactly the snapshot taken right
 * after its last backup, at the same LSN, byte-identical to the full backup, pass verify, accept writes and survive
 * its own crash.
 *
 * <p>Seeds: {@code -Dpowdb.backup.seed=N} runs one seed, {@code -Dpowdb.backup.seed=N-M} a range; failures name
 * the seed and the last operations.
 */
class RandomizedChainTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    static Stream<Long> seeds() {
        String chosen = System.getProperty("powdb.backup.seed");
        if (chosen == null) {
            return LongStream.of(11, 29, 1234).boxed();
        }
        int dash = chosen.indexOf('-', 1);
        return dash < 0 ? Stream.of(Long.parseLong(chosen))
                : LongStream.rangeClosed(Long.parseLong(chosen.substring(0, dash)),
                Long.parseLong(chosen.substring(dash + 1))).boxed();
    }

    private final List<String> trace = new ArrayList<>();
    private Random rnd;
    private final Map<String, Long> nextId = new HashMap<>();
    private int tableCounter;
    private int columnCounter;
    private static final DatabaseOptions LIVE = DatabaseOptions.defaults().withWalSegmentBytes(64 * 1024)
            .withCheckpointWalBytes(256 * 1024).withBufferPoolPages(256);

    /** Each seed with increments started as by default, always at the last checkpoint, always at a new one. */
    static Stream<Arguments> runs() {
        return seeds().flatMap(seed -> Stream.of("auto", "last-checkpoint", "new-checkpoint")
                .map(start -> Arguments.of(seed, start)));
    }

    private String incrementStart;

    @ParameterizedTest(name = "seed {0}, increments start: {1}")
    @MethodSource("runs")
    void everyPrefixOfTheChainRestoresToItsSnapshot(long seed, String start) throws Exception {
        rnd = new Random(seed);
        incrementStart = start;
        try {
            run();
        } catch (Throwable t) {
            List<String> last = trace.subList(Math.max(0, trace.size() - 25), trace.size());
            throw new AssertionError("randomized chain failed with seed " + seed + ", increments starting: " + start
                    + " (rerun with -Dpowdb.backup.seed=" + seed + "); last operations:\n  "
                    + String.join("\n  ", last), t);
        } finally {
            System.clearProperty(BackupWriter.START_PROPERTY);
        }
    }

    private void run() throws Exception {
        Path data = tmp.resolve("live");
        List<Path> chain = new ArrayList<>();
        List<Path> fulls = new ArrayList<>();
        List<String> snaps = new ArrayList<>();
        List<Long> lsns = new ArrayList<>();
        Database db = Database.open(data, LIVE);
        try {
            newTable(db);
            newTable(db);
            int rounds = 4 + rnd.nextInt(3);
            for (int round = 0; round <= rounds; round++) {
                if (round > 0) {
                    int ops = 5 + rnd.nextInt(20);
                    for (int i = 0; i < ops; i++) {
                        db = step(db, data);
                    }
                }
                Path b = tmp.resolve("b" + round);
                trace.add("backup " + b.getFileName());
                if (round == 0) {
                    Backups.full(db, b, BackupProgress.NONE);
                } else {
                    // Only increments: the full backups beside them must start at a new checkpoint to be
                    // byte-identical to a backup of the restored database.
                    System.setProperty(BackupWriter.START_PROPERTY, incrementStart);
                    BackupSummary s = Backups.incremental(db, b, chain.get(round - 1), BackupProgress.NONE);
                    System.clearProperty(BackupWriter.START_PROPERTY);
                    trace.add("  started at " + (s.startedAtLastCheckpoint() ? "the last" : "a new") + " checkpoint");
                }
                chain.add(b);
                snaps.add(Snapshots.of(db));
                lsns.add(db.maxLsn());
                Path f = tmp.resolve("f" + round);
                Backups.full(db, f, BackupProgress.NONE);
                fulls.add(f);
            }
        } finally {
            db.close();
        }
        for (int k = 0; k < chain.size(); k++) {
            checkPrefix(chain, k, snaps.get(k), lsns.get(k), fulls.get(k));
        }
        BackupVerifyReport v = Backups.verify(chain.get(0), chain.subList(1, chain.size()), VerifyLevel.DEEP,
                tmp.resolve("drill"), BackupProgress.NONE);
        assertTrue(v.intact(), v.problems().toString());
    }

    private void checkPrefix(List<Path> chain, int k, String snapshot, long lsn, Path fullBackup)
            throws Exception {
        BackupManifest fullAtSameLsn = Backups.manifest(fullBackup);
        trace.add("restore prefix " + k);
        Path dest = tmp.resolve("r" + k);
        RestoreSummary s = Backups.restore(chain.get(0), chain.subList(1, k + 1), dest, BackupProgress.NONE);
        assertEquals(lsn, s.sourceLsn(), "prefix " + k);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(snapshot, Snapshots.of(db), "restored prefix " + k + " differs from the live snapshot");
            assertEquals(lsn, db.maxLsn(), "prefix " + k);
        }
        VerifyReport report = Database.verify(dest);
        if (!report.ok()) {
            // Tell a bad chain from a live database that was already inconsistent: the full backup taken at the
            // same LSN holds the live state alone.
            Path fromFull = tmp.resolve("full-check" + k);
            Backups.restore(fullBackup, List.of(), fromFull, BackupProgress.NONE);
            VerifyReport live = Database.verify(fromFull);
            assertTrue(report.ok(), "prefix " + k + ": " + report + "\nthe full backup at the same LSN, restored, "
                    + (live.ok() ? "verifies" : "fails as well: " + live));
        }
        // Byte-identical to the full backup taken at the same LSN.
        Path again = tmp.resolve("again" + k);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            Backups.full(db, again, BackupProgress.NONE);
        }
        // Every data file is byte-identical; control.bin differs only in the database id, since a restored
        // database is a new database (see docs/backup.md).
        assertEquals(BackupFixtures.dataFiles(fullAtSameLsn), BackupFixtures.dataFiles(Backups.manifest(again)),
                "prefix " + k + ": a backup of the restored database differs from the full backup at the same LSN");
        BackupFixtures.assertNewDatabaseId(chain.get(0), again);
        // Keeps working and survives its own crash.
        Database db = Database.openExisting(dest, DatabaseOptions.defaults());
        String committed;
        try {
            db.createTable(new TableSchema("after_restore", List.of(ColumnDef.required("n", ColumnType.INT)),
                    List.of(new IndexDef("n", true))));
            for (long n = 0; n < 50; n++) {
                db.insertValues("after_restore", n);
            }
            for (TableSchema t : db.tables()) {
                if (!t.name().equals("after_restore") && t.columnIndex("id") >= 0) {
                    db.deleteBy(t.name(), "id", 0L);
                }
            }
            committed = Snapshots.of(db);
        } finally {
            db.engine().abandonForTesting();
        }
        try (Database reopened = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(committed, Snapshots.of(reopened), "prefix " + k + ": restored database lost writes in a "
                    + "crash");
            assertTrue(reopened.maxLsn() > lsn);
        }
        assertTrue(Database.verify(dest).ok(), "prefix " + k + " after crash");
    }

    // ---- the workload

    private Database step(Database db, Path data) throws Exception {
        List<TableSchema> tables = db.tables();
        TableSchema t = tables.get(rnd.nextInt(tables.size()));
        int op = rnd.nextInt(100);
        if (op < 30) {
            insert(db, t, 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 800 : 60));
        } else if (op < 45) {
            update(db, t);
        } else if (op < 55) {
            delete(db, t);
        } else if (op < 58) {
            trace.add("large value into " + t.name());
            insertLarge(db, t);
        } else if (op < 62 && tables.size() > 1) {
            trace.add("drop table " + t.name());
            db.dropTable(t.name());
            nextId.remove(t.name());
        } else if (op < 66 && tables.size() < 5) {
            newTable(db);
        } else if (op < 72) {
            changeIndex(db, t);
        } else if (op < 78) {
            changeColumn(db, t);
        } else if (op < 82) {
            trace.add("checkpoint");
            db.checkpoint();
        } else if (op < 86) {
            trace.add("rolled back insert into " + t.name());
            try (Transaction tx = db.begin()) {
                tx.insert(t.name(), row(t, 1_000_000_000L + rnd.nextInt(1000)));
                tx.rollback();
            }
        } else if (op < 89) {
            trace.add("crash and reopen live database");
            db.engine().abandonForTesting();
            return Database.open(data, LIVE);
        } else if (op < 91 && tables.size() > 1) {
            // Drop and recreate under the same name: a new file id behind the same file names.
            trace.add("recreate table " + t.name());
            db.dropTable(t.name());
            createTable(db, t.name());
            insert(db, db.table(t.name()), 1 + rnd.nextInt(40));
        } else {
            insert(db, t, 1 + rnd.nextInt(30));
        }
        return db;
    }

    private void newTable(Database db) {
        createTable(db, "t" + tableCounter++);
        insert(db, db.table("t" + (tableCounter - 1)), 50 + rnd.nextInt(400));
    }

    private void createTable(Database db, String name) {
        trace.add("create table " + name);
        List<IndexDef> indexes = new ArrayList<>();
        indexes.add(new IndexDef("id", true));
        if (rnd.nextBoolean()) {
            indexes.add(new IndexDef("grp", false));
        }
        db.createTable(new TableSchema(name, List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("grp", ColumnType.INT), ColumnDef.optional("s", ColumnType.STR),
                ColumnDef.optional("b", ColumnType.BYTES)), indexes));
        nextId.put(name, 0L);
    }

    private void insert(Database db, TableSchema t, int n) {
        trace.add("insert " + n + " into " + t.name());
        try (Transaction tx = db.begin()) {
            for (int i = 0; i < n; i++) {
                tx.insert(t.name(), row(t, nextId.merge(t.name(), 1L, Long::sum) - 1));
            }
            tx.commit();
        }
    }

    private void insertLarge(Database db, TableSchema t) {
        Map<String, Object> values = row(t, nextId.merge(t.name(), 1L, Long::sum) - 1);
        for (ColumnDef c : t.columns()) {
            if (c.type() == ColumnType.BYTES) {
                byte[] big = new byte[100_000 + rnd.nextInt(900_000)];
                rnd.nextBytes(big);
                values.put(c.name(), big);
            } else if (c.type() == ColumnType.STR) {
                values.put(c.name(), "L".repeat(1500 + rnd.nextInt(8000)));
            }
        }
        db.insert(t.name(), values);
    }

    private Map<String, Object> row(TableSchema t, long id) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ColumnDef c : t.columns()) {
            if (c.name().equals("id")) {
                values.put("id", id);
            } else if (c.required() || rnd.nextInt(8) != 0) {
                values.put(c.name(), value(c.type()));
            }
        }
        return values;
    }

    private Object value(ColumnType type) {
        switch (type) {
            case INT:
                return (long) rnd.nextInt(20) - 5;
            case FLOAT:
                return rnd.nextDouble() * 1000;
            case BOOL:
                return rnd.nextBoolean();
            case DATETIME:
                return Instant.ofEpochSecond(1_600_000_000L + rnd.nextInt(100_000_000));
            case BYTES: {
                byte[] b = new byte[rnd.nextInt(rnd.nextInt(20) == 0 ? 5000 : 60)];
                rnd.nextBytes(b);
                return b;
            }
            default:
                return "v" + Long.toString(rnd.nextLong(), 36).repeat(1 + rnd.nextInt(rnd.nextInt(15) == 0 ? 200 : 3));
        }
    }

    private void update(Database db, TableSchema t) {
        long max = nextId.getOrDefault(t.name(), 1L);
        List<ColumnDef> targets = t.columns().stream().filter(c -> !c.name().equals("id")).toList();
        if (targets.isEmpty() || max == 0) {
            return;
        }
        if (rnd.nextBoolean()) {
            long id = rnd.nextLong(max);
            ColumnDef c = targets.get(rnd.nextInt(targets.size()));
            trace.add("update " + t.name() + " id=" + id + " set " + c.name());
            Map<String, Object> change = new HashMap<>();
            change.put(c.name(), value(c.type()));
            db.updateBy(t.name(), "id", id, change);
        } else {
            long mod = 2 + rnd.nextInt(9);
            long rem = rnd.nextLong(mod);
            ColumnDef c = targets.get(rnd.nextInt(targets.size()));
            trace.add("update " + t.name() + " where id%" + mod + "==" + rem + " set " + c.name());
            db.update(t.name(), r -> ((Long) r.get("id")) % mod == rem, r -> {
                Map<String, Object> change = new HashMap<>();
                change.put(c.name(), value(c.type()));
                return change;
            });
        }
    }

    private void delete(Database db, TableSchema t) {
        long max = nextId.getOrDefault(t.name(), 1L);
        if (max == 0) {
            return;
        }
        if (rnd.nextBoolean()) {
            long id = rnd.nextLong(max);
            trace.add("delete " + t.name() + " id=" + id);
            db.deleteBy(t.name(), "id", id);
        } else {
            long mod = 3 + rnd.nextInt(20);
            long rem = rnd.nextLong(mod);
            trace.add("delete " + t.name() + " where id%" + mod + "==" + rem);
            db.delete(t.name(), r -> ((Long) r.get("id")) % mod == rem);
        }
    }

    private void changeIndex(Database db, TableSchema t) {
        List<ColumnDef> unindexed = new ArrayList<>();
        List<IndexDef> droppable = new ArrayList<>();
        for (ColumnDef c : t.columns()) {
            IndexDef idx = t.index(c.name());
            // Indexed values are limited to 1023 bytes: index only fixed-width columns, strings stay free to grow.
            if (idx == null && c.type() != ColumnType.BYTES && c.type() != ColumnType.STR) {
                unindexed.add(c);
            } else if (idx != null && !c.name().equals("id")) {
                droppable.add(idx);
            }
        }
        if (!droppable.isEmpty() && (unindexed.isEmpty() || rnd.nextBoolean())) {
            IndexDef idx = droppable.get(rnd.nextInt(droppable.size()));
            trace.add("drop index " + t.name() + "." + idx.column());
            db.dropIndex(t.name(), idx.column());
        } else if (!unindexed.isEmpty()) {
            ColumnDef c = unindexed.get(rnd.nextInt(unindexed.size()));
            trace.add("create index " + t.name() + "." + c.name());
            db.createIndex(t.name(), c.name(), false);
        }
    }

    private void changeColumn(Database db, TableSchema t) {
        List<ColumnDef> droppable = t.columns().stream().filter(c -> !c.name().equals("id")
                && t.index(c.name()) == null).toList();
        if (!droppable.isEmpty() && rnd.nextInt(3) == 0) {
            ColumnDef c = droppable.get(rnd.nextInt(droppable.size()));
            trace.add("drop column " + t.name() + "." + c.name());
            db.dropColumn(t.name(), c.name());
            return;
        }
        ColumnType[] types = ColumnType.values();
        ColumnType type = types[rnd.nextInt(types.length)];
        String name = "c" + columnCounter++;
        Object dflt = rnd.nextBoolean() ? value(type) : null;
        trace.add("add column " + t.name() + "." + name + " " + type + " default " + (dflt instanceof byte[]
                ? "bytes" : dflt));
        db.addColumn(t.name(), new ColumnDef(name, type, false, dflt));
    }
}
