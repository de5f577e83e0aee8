package dev.powdb.testkit;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.io.StorageFile;
import org.junit.jupiter.api.Test;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file-system behaviour of {@link FaultyFs} when no fault is armed. */
class FaultyFsTest {
    private static final Path DIR = Path.of("/db");

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static void write(StorageFile file, long position, String s) throws IOException {
        file.write(ByteBuffer.wrap(bytes(s)), position);
    }

    static String read(FaultyFs fs, Path path) throws IOException {
        return new String(fs.readCurrent(path), StandardCharsets.US_ASCII);
    }

    static String durable(FaultyFs fs, Path path) throws IOException {
        return new String(fs.readDurable(path), StandardCharsets.US_ASCII);
    }

    private static FaultyFs fsWithDir() throws IOException {
        FaultyFs fs = new FaultyFs(1);
        fs.createDirectories(DIR);
        return fs;
    }

    @Test
    void readsSeeUnsyncedWritesAndGaps() throws IOException {
        FaultyFs fs = fsWithDir();
        try (StorageFile f = fs.open(DIR.resolve("a"), true)) {
            write(f, 0, "hello");
            write(f, 7, "world");
            assertEquals(12, f.size());
            ByteBuffer buf = ByteBuffer.allocate(12);
            assertEquals(12, f.readFully(buf, 0));
            assertArrayEquals(bytes("hello\0\0world"), buf.array());
        }
        assertEquals(0, fs.durableSize(DIR.resolve("a")));
    }

    @Test
    void readAtOrPastEndReturnsMinusOneAndShortReadsAreShort() throws IOException {
        FaultyFs fs = fsWithDir();
        try (StorageFile f = fs.open(DIR.resolve("a"), true)) {
            write(f, 0, "abc");
            assertEquals(-1, f.read(ByteBuffer.allocate(4), 3));
            ByteBuffer buf = ByteBuffer.allocate(10);
            assertEquals(2, f.read(buf, 1));
            assertEquals(0, f.read(ByteBuffer.allocate(0), 1));
        }
    }

    @Test
    void writeConsumesTheSourceBuffer() throws IOException {
        FaultyFs fs = fsWithDir();
        try (StorageFile f = fs.open(DIR.resolve("a"), true)) {
            ByteBuffer src = ByteBuffer.wrap(bytes("abcdef"));
            src.position(2);
            f.write(src, 0);
            assertFalse(src.hasRemaining());
        }
        assertEquals("cdef", read(fs, DIR.resolve("a")));
    }

    @Test
    void openMissingFileOrDirectoryFails() throws IOException {
        FaultyFs fs = fsWithDir();
        assertThrows(NoSuchFileException.class, () -> fs.open(DIR.resolve("a"), false));
        assertThrows(NoSuchFileException.class, () -> fs.open(Path.of("/nope/a"), true));
        assertThrows(FileSystemException.class, () -> fs.open(DIR, true));
        assertFalse(fs.exists(DIR.resolve("a")));
    }

    @Test
    void directoriesAreListedAndReported() throws IOException {
        FaultyFs fs = new FaultyFs(1);
        fs.createDirectories(DIR.resolve("wal/sub"));
        fs.open(DIR.resolve("b.heap"), true).close();
        fs.open(DIR.resolve("a.idx"), true).close();
        assertEquals(List.of("a.idx", "b.heap", "wal"), fs.list(DIR));
        assertTrue(fs.isDirectory(DIR.resolve("wal")));
        assertFalse(fs.isDirectory(DIR.resolve("a.idx")));
        assertTrue(fs.exists(DIR.resolve("a.idx")));
        assertTrue(fs.isDirectory(Path.of("/")));
        fs.createDirectories(DIR.resolve("wal"));
        assertEquals(List.of("sub"), fs.list(DIR.resolve("wal")));
        assertThrows(FileAlreadyExistsException.class, () -> fs.createDirectories(DIR.resolve("a.idx/x")));
        assertThrows(NotDirectoryException.class, () -> fs.list(DIR.resolve("a.idx")));
        assertThrows(NoSuchFileException.class, () -> fs.list(DIR.resolve("missing")));
    }

    @Test
    void pathsAreNormalised() throws IOException {
        FaultyFs fs = new FaultyFs(1);
        Path cwd = Path.of("").toAbsolutePath();
        fs.createDirectories(Path.of("rel/dir"));
        try (StorageFile f = fs.open(Path.of("rel/./dir/../dir/x"), true)) {
            write(f, 0, "x");
        }
        assertTrue(fs.exists(cwd.resolve("rel/dir/x")));
        assertEquals("x", read(fs, Path.of("rel/dir/x")));
    }

    @Test
    void renameReplacesTheTargetAtomically() throws IOException {
        FaultyFs fs = fsWithDir();
        try (StorageFile a = fs.open(DIR.resolve("new.tmp"), true);
             StorageFile b = fs.open(DIR.resolve("catalog.bin"), true)) {
            write(a, 0, "new");
            write(b, 0, "old-contents");
        }
        fs.rename(DIR.resolve("new.tmp"), DIR.resolve("catalog.bin"));
        assertEquals(List.of("catalog.bin"), fs.list(DIR));
        assertEquals("new", read(fs, DIR.resolve("catalog.bin")));
    }

    @Test
    void renameChecksItsArguments() throws IOException {
        FaultyFs fs = fsWithDir();
        fs.createDirectories(DIR.resolve("d/inner"));
        fs.open(DIR.resolve("f"), true).close();
        assertThrows(NoSuchFileException.class, () -> fs.rename(DIR.resolve("missing"), DIR.resolve("x")));
        assertThrows(NoSuchFileException.class, () -> fs.rename(DIR.resolve("f"), DIR.resolve("nodir/x")));
        assertThrows(FileSystemException.class, () -> fs.rename(DIR.resolve("f"), DIR.resolve("d/inner")));
        assertThrows(FileSystemException.class, () -> fs.rename(DIR.resolve("d"), DIR.resolve("f")));
        assertThrows(FileSystemException.class, () -> fs.rename(DIR.resolve("d"), DIR.resolve("d/inner/x")));
        fs.rename(DIR.resolve("f"), DIR.resolve("f"));
        assertTrue(fs.exists(DIR.resolve("f")));
    }

    @Test
    void renameMovesADirectoryWithItsContents() throws IOException {
        FaultyFs fs = fsWithDir();
        fs.createDirectories(DIR.resolve("staging"));
        try (StorageFile f = fs.open(DIR.resolve("staging/t.heap"), true)) {
            write(f, 0, "rows");
        }
        fs.rename(DIR.resolve("staging"), Path.of("/restored"));
        assertFalse(fs.exists(DIR.resolve("staging")));
        assertEquals("rows", read(fs, Path.of("/restored/t.heap")));
    }

    @Test
    void deleteRemovesFilesAndEmptyDirectoriesOnly() throws IOException {
        FaultyFs fs = fsWithDir();
        fs.createDirectories(DIR.resolve("wal"));
        fs.open(DIR.resolve("wal/0.wal"), true).close();
        assertThrows(DirectoryNotEmptyException.class, () -> fs.deleteIfExists(DIR.resolve("wal")));
        fs.deleteIfExists(DIR.resolve("wal/0.wal"));
        fs.deleteIfExists(DIR.resolve("wal/0.wal"));
        fs.deleteIfExists(Path.of("/missing/x"));
        fs.deleteIfExists(DIR.resolve("wal"));
        assertEquals(List.of(), fs.list(DIR));
    }

    @Test
    void truncateShortensButNeverGrows() throws IOException {
        FaultyFs fs = fsWithDir();
        try (StorageFile f = fs.open(DIR.resolve("a"), true)) {
            write(f, 0, "abcdef");
            f.truncate(10);
            assertEquals(6, f.size());
            f.truncate(2);
            assertEquals(2, f.size());
            write(f, 4, "z");
        }
        assertEquals("ab\0\0z", read(fs, DIR.resolve("a")));
    }

    @Test
    void closedHandleRefusesCallsAndMayBeClosedAgain() throws IOException {
        FaultyFs fs = fsWithDir();
        StorageFile f = fs.open(DIR.resolve("a"), true);
        f.close();
        assertThrows(ClosedChannelException.class, () -> write(f, 0, "x"));
        assertThrows(ClosedChannelException.class, f::size);
        f.close();
    }

    @Test
    void deletedButOpenFileKeepsWorkingLikeAnUnlinkedInode() throws IOException {
        FaultyFs fs = fsWithDir();
        try (StorageFile f = fs.open(DIR.resolve("a"), true)) {
            write(f, 0, "abc");
            fs.deleteIfExists(DIR.resolve("a"));
            write(f, 3, "d");
            assertEquals(4, f.size());
        }
        assertFalse(fs.exists(DIR.resolve("a")));
    }

    @Test
    void secondLockIsRefusedUntilTheFirstIsClosed() throws IOException {
        FaultyFs fs = fsWithDir();
        Path lockFile = DIR.resolve("LOCK");
        Closeable first = fs.lock(lockFile);
        assertTrue(fs.exists(lockFile));
        assertEquals(ProcessHandle.current().pid() + "\n", read(fs, lockFile));
        PowDbException e = assertThrows(PowDbException.class, () -> fs.lock(lockFile));
        assertEquals(ErrorCode.LOCKED, e.code());
        fs.createDirectories(Path.of("/other"));
        fs.lock(Path.of("/other/LOCK")).close();
        first.close();
        first.close();
        fs.lock(Path.of("/db/./LOCK")).close();
    }

    @Test
    void crashReleasesLocksAndAStaleHandleCannotReleaseANewLock() throws IOException {
        FaultyFs fs = fsWithDir();
        Path lockFile = DIR.resolve("LOCK");
        Closeable stale = fs.lock(lockFile);
        fs.crash(CrashMode.KEEP_ALL);
        Closeable fresh = fs.lock(lockFile);
        stale.close();
        assertEquals(ErrorCode.LOCKED, assertThrows(PowDbException.class, () -> fs.lock(lockFile)).code());
        fresh.close();
    }

    @Test
    void concurrentWritersReadersAndSyncsLoseNothing() throws Exception {
        FaultyFs fs = fsWithDir();
        int threads = 4;
        int pages = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (StorageFile shared = fs.open(DIR.resolve("shared"), true)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    writePages(fs, shared, id, threads, pages);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals((long) threads * pages * 8, shared.size());
            for (int i = 0; i < threads * pages; i++) {
                ByteBuffer buf = ByteBuffer.allocate(8);
                shared.readFully(buf, i * 8L);
                assertEquals(i, buf.getLong(0), "slot " + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads, fs.list(DIR).size() - 1);
    }

    /** Thread {@code id} fills every {@code stride}-th 8-byte slot, syncing and listing as it goes. */
    private static void writePages(FaultyFs fs, StorageFile shared, int id, int stride, int pages)
            throws IOException {
        try (StorageFile own = fs.open(DIR.resolve("own-" + id), true)) {
            for (int p = 0; p < pages; p++) {
                long slot = (long) p * stride + id;
                shared.write(ByteBuffer.allocate(8).putLong(0, slot), slot * 8);
                own.write(ByteBuffer.allocate(8).putLong(0, slot), p * 8L);
                if (p % 16 == 0) {
                    shared.sync();
                    fs.syncDirectory(DIR);
                    fs.list(DIR);
                }
                ByteBuffer back = ByteBuffer.allocate(8);
                own.readFully(back, p * 8L);
                if (back.getLong(0) != slot) {
                    throw new AssertionError("thread " + id + " read back " + back.getLong(0) + " not " + slot);
                }
            }
        }
    }
}
