package dev.powdb.storage;

import dev.powdb.storage.page.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Crash recovery through the real file system: WAL replay, torn tails, damaged WAL, torn data pages. */
class RecoveryTest {
    @TempDir
    Path tmp;

    static final TableSchema T = new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
            ColumnDef.optional("v", ColumnType.STR)), List.of(new IndexDef("id", true)));

    static DatabaseOptions noAutoCheckpoint() {
        return DatabaseOptions.defaults().withCheckpointWalBytes(0);
    }

    static Path onlySegment(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
            List<Path> segs = s.sorted().toList();
            return segs.get(segs.size() - 1);
        }
    }

    /** End of the frames of a segment (the newest segment keeps zeroed space reserved after them). */
    static long frameEnd(Path seg) throws IOException {
        byte[] b = Files.readAllBytes(seg);
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return end;
    }

    @Test
    void committedWorkIsReplayedAfterCrashAndUncommittedIsUndone() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, noAutoCheckpoint());
        db.createTable(T);
        for (long i = 0; i < 500; i++) {
            db.insertValues("t", i, "v" + i);
        }
        db.updateBy("t", "id", 10L, Map.of("v", "ten"));
        db.deleteBy("t", "id", 11L);
        Transaction open = db.begin();
        open.insertValues("t", 9999L, "uncommitted");
        open.deleteBy("t", "id", 12L);
        // Push the open transaction's changes to disk, as an eviction or checkpoint could.
        db.engine().pool().flushAll();
        db.engine().abandonForTesting();
        try (Database again = Database.open(dir, noAutoCheckpoint())) {
            assertEquals(499, again.count("t", null));
            assertEquals("ten", again.getBy("t", "id", 10L).orElseThrow().get("v"));
            assertTrue(again.getBy("t", "id", 11L).isEmpty());
            assertTrue(again.getBy("t", "id", 9999L).isEmpty(), "uncommitted insert must be undone");
            assertTrue(again.getBy("t", "id", 12L).isPresent(), "uncommitted delete must be undone");
        }
        assertTrue(Database.verify(dir).ok(), Database.verify(dir).toString());
    }

    @Test
    void recoveryIsIdempotentAcrossRepeatedCrashes() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, noAutoCheckpoint());
        db.createTable(T);
        for (long i = 0; i < 300; i++) {
            db.insertValues("t", i, "x".repeat((int) (i % 200)));
        }
        db.engine().abandonForTesting();
        for (int round = 0; round < 3; round++) {
            Database again = Database.open(dir, noAutoCheckpoint());
            assertEquals(300 + round, again.count("t", null));
            again.insertValues("t", 1000L + round, "r");
            again.engine().abandonForTesting();
        }
        try (Database last = Database.open(dir)) {
            assertEquals(303, last.count("t", null));
        }
    }

    @Test
    void tornWalTailIsCutOffAndEarlierCommitsKept() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, noAutoCheckpoint());
        db.createTable(T);
        for (long i = 0; i < 100; i++) {
            db.insertValues("t", i, "v");
        }
        db.engine().abandonForTesting();
        Path seg = onlySegment(dir);
        long size = frameEnd(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 7); // tear the last commit record
        }
        try (Database again = Database.open(dir)) {
            long n = again.count("t", null);
            assertEquals(99, n, "only the last (torn) commit may be lost");
        }
    }

    @Test
    void damageBeforeTheTailRefusesOpenNamingFileAndOffset() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, noAutoCheckpoint());
        db.createTable(T);
        for (long i = 0; i < 200; i++) {
            db.insertValues("t", i, "v");
        }
        db.engine().abandonForTesting();
        Path seg = onlySegment(dir);
        long size = frameEnd(seg);
        long at = size / 2;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
        byte[] before = Files.readAllBytes(seg);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Database.open(dir));
        assertTrue(e.getMessage().contains(seg.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
        assertTrue(e.offset() <= at && e.offset() > at - 200, "offset " + e.offset() + " vs damage at " + at);
        assertArrayEquals(before, Files.readAllBytes(seg), "a refused open must not change the WAL");
    }

    @Test
    void tornDataPageIsRepairedFromFullPageImage() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, noAutoCheckpoint());
        db.createTable(T);
        for (long i = 0; i < 50; i++) {
            db.insertValues("t", i, "before");
        }
        db.checkpoint();
        db.update("t", null, r -> Map.of("v", "after"));
        db.engine().pool().flushAll();
        db.engine().abandonForTesting();
        Path heap = dir.resolve("t.heap");
        try (RandomAccessFile f = new RandomAccessFile(heap.toFile(), "rw")) {
            f.seek(Page.SIZE + 2048); // second half of page 1 lost in a torn write
            f.write(new byte[2048]);
        }
        try (Database again = Database.open(dir)) {
            assertEquals(50, again.count("t", r -> "after".equals(r.get("v"))));
        }
        assertTrue(Database.verify(dir).ok());
    }

    @Test
    void damagedPageWithoutWalImageIsNeverServed() throws Exception {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(T);
            for (long i = 0; i < 50; i++) {
                db.insertValues("t", i, "v");
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("t.heap").toFile(), "rw")) {
            f.seek(Page.SIZE + 3000);
            f.write(0x42 ^ f.read());
        }
        VerifyReport rep = Database.verify(dir);
        assertFalse(rep.ok());
        assertTrue(rep.toString().contains("t.heap") && rep.toString().contains("checksum"), rep.toString());
        try (Database db = Database.open(dir)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> db.count("t", null));
            assertTrue(e.getMessage().contains("t.heap"), e.getMessage());
        }
    }

    @Test
    void nextLsnExceedsEveryPageAndWalLsnAfterOpen() throws Exception {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir, noAutoCheckpoint());
        db.createTable(T);
        for (long i = 0; i < 100; i++) {
            db.insertValues("t", i, "v");
        }
        long before = db.maxLsn();
        db.engine().pool().flushAll();
        db.engine().abandonForTesting();
        try (Database again = Database.open(dir)) {
            assertTrue(again.maxLsn() >= before, again.maxLsn() + " < " + before);
            long maxPage = 0;
            for (String name : List.of("t.heap", "t_id.idx")) {
                byte[] all = Files.readAllBytes(dir.resolve(name));
                for (int off = 0; off < all.length; off += Page.SIZE) {
                    maxPage = Math.max(maxPage, Page.readLong(all, off + 8));
                }
            }
            long ins = again.insertValues("t", 5000L, "new");
            assertTrue(ins >= 0);
            assertTrue(again.maxLsn() > maxPage);
            assertTrue(again.maxLsn() > before);
        }
    }
}
