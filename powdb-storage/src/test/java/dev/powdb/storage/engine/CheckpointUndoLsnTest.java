package dev.powdb.storage.engine;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.io.ForwardingStorageFile;
import dev.powdb.storage.io.ForwardingStorageFs;
import dev.powdb.storage.io.OsStorageFs;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.page.ChangeTracker;
import dev.powdb.storage.wal.Wal;
import dev.powdb.storage.wal.WalRecordType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The undo LSN a checkpoint records for the transaction open at that moment. A transaction's first record is
 * usually logged by its commit (edits wait in memory until then), outside any statement; the checkpoint pauses WAL
 * appends to capture its LSNs and must see that record's LSN as the transaction's start, or a crash before the
 * commit record leaves the transaction's first change (written to the data file by the checkpoint) without anything
 * that undoes it.
 */
class CheckpointUndoLsnTest {
    private static final int WAL_BUFFER_FLUSH_BYTES = 1 << 20;
    /** Bytes of the transaction's row: small enough to stay in its heap page (larger values go to overflow pages). */
    private static final int PAD = 1000;

    @TempDir
    Path tmp;

    @Test
    void aFirstRecordLoggedJustBeforeACheckpointIsUndoneAfterACrashBeforeItsCommit() throws Exception {
        Path data = tmp.resolve("data");
        PausingWalFs fs = new PausingWalFs();
        DatabaseOptions options = DatabaseOptions.defaults().withFs(fs).withSyncMode(SyncMode.FULL)
                .withCheckpointWalBytes(0);
        Database db = Database.open(data, options);
        try {
            db.createTable(new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.optional("pad", ColumnType.STR)), List.of(new IndexDef("id", true))));
            try (Transaction tx = db.begin()) {
                for (long id = 0; id < 10; id++) {
                    tx.insert("t", Map.of("id", id, "pad", "row" + id));
                }
                tx.commit();
            }
            db.checkpoint();
            // Fill the WAL buffer with records that nothing writes out (restore points appended without the sync
            // that createRestorePoint adds) until the next transaction's first record (more than PAD bytes) is the
            // one that makes its append write the buffer out: after the record has its LSN, before append returns.
            Wal wal = db.engine().wal();
            long micros = System.currentTimeMillis() * 1000L;
            for (int i = 0; wal.bufferedBytes() < WAL_BUFFER_FLUSH_BYTES - PAD; i++) {
                String name = "filler-" + i;
                wal.append(WalRecordType.RESTORE_POINT, 0, out -> out.i64(micros).str(name));
            }
            assertTrue(wal.bufferedBytes() < WAL_BUFFER_FLUSH_BYTES, "buffer " + wal.bufferedBytes());

            ChangeTracker tracker = db.engine().pool().changes();
            int windows = tracker.windows().size();
            CountDownLatch atCommitRecord = new CountDownLatch(1);
            CountDownLatch commit = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Database live = db;
            Thread writer = new Thread(() -> {
                try (Transaction tx = live.begin()) {
                    tx.insert("t", Map.of("id", 999L, "pad", "p".repeat(PAD)));
                    tx.commit();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "writer");
            db.engine().beforeCommitRecordForTesting = () -> {
                if (Thread.currentThread() == writer) {
                    atCommitRecord.countDown();
                    try {
                        commit.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            fs.pauseWalWriteOf(writer);
            writer.start();
            assertTrue(fs.paused.await(30, TimeUnit.SECONDS), "the first record never wrote the WAL buffer out");
            Thread checkpoint = new Thread(() -> {
                try {
                    live.checkpoint();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "checkpoint");
            checkpoint.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tracker.windows().size() == windows && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(windows + 1, tracker.windows().size(), "the checkpoint did not capture its LSNs");
            fs.resume.countDown();
            assertTrue(atCommitRecord.await(30, TimeUnit.SECONDS), "the writer never reached its commit record");
            checkpoint.join(30_000);
            assertFalse(checkpoint.isAlive(), "checkpoint hung");
            if (failure.get() != null) {
                throw new AssertionError("writer or checkpoint failed", failure.get());
            }
            // The checkpoint wrote the page holding the uncommitted row; the commit record exists nowhere. What the
            // files hold now is what a process killed at this instant leaves behind.
            Path image = tmp.resolve("image");
            copyTree(data, image);
            commit.countDown();
            writer.join(30_000);
            assertFalse(writer.isAlive(), "writer hung");
            if (failure.get() != null) {
                throw new AssertionError("writer failed", failure.get());
            }

            try (Database recovered = Database.openExisting(image, DatabaseOptions.defaults())) {
                List<Long> ids = new ArrayList<>();
                recovered.scan("t", r -> true, r -> ids.add((Long) r.get("id")));
                assertFalse(ids.contains(999L), "the uncommitted row survived the crash: " + ids);
                assertEquals(10, ids.size(), "rows after recovery: " + ids);
            }
            assertTrue(Database.verify(image).ok(), "verify after recovery");
            // The writer's transaction did commit in the live database.
            List<Long> ids = new ArrayList<>();
            db.scan("t", r -> true, r -> ids.add((Long) r.get("id")));
            assertTrue(ids.contains(999L), "committed row missing from the live database: " + ids);
        } finally {
            db.close();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals("LOCK")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** The real file system, except that one thread's next write to a WAL segment waits until released. */
    private static final class PausingWalFs extends ForwardingStorageFs {
        private final AtomicReference<Thread> pausing = new AtomicReference<>();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);

        PausingWalFs() {
            super(OsStorageFs.INSTANCE);
        }

        void pauseWalWriteOf(Thread t) {
            pausing.set(t);
        }

        @Override
        protected StorageFile wrap(Path path, StorageFile f) {
            Path parent = path.getParent();
            if (parent == null || !parent.getFileName().toString().equals("wal")) {
                return f;
            }
            return new ForwardingStorageFile(f) {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    if (pausing.compareAndSet(Thread.currentThread(), null)) {
                        paused.countDown();
                        try {
                            resume.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                    }
                    super.write(src, position);
                }
            };
        }
    }
}
