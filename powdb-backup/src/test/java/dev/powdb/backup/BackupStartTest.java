package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.spi.BackupSource;
import dev.powdb.storage.spi.BackupStart;
import dev.powdb.storage.spi.BackupSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a backup starts: at a new checkpoint, or at the database's last one (then carrying the WAL since it). Checks
 * what the engine decides for each {@link BackupStart}, that a backup started at the last checkpoint flushes
 * nothing, and that increments started there restore to exactly the live state, alone and in chains, whether their
 * changes reached the files before the copy or stayed in the WAL.
 */
class BackupStartTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    /** No automatic checkpoint: each test decides when one runs. */
    private static final DatabaseOptions QUIET = DatabaseOptions.defaults().withCheckpointWalBytes(0);

    @AfterEach
    void clearProperty() {
        System.clearProperty(BackupWriter.START_PROPERTY);
    }

    private Database loaded() {
        Database db = Database.open(tmp.resolve("data"), QUIET);
        createT(db, "t");
        fill(db, "t", 0, 3000);
        db.checkpoint();
        return db;
    }

    @Test
    void lastCheckpointStartFlushesNothingAndStartsWhereThatCheckpointDid() {
        try (Database db = loaded()) {
            long atCheckpoint = db.maxLsn();
            db.updateBy("t", "id", 7L, Map.of("s", "changed"));
            db.updateBy("t", "id", 2900L, Map.of("s", "changed too"));
            int dirty = db.engine().pool().dirtyCount();
            long writes = db.engine().pool().writes();
            assertTrue(dirty >= 2, "the updates left dirty pages: " + dirty);
            try (BackupSource s = db.startBackup(BackupStart.LAST_CHECKPOINT)) {
                assertTrue(s.startedAtLastCheckpoint());
                assertTrue(s.startLsn() <= atCheckpoint + 1, s.startLsn() + " is after the checkpoint at "
                        + atCheckpoint);
                assertEquals(dirty, db.engine().pool().dirtyCount(), "a start at the last checkpoint flushed pages");
                assertEquals(writes, db.engine().pool().writes());
            }
            try (BackupSource s = db.startBackup(BackupStart.NEW_CHECKPOINT)) {
                assertFalse(s.startedAtLastCheckpoint());
                assertTrue(s.startLsn() > db.maxLsn() - 1 && s.startLsn() > atCheckpoint + 1);
                assertEquals(0, db.engine().pool().dirtyCount(), "a new checkpoint writes every dirty page");
            }
            // Right after that checkpoint, the last one is as good as a new one.
            try (BackupSource s = db.startBackup(BackupStart.CHEAPER)) {
                assertTrue(s.startedAtLastCheckpoint());
            }
        }
    }

    @Test
    void aSchemaChangeSinceTheLastCheckpointForcesANewOne() {
        try (Database db = loaded()) {
            for (BackupStart where : List.of(BackupStart.LAST_CHECKPOINT, BackupStart.CHEAPER)) {
                long atCheckpoint = db.maxLsn();
                db.addColumn("t", ColumnDef.optional("extra_" + where.ordinal(), ColumnType.INT));
                try (BackupSource s = db.startBackup(where)) {
                    assertFalse(s.startedAtLastCheckpoint(), where.toString());
                    assertTrue(s.startLsn() > atCheckpoint + 1);
                }
            }
            // The checkpoint just taken wrote the new catalog: now it may be reused.
            try (BackupSource s = db.startBackup(BackupStart.LAST_CHECKPOINT)) {
                assertTrue(s.startedAtLastCheckpoint());
            }
            // A dropped table's file is deleted at the drop's commit, so the last checkpoint's list is stale.
            createT(db, "u");
            db.checkpoint();
            db.dropTable("u");
            assertFalse(Files.exists(tmp.resolve("data").resolve("u.heap")));
            try (BackupSource s = db.startBackup(BackupStart.LAST_CHECKPOINT)) {
                assertFalse(s.startedAtLastCheckpoint());
                assertTrue(s.files().stream().noneMatch(f -> f.name().equals("u.heap")));
            }
        }
    }

    @Test
    void cheaperStartRunsANewCheckpointWhenTheWalSinceTheLastOutweighsTheDirtyPages() {
        try (Database db = loaded()) {
            // One row rewritten many times with random text: megabytes of WAL, a few dirty pages.
            Random rnd = new Random(3);
            for (int i = 0; i < 2500; i++) {
                StringBuilder text = new StringBuilder();
                for (int c = 0; c < 3000; c++) {
                    text.append((char) ('a' + rnd.nextInt(26)));
                }
                db.updateBy("t", "id", 5L, Map.of("s", text.toString()));
            }
            assertTrue(db.engine().pool().dirtyCount() < 20, "dirty " + db.engine().pool().dirtyCount());
            try (BackupSource s = db.startBackup(BackupStart.CHEAPER)) {
                assertFalse(s.startedAtLastCheckpoint(), "carrying megabytes of WAL to skip writing a few pages");
            }
            // A few small changes: cheaper to carry their WAL than to checkpoint.
            db.updateBy("t", "id", 6L, Map.of("s", "small"));
            try (BackupSource s = db.startBackup(BackupStart.CHEAPER)) {
                assertTrue(s.startedAtLastCheckpoint());
            }
        }
    }

    @Test
    void incrementsStartedAtTheLastCheckpointRestoreToTheLiveState() throws Exception {
        Path full = tmp.resolve("full");
        Path i1 = tmp.resolve("i1");
        Path i2 = tmp.resolve("i2");
        Path i3 = tmp.resolve("i3");
        String live1;
        String live2;
        String live3;
        Random rnd = new Random(5);
        try (Database db = loaded()) {
            BackupSummary f = Backups.full(db, full, BackupProgress.NONE);
            assertFalse(f.startedAtLastCheckpoint(), "auto runs a new checkpoint for a full backup");
            // Inserts, updates, deletes and a large value; no checkpoint, so the pages stay dirty in memory.
            fill(db, "t", 3000, 3400);
            for (int i = 0; i < 40; i++) {
                db.updateBy("t", "id", (long) rnd.nextInt(3000), Map.of("s", "u" + i, "grp", 99L));
            }
            db.deleteBy("t", "id", 11L);
            byte[] large = new byte[300_000];
            rnd.nextBytes(large);
            db.insert("t", Map.of("id", 50_000L, "b", large));
            BackupSummary s1 = Backups.incremental(db, i1, full, BackupProgress.NONE);
            live1 = Snapshots.of(db);
            BackupManifest m1 = Backups.manifest(i1);
            assertTrue(s1.startedAtLastCheckpoint(), "auto starts a small increment at the last checkpoint");
            assertEquals(Backups.manifest(full).startLsn(), m1.startLsn(), "the full backup's checkpoint is the last");
            assertFalse(m1.wal().isEmpty(), "the changes since that checkpoint travel as WAL");

            // Part of the next change reaches the files through a checkpoint, part stays in memory.
            db.updateBy("t", "id", 20L, Map.of("s", "before the checkpoint"));
            db.deleteBy("t", "id", 2500L);
            db.checkpoint();
            db.updateBy("t", "id", 21L, Map.of("s", "after the checkpoint"));
            fill(db, "t", 3400, 3450);
            BackupSummary s2 = Backups.incremental(db, i2, i1, BackupProgress.NONE);
            live2 = Snapshots.of(db);
            BackupManifest m2 = Backups.manifest(i2);
            assertTrue(s2.startedAtLastCheckpoint());
            assertTrue(m2.startLsn() > m1.startLsn());
            assertFalse(m2.deltas().isEmpty(), "pages the checkpoint wrote are stored as deltas");
            assertFalse(m2.wal().isEmpty());

            // Nothing checkpointed since: the next increment starts at the same checkpoint as its parent.
            db.updateBy("t", "id", 22L, Map.of("s", "third"));
            BackupSummary s3 = Backups.incremental(db, i3, i2, BackupProgress.NONE);
            live3 = Snapshots.of(db);
            assertTrue(s3.startedAtLastCheckpoint());
            BackupManifest m3 = Backups.manifest(i3);
            assertEquals(m2.startLsn(), m3.startLsn());
            // Its parent's files hold every change before that checkpoint and its WAL every change after: no page
            // is read or stored (the table did not grow).
            assertTrue(m3.deltas().isEmpty(), m3.deltas().toString());
            assertFalse(m3.wal().isEmpty());
        }
        List<List<Path>> prefixes = List.of(List.of(i1), List.of(i1, i2), List.of(i1, i2, i3));
        List<String> lives = List.of(live1, live2, live3);
        for (int k = 0; k < prefixes.size(); k++) {
            List<Path> incs = prefixes.get(k);
            assertTrue(Backups.verify(full, incs, VerifyLevel.DEEP, null, BackupProgress.NONE).intact());
            Path dest = tmp.resolve("r" + k);
            RestoreSummary r = Backups.restore(full, incs, dest, BackupProgress.NONE);
            assertEquals(Backups.manifest(incs.get(incs.size() - 1)).sourceLsn(), r.sourceLsn());
            try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
                assertEquals(lives.get(k), Snapshots.of(db), "restore of full + " + incs.size() + " increment(s)");
            }
            assertTrue(Database.verify(dest).ok());
        }
    }

    @Test
    void theStartSettingIsReadStrictlyAndABadValueWritesNothing() throws Exception {
        try (Database db = loaded()) {
            Path full = tmp.resolve("full");
            System.setProperty(BackupWriter.START_PROPERTY, " Last-Checkpoint ");
            assertTrue(Backups.full(db, full, BackupProgress.NONE).startedAtLastCheckpoint());
            db.updateBy("t", "id", 1L, Map.of("s", "one"));
            System.setProperty(BackupWriter.START_PROPERTY, "new-checkpoint");
            assertFalse(Backups.incremental(db, tmp.resolve("i"), full, BackupProgress.NONE)
                    .startedAtLastCheckpoint());
            for (String bad : List.of("", "last", "newcheckpoint", "true")) {
                System.setProperty(BackupWriter.START_PROPERTY, bad);
                Path dest = tmp.resolve("bad");
                PowDbException e = assertThrows(PowDbException.class,
                        () -> Backups.incremental(db, dest, full, BackupProgress.NONE));
                assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
                assertTrue(e.getMessage().contains(BackupWriter.START_PROPERTY) && e.getMessage().contains(
                        "\"" + bad + "\""), e.getMessage());
                assertFalse(Files.exists(dest), "a refused backup created its destination");
            }
        }
    }
}
