package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.VerifyReport;
import dev.powdb.storage.spi.BackupSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips over the shapes that broke earlier backup systems: unique and non-unique indexes, values spilling into
 * overflow chains (~1 MB), DDL-only changes between backups, recreated tables, an empty database, and byte-identity
 * of a backup taken of a restored database.
 */
class BackupRoundTripMatrixTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    private static RestoreSummary restore(Path full, List<Path> incs, Path dest) {
        return Backups.restore(full, incs, dest, BackupProgress.NONE);
    }

    private static Database open(Path dir) {
        return Database.openExisting(dir, DatabaseOptions.defaults());
    }

    private static void assertVerifies(Path dir) {
        VerifyReport r = Database.verify(dir);
        assertTrue(r.ok(), dir + ": " + r);
    }

    /** What a file list says about each file, for byte-level comparison of two backups. */
    private static List<String> fileFacts(BackupManifest m) {
        List<String> out = new ArrayList<>();
        for (BackupManifest.FileEntry f : m.files()) {
            if (f.name().equals("control.bin")) {
                continue; // holds the database id, new for a restored database; compared separately
            }
            out.add(f.name() + " len=" + f.lengthBytes() + " id=" + f.fileId() + " b3=" + f.blake3Hex());
        }
        return out;
    }

    /** Names in a restored directory besides LOCK and wal. */
    private static Set<String> dataFiles(Path dir) throws Exception {
        Set<String> out = new TreeSet<>(BackupFixtures.list(dir));
        out.remove("LOCK");
        out.remove("wal");
        out.remove("track"); // the engine's change summaries, written when a restore replays WAL
        return out;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void indexesAndMegabyteValuesSurviveFullAndIncremental() throws Exception {
        Path data = tmp.resolve("data");
        String atFull;
        String atInc;
        try (Database db = Database.open(data)) {
            createT(db, "t");
            fill(db, "t", 0, 3000);
            db.insert("t", Map.of("id", 100_000L, "grp", 3L, "b", bytes(1 << 20, 1)));
            db.insert("t", Map.of("id", 100_001L, "grp", 3L, "b", bytes((1 << 20) + 4097, 2),
                    "s", "x".repeat(5000)));
            db.insert("t", Map.of("id", 100_002L, "s", "é€".repeat(3000))); // multi-byte, overflow, null grp
            Backups.full(db, tmp.resolve("f"), BackupProgress.NONE);
            atFull = Snapshots.of(db);
            // Replace one large value, delete another, grow the non-unique index.
            db.updateBy("t", "id", 100_000L, Map.of("b", bytes(1 << 20, 3)));
            db.deleteBy("t", "id", 100_001L);
            db.insert("t", Map.of("id", 100_003L, "grp", 3L, "b", bytes(900_000, 4)));
            db.updateBy("t", "id", 5L, Map.of("grp", 3L));
            // A checkpoint first, so the changed pages are in the files and the increment stores them as a delta (an
            // increment that starts at an older checkpoint may carry a change as WAL only).
            db.checkpoint();
            BackupSummary inc = Backups.incremental(db, tmp.resolve("i"), tmp.resolve("f"), BackupProgress.NONE);
            assertTrue(inc.incremental());
            atInc = Snapshots.of(db);
        }
        BackupManifest im = Backups.manifest(tmp.resolve("i"));
        assertFalse(im.deltas().isEmpty(), "the increment must store changed pages as deltas: " + im);
        restore(tmp.resolve("f"), List.of(), tmp.resolve("r0"));
        restore(tmp.resolve("f"), List.of(tmp.resolve("i")), tmp.resolve("r1"));
        try (Database db = open(tmp.resolve("r0"))) {
            assertEquals(atFull, Snapshots.of(db));
            assertArrayEquals(bytes((1 << 20) + 4097, 2), (byte[]) db.getBy("t", "id", 100_001L).orElseThrow()
                    .get("b"));
        }
        try (Database db = open(tmp.resolve("r1"))) {
            assertEquals(atInc, Snapshots.of(db));
            assertArrayEquals(bytes(1 << 20, 3), (byte[]) db.getBy("t", "id", 100_000L).orElseThrow().get("b"));
            assertTrue(db.lookup("t", "id", 100_001L).isEmpty());
            // Non-unique index: every row of group 3, through the index, equals a scan.
            Set<Long> viaIndex = new TreeSet<>();
            for (Row r : db.lookup("t", "grp", 3L)) {
                viaIndex.add((Long) r.get("id"));
            }
            Set<Long> viaScan = new TreeSet<>();
            db.scan("t", r -> Long.valueOf(3L).equals(r.get("grp")), r -> viaScan.add((Long) r.get("id")));
            assertEquals(viaScan, viaIndex);
            assertTrue(viaIndex.contains(5L) && viaIndex.contains(100_003L) && viaIndex.contains(100_000L));
            // The unique index still refuses duplicates after the restore.
            PowDbException dup = assertThrows(PowDbException.class, () -> db.insert("t", Map.of("id", 7L)));
            assertEquals(ErrorCode.UNIQUE_VIOLATION, dup.code());
        }
        assertVerifies(tmp.resolve("r1"));
    }

    @Test
    void ddlOnlyChangesBetweenIncrements() throws Exception {
        Path data = tmp.resolve("data");
        List<Path> chain = new ArrayList<>();
        List<String> snapshots = new ArrayList<>();
        List<Set<String>> fileSets = new ArrayList<>();
        try (Database db = Database.open(data)) {
            createT(db, "t");
            createT(db, "u");
            fill(db, "t", 0, 500);
            fill(db, "u", 0, 200);
            List<Runnable> steps = List.of(
                    () -> { },
                    () -> db.addColumn("t", new ColumnDef("extra", ColumnType.STR, false, "dflt")),
                    () -> db.dropColumn("t", "s"),
                    () -> db.createIndex("t", "extra", false),
                    () -> db.dropIndex("t", "grp"),
                    () -> db.createIndex("u", "s", true),
                    () -> db.dropTable("u"),
                    // Same name, new table: the old u.heap must not leak into it.
                    () -> db.createTable(new TableSchema("u", List.of(ColumnDef.required("k", ColumnType.STR)),
                            List.of(new IndexDef("k", true)))),
                    () -> db.insertValues("u", "only-row"),
                    () -> db.dropIndex("u", "k"),
                    () -> db.createIndex("u", "k", false));
            for (int i = 0; i < steps.size(); i++) {
                steps.get(i).run();
                Path b = tmp.resolve("b" + i);
                if (i == 0) {
                    Backups.full(db, b, BackupProgress.NONE);
                } else {
                    Backups.incremental(db, b, chain.get(i - 1), BackupProgress.NONE);
                }
                chain.add(b);
                snapshots.add(Snapshots.of(db));
                BackupManifest m = Backups.manifest(b);
                Set<String> names = new TreeSet<>(BackupChain.endState(m).keySet());
                fileSets.add(names);
            }
        }
        // The chain records what DDL did to the files.
        assertTrue(Backups.manifest(chain.get(4)).removed().contains("t_grp.idx"), "dropIndex: removed");
        assertTrue(Backups.manifest(chain.get(6)).removed().containsAll(List.of("u.heap", "u_id.idx", "u_s.idx")),
                "dropTable: removed " + Backups.manifest(chain.get(6)).removed());
        BackupManifest recreated = Backups.manifest(chain.get(7));
        int oldId = Backups.manifest(chain.get(0)).files().stream().filter(f -> f.name().equals("u.heap"))
                .findFirst().orElseThrow().fileId();
        BackupManifest.FileEntry newU = recreated.files().stream().filter(f -> f.name().equals("u.heap"))
                .findFirst().orElseThrow(() -> new AssertionError("recreated u.heap must be stored whole: "
                        + recreated));
        assertNotEquals(oldId, newU.fileId(), "a recreated table gets a new file id");
        for (int k = 0; k < chain.size(); k++) {
            Path dest = tmp.resolve("r" + k);
            restore(chain.get(0), chain.subList(1, k + 1), dest);
            try (Database db = open(dest)) {
                assertEquals(snapshots.get(k), Snapshots.of(db), "prefix " + k);
            }
            assertEquals(fileSets.get(k), dataFiles(dest), "files of restored prefix " + k);
            assertVerifies(dest);
        }
        try (Database db = open(tmp.resolve("r" + (chain.size() - 1)))) {
            assertEquals(1, db.count("u", r -> true));
            assertEquals("dflt", db.getBy("t", "id", 9L).orElseThrow().get("extra"));
            assertEquals(-1, db.table("t").columnIndex("s"));
            db.insert("u", Map.of("k", "only-row")); // the index is non-unique now
            assertEquals(2, db.lookup("u", "k", "only-row").size());
        }
    }

    @Test
    void emptyDatabase() throws Exception {
        Path data = tmp.resolve("data");
        long lsn;
        try (Database db = Database.open(data)) {
            Backups.full(db, tmp.resolve("f"), BackupProgress.NONE);
            Backups.incremental(db, tmp.resolve("i"), tmp.resolve("f"), BackupProgress.NONE);
            lsn = db.maxLsn();
        }
        BackupManifest f = Backups.manifest(tmp.resolve("f"));
        assertEquals(List.of("catalog.bin", "control.bin"), f.files().stream().map(e -> e.name()).toList());
        BackupManifest i = Backups.manifest(tmp.resolve("i"));
        assertEquals(f.sourceLsn(), i.parentSourceLsn());
        assertEquals(f.sourceLsn(), i.sourceLsn());
        assertEquals(lsn, i.sourceLsn());
        assertTrue(i.deltas().isEmpty() && i.unchanged().isEmpty() && i.removed().isEmpty(), i.toString());
        for (List<Path> incs : List.of(List.<Path>of(), List.of(tmp.resolve("i")))) {
            Path dest = tmp.resolve("r" + incs.size());
            RestoreSummary s = restore(tmp.resolve("f"), incs, dest);
            assertEquals(lsn, s.sourceLsn());
            try (Database db = open(dest)) {
                assertEquals(List.of(), db.tables());
                assertEquals(lsn, db.maxLsn());
                createT(db, "t");
                fill(db, "t", 0, 10);
            }
            assertVerifies(dest);
        }
        BackupVerifyReport v = Backups.verify(tmp.resolve("f"), List.of(tmp.resolve("i")), VerifyLevel.DEEP,
                tmp.resolve("drill"), BackupProgress.NONE);
        assertTrue(v.intact(), v.problems().toString());
    }

    @Test
    void incrementWithoutChangesStoresNoPages() throws Exception {
        try (Database db = Database.open(tmp.resolve("data"))) {
            createT(db, "t");
            fill(db, "t", 0, 2000);
            Backups.full(db, tmp.resolve("f"), BackupProgress.NONE);
            Backups.incremental(db, tmp.resolve("i1"), tmp.resolve("f"), BackupProgress.NONE);
            Backups.incremental(db, tmp.resolve("i2"), tmp.resolve("i1"), BackupProgress.NONE);
        }
        for (String name : List.of("i1", "i2")) {
            BackupManifest m = Backups.manifest(tmp.resolve(name));
            assertEquals(List.of(), m.deltas(), name);
            assertEquals(List.of("t.heap", "t_grp.idx", "t_id.idx"),
                    m.unchanged().stream().map(u -> u.name()).toList(), name);
            assertEquals(m.parentSourceLsn(), m.sourceLsn());
            assertEquals(Set.of("catalog.bin", "control.bin", "manifest.json"),
                    new TreeSet<>(BackupFixtures.list(tmp.resolve(name))));
        }
        restore(tmp.resolve("f"), List.of(tmp.resolve("i1"), tmp.resolve("i2")), tmp.resolve("r"));
        try (Database db = open(tmp.resolve("r"))) {
            assertEquals(2000, db.count("t", r -> true));
        }
    }

    /**
     * backup -> restore -> backup of the restored database: the same source LSN, catalog version and, file by file,
     * the same length, file id and BLAKE3. For a chain, the restored state equals a full backup taken at the same
     * LSN as the last increment.
     */
    @Test
    void backupOfARestoredDatabaseIsByteIdentical() throws Exception {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            createT(db, "gone");
            fill(db, "t", 0, 4000);
            fill(db, "gone", 0, 100);
            db.insert("t", Map.of("id", -1L, "b", bytes(300_000, 9)));
            Backups.full(db, tmp.resolve("f0"), BackupProgress.NONE);
            db.updateBy("t", "id", 10L, Map.of("s", "changed"));
            db.deleteBy("t", "id", 3999L);
            db.dropTable("gone");
            db.createIndex("t", "s", false);
            fill(db, "t", 5000, 6000);
            Backups.incremental(db, tmp.resolve("i1"), tmp.resolve("f0"), BackupProgress.NONE);
            Backups.full(db, tmp.resolve("f1"), BackupProgress.NONE);
        }
        BackupManifest f0 = Backups.manifest(tmp.resolve("f0"));
        BackupManifest i1 = Backups.manifest(tmp.resolve("i1"));
        BackupManifest f1 = Backups.manifest(tmp.resolve("f1"));
        assertEquals(i1.sourceLsn(), f1.sourceLsn(), "no writes between the increment and the full backup");
        record Case(String name, Path full, List<Path> incs, BackupManifest expected) {
        }
        for (Case c : List.of(new Case("f0", tmp.resolve("f0"), List.of(), f0),
                new Case("f0+i1", tmp.resolve("f0"), List.of(tmp.resolve("i1")), f1),
                new Case("f1", tmp.resolve("f1"), List.of(), f1))) {
            Path dest = tmp.resolve("restored-" + c.name());
            restore(c.full(), c.incs(), dest);
            Path again = tmp.resolve("again-" + c.name());
            try (Database db = open(dest)) {
                Backups.full(db, again, BackupProgress.NONE);
            }
            BackupManifest m = Backups.manifest(again);
            assertEquals(c.expected().sourceLsn(), m.sourceLsn(), c.name());
            assertEquals(c.expected().catalogVersion(), m.catalogVersion(), c.name());
            assertEquals(fileFacts(c.expected()), fileFacts(m), c.name() + ": backup of the restored database");
            BackupFixtures.assertNewDatabaseId(c.full(), again);
        }
    }

    /**
     * Backups from several threads of one process at once, while another thread writes: each backup is complete and
     * consistent (ids 0..k-1, since the writer commits one row at a time in order) and at its own LSN.
     */
    @Test
    void concurrentBackupsWhileWriting() throws Exception {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            fill(db, "t", 0, 2000);
            Path base = tmp.resolve("base");
            Backups.full(db, base, BackupProgress.NONE);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong nextId = new java.util.concurrent.atomic.AtomicLong(2000);
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    db.insert("t", Map.of("id", nextId.get(), "grp", 1L, "s", "w"));
                    nextId.incrementAndGet();
                }
            });
            writer.start();
            List<Path> taken = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> backupers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                Thread b = new Thread(() -> {
                    try {
                        for (int n = 0; n < 4; n++) {
                            Path dest = tmp.resolve("c" + thread + "-" + n);
                            if ((thread + n) % 2 == 0) {
                                Backups.full(db, dest, BackupProgress.NONE);
                            } else {
                                Backups.incremental(db, dest, base, BackupProgress.NONE);
                            }
                            taken.add(dest);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                backupers.add(b);
                b.start();
            }
            for (Thread b : backupers) {
                b.join(60_000);
            }
            stop.set(true);
            writer.join(10_000);
            assertEquals(List.of(), errors, "concurrent backups failed");
            assertEquals(12, taken.size());
            for (Path b : taken) {
                BackupManifest m = Backups.manifest(b);
                List<Path> incs = m.kind() == BackupManifest.Kind.FULL ? List.of() : List.of(b);
                Path full = m.kind() == BackupManifest.Kind.FULL ? b : base;
                BackupVerifyReport v = Backups.verify(full, incs, VerifyLevel.DEEP, null, BackupProgress.NONE);
                assertTrue(v.intact(), b + ": " + v.problems());
                Path dest = tmp.resolve("r-" + b.getFileName());
                restore(full, incs, dest);
                try (Database r = open(dest)) {
                    TreeSet<Long> ids = new TreeSet<>();
                    r.scan("t", x -> true, row -> ids.add((Long) row.get("id")));
                    assertEquals(0L, ids.first());
                    assertEquals(ids.size() - 1, (long) ids.last(), b + ": not a consistent prefix");
                    // Replaying the kept WAL rolls back a transaction open at the end, which logs the rollback.
                    if (m.wal().isEmpty()) {
                        assertEquals(m.sourceLsn(), r.maxLsn());
                    } else {
                        assertTrue(r.maxLsn() >= m.sourceLsn(), b + ": restored at LSN " + r.maxLsn());
                    }
                }
                assertVerifies(dest);
            }
        }
    }
}
