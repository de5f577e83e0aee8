package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.assertNothingRestored;
import static dev.powdb.backup.BackupFixtures.createT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Transaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups and restores that fail part-way. {@code BackupWriter} and {@code Restorer} build their
 * {@code HashingFileCopier} internally, so its {@code Hooks} seam cannot be reached from here; the progress listener
 * is the seam instead: the copier calls it on the copying thread after every block written to a temporary file, and
 * the delta reader after every page, so throwing from it fails the work at that exact point. File-system tricks
 * (a file replaced by a directory, a planted entry, a target created during the restore) cover the rest.
 *
 * <p>After every failure: no directory with a {@code manifest.json} appears, a backup removes what it created (an
 * existing empty target is left empty), a restore leaves nothing at its target and no staging directory, and the
 * database keeps working.
 */
class BackupFailureInjectionTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;
    Path data;
    Database db;

    @BeforeEach
    void database() {
        data = tmp.resolve("data");
        db = Database.open(data);
        createT(db, "t");
        load(0, 6000);
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        db.close();
    }

    private void load(int from, int to) {
        Random rnd = new Random(from);
        try (Transaction tx = db.begin()) {
            for (int i = from; i < to; i++) {
                byte[] b = new byte[700];
                rnd.nextBytes(b);
                tx.insert("t", Map.of("id", (long) i, "grp", (long) (i % 7), "s", "row-" + i, "b", b));
            }
            tx.commit();
        }
    }

    /**
     * Counts progress calls; at call number {@code failAt} (1-based; 0 = never) runs {@code atFailure} and, when
     * {@code throwing}, throws (an {@link IOException} when {@code io}, else an {@link IllegalStateException}).
     */
    private static final class Failing implements BackupProgress {
        final int failAt;
        final boolean io;
        final boolean throwing;
        int calls;
        long bytes;
        final Runnable atFailure;

        Failing(int failAt, boolean io, Runnable atFailure) {
            this(failAt, io, atFailure, true);
        }

        Failing(int failAt, boolean io, Runnable atFailure, boolean throwing) {
            this.failAt = failAt;
            this.io = io;
            this.atFailure = atFailure;
            this.throwing = throwing;
        }

        @Override
        public void begin(String task, long totalBytes) {
        }

        @Override
        public void advance(long n) {
            calls++;
            bytes += n;
            if (calls == failAt) {
                atFailure.run();
                if (!throwing) {
                    return;
                }
                throw BackupFixtures.sneaky(io ? new IOException("injected I/O error at call " + calls)
                        : new IllegalStateException("injected failure at call " + calls));
            }
        }

        @Override
        public void end() {
        }
    }

    /** Directories under tmp holding a manifest, besides {@code expected}. */
    private void assertOnlyBackups(List<Path> expected) throws IOException {
        List<Path> found = new ArrayList<>(BackupFixtures.dirsWithManifest(tmp));
        assertEquals(new TreeSet<>(expected), new TreeSet<>(found), "directories with a manifest.json");
    }

    private void assertNoTemporaryFiles() throws IOException {
        for (String p : BackupFixtures.tree(tmp).keySet()) {
            String name = p.substring(p.lastIndexOf('/') + 1);
            assertFalse(name.endsWith(".tmp") && !p.startsWith("data/"), "temporary file left: " + p);
            assertFalse(name.contains(".restore-"), "staging directory left: " + p);
        }
    }

    private void assertDatabaseWorks(long nextId) {
        db.insertValues("t", nextId, 1L, "after failure", new byte[0]);
        assertEquals(1, db.lookup("t", "id", nextId).size());
    }

    private void failingBackup(Path dest, Path base, Failing progress, boolean existed) throws Exception {
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            if (base == null) {
                Backups.full(db, dest, progress);
            } else {
                Backups.incremental(db, dest, base, progress);
            }
        });
        String context = "failure at progress call " + progress.failAt + " of a " + (base == null ? "full" : "incremental")
                + " backup: " + e;
        if (progress.io) {
            assertTrue(e instanceof BackupException && ((BackupException) e).code() == ErrorCode.IO, context);
            assertTrue(e.getMessage().contains("injected I/O error") && e.getMessage().contains(dest.toString()),
                    context);
        } else {
            assertTrue(e instanceof IllegalStateException && e.getMessage().startsWith("injected failure"), context);
        }
        if (existed) {
            assertTrue(Files.isDirectory(dest), context + ": the existing target must stay");
            assertEquals(List.of(), BackupFixtures.list(dest), context + ": the existing target must be empty again");
        } else {
            assertFalse(Files.exists(dest, LinkOption.NOFOLLOW_LINKS), context + ": the created target must be gone");
        }
    }

    @Test
    void backupFailingAtEveryProgressCallLeavesNothing() throws Exception {
        Path full = tmp.resolve("full");
        Failing counter = new Failing(0, false, () -> { });
        Backups.full(db, full, counter);
        assertTrue(counter.calls >= 8, "expected several blocks, got " + counter.calls + " progress calls");
        List<Path> good = new ArrayList<>(List.of(full));
        for (int k = 1; k <= counter.calls; k++) {
            boolean existed = k % 3 == 0;
            Path dest = tmp.resolve("failed-full-" + k);
            if (existed) {
                Files.createDirectory(dest);
            }
            failingBackup(dest, null, new Failing(k, k % 2 == 0, () -> { }), existed);
            if (existed) {
                Files.delete(dest);
            }
            assertOnlyBackups(good);
            assertNoTemporaryFiles();
        }
        assertDatabaseWorks(100_000);
        load(6000, 6500);
        db.updateBy("t", "id", 10L, Map.of("s", "changed"));
        // A checkpoint first, so the changed pages are in the files and the increment stores them as a delta (an
        // increment that starts at an older checkpoint may carry a change as WAL only).
        db.checkpoint();
        Failing incCounter = new Failing(0, false, () -> { });
        Path inc = tmp.resolve("inc");
        Backups.incremental(db, inc, full, incCounter);
        assertTrue(Backups.manifest(inc).deltas().size() > 0);
        BackupFixtures.deleteTree(inc);
        for (int k = 1; k <= incCounter.calls; k++) {
            failingBackup(tmp.resolve("failed-inc-" + k), full, new Failing(k, k % 2 == 1, () -> { }), false);
            assertOnlyBackups(good);
            assertNoTemporaryFiles();
        }
        // The database still works and still takes good backups.
        assertDatabaseWorks(100_001);
        Backups.incremental(db, inc, full, BackupProgress.NONE);
        good.add(inc);
        assertOnlyBackups(good);
        assertTrue(Backups.verify(full, List.of(inc), VerifyLevel.DEEP, null, BackupProgress.NONE).intact());
        String live = Snapshots.of(db);
        Backups.restore(full, List.of(inc), tmp.resolve("restored"), BackupProgress.NONE);
        try (Database r = Database.openExisting(tmp.resolve("restored"), DatabaseOptions.defaults())) {
            assertEquals(live, Snapshots.of(r));
        }
    }

    @Test
    void writersAreNotLeftWaitingAfterAFailedBackup() throws Exception {
        failingBackup(tmp.resolve("failed"), null, new Failing(2, true, () -> { }), false);
        Thread writer = new Thread(() -> db.insertValues("t", 200_000L, 1L, "other thread", new byte[0]));
        writer.start();
        writer.join(5000);
        assertFalse(writer.isAlive(), "a writer on another thread is blocked after a failed backup");
        assertEquals(1, db.lookup("t", "id", 200_000L).size());
    }

    @Test
    void restoreFailingAnywhereLeavesNothing() throws Exception {
        Path full = tmp.resolve("full");
        Backups.full(db, full, BackupProgress.NONE);
        load(6000, 7000);
        db.deleteBy("t", "id", 5L);
        Path i1 = tmp.resolve("i1");
        Backups.incremental(db, i1, full, BackupProgress.NONE);
        db.updateBy("t", "id", 6L, Map.of("s", "six"));
        db.dropIndex("t", "grp");
        Path i2 = tmp.resolve("i2");
        Backups.incremental(db, i2, i1, BackupProgress.NONE);
        Failing counter = new Failing(0, false, () -> { });
        Path ok = tmp.resolve("ok");
        Backups.restore(full, List.of(i1, i2), ok, counter);
        BackupFixtures.deleteTree(ok);
        assertTrue(counter.calls > 10, "progress calls: " + counter.calls);
        // Every call for the first and last 20, then a seeded spread: block copies, delta pages, the end.
        TreeSet<Integer> points = new TreeSet<>();
        Random rnd = new Random(7);
        for (int k = 1; k <= counter.calls; k++) {
            if (k <= 20 || k > counter.calls - 20 || rnd.nextInt(counter.calls) < 40) {
                points.add(k);
            }
        }
        Path dest = tmp.resolve("dest");
        for (int k : points) {
            Failing f = new Failing(k, k % 2 == 0, () -> { });
            RuntimeException e = assertThrows(RuntimeException.class, () -> Backups.restore(full, List.of(i1, i2),
                    dest, f), "call " + k);
            if (f.io) {
                assertTrue(e instanceof BackupException && ((BackupException) e).code() == ErrorCode.IO, e.toString());
            }
            assertNothingRestored(dest, "restore failing at progress call " + k);
        }
        assertOnlyBackups(List.of(full, i1, i2));
    }

    @Test
    void storedFileReplacedByADirectoryDuringTheRestore() throws Exception {
        Path full = tmp.resolve("full");
        Backups.full(db, full, BackupProgress.NONE);
        db.updateBy("t", "id", 6L, Map.of("s", "six"));
        // A checkpoint first, so the changed pages are in the files and the increment stores them as a delta (an
        // increment that starts at an older checkpoint may carry a change as WAL only).
        db.checkpoint();
        Path i1 = tmp.resolve("i1");
        Backups.incremental(db, i1, full, BackupProgress.NONE);
        Path delta = i1.resolve("t.heap.delta");
        byte[] saved = Files.readAllBytes(delta);
        Path dest = tmp.resolve("dest");
        // After the checks passed and the first block was copied, the increment's delta becomes a directory.
        Failing swap = new Failing(1, false, () -> {
            try {
                Files.delete(delta);
                Files.createDirectory(delta);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, false); // no exception: only the file system changes
        PowDbException e = assertThrows(PowDbException.class, () -> Backups.restore(full, List.of(i1), dest, swap));
        assertTrue(e.getMessage().contains("t.heap.delta") || e.getMessage().contains(dest.toString()),
                e.getMessage());
        assertNothingRestored(dest, "delta replaced by a directory");
        Files.delete(delta);
        Files.write(delta, saved);
        Backups.restore(full, List.of(i1), dest, BackupProgress.NONE);
        assertTrue(Database.verify(dest).ok());
    }

    @Test
    void targetCreatedByAnotherProcessDuringTheRestoreIsLeftAlone() throws Exception {
        Path full = tmp.resolve("full");
        Backups.full(db, full, BackupProgress.NONE);
        Path dest = tmp.resolve("dest");
        Failing racer = new Failing(1, false, () -> {
            try {
                Files.createDirectory(dest);
                Files.writeString(dest.resolve("theirs.txt"), "someone else's");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, false);
        assertThrows(PowDbException.class, () -> Backups.restore(full, List.of(), dest, racer));
        assertEquals(List.of("theirs.txt"), BackupFixtures.list(dest), "the restore must not merge into or replace "
                + "a directory it did not check");
        assertEquals("someone else's", Files.readString(dest.resolve("theirs.txt")));
        assertEquals(List.of(), BackupFixtures.stagingDirs(dest));
    }

    @Test
    void plantedEntriesInTheBackupTargetFailTheBackupCleanly() throws Exception {
        // A directory where control.bin (written last before the manifest) will go, and a non-empty directory where
        // the temporary copy of t.heap will go: the copy refuses to replace either.
        for (String planted : List.of("control.bin", HashingFileCopier.temporaryName("t.heap"))) {
            Path dest = tmp.resolve("planted-" + planted.replace('.', '_'));
            BackupProgress planter = new BackupProgress() {
                @Override
                public void begin(String task, long totalBytes) {
                    try {
                        Files.createDirectories(dest.resolve(planted).resolve("inner"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }

                @Override
                public void advance(long bytes) {
                }

                @Override
                public void end() {
                }
            };
            BackupException e = assertThrows(BackupException.class, () -> Backups.full(db, dest, planter));
            assertSame(ErrorCode.IO, e.code(), e.getMessage());
            assertFalse(Files.exists(dest), planted + ": the target, planted entry included, must be removed");
            assertOnlyBackups(List.of());
        }
        assertDatabaseWorks(300_000);
    }
}
