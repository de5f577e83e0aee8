package dev.powdb.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashingFileCopierTest {
    @TempDir
    Path dir;

    private Path source(int length, long seed) throws IOException {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        Path file = dir.resolve("src-" + length + "-" + seed);
        Files.write(file, data);
        return file;
    }

    private Path destination() throws IOException {
        return Files.createDirectory(dir.resolve("dest"));
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Lengths around the (small, for the test) block size of 1000 bytes, and empty. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 999, 1000, 1001, 2000, 3500, 10_007})
    void copiesAndHashesAcrossBlockBoundaries(int length) throws Exception {
        Path src = source(length, length);
        Path dest = destination();
        try (HashingFileCopier copier = new HashingFileCopier(1000, HashingFileCopier.Hooks.NONE)) {
            HashingFileCopier.Result result = copier.copy(src, dest, "t.heap");
            assertEquals(length, result.lengthBytes());
            assertEquals(Blake3.hex(Files.readAllBytes(src)), result.blake3Hex());
        }
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dest.resolve("t.heap")));
        assertEquals(List.of("t.heap"), listing(dest));
    }

    @Test
    void copiesMultiMebibyteFileWithDefaultBlocks() throws Exception {
        Path src = source(3 * HashingFileCopier.BLOCK_BYTES + 12345, 7);
        Path dest = destination();
        try (HashingFileCopier copier = new HashingFileCopier()) {
            HashingFileCopier.Result result = copier.copy(src, dest, "big.heap");
            assertEquals(Files.size(src), result.lengthBytes());
            assertEquals(Blake3.hex(src), result.blake3Hex());
            assertEquals(result.blake3Hex(), Blake3.hex(dest.resolve("big.heap")));
            // The same copier can be used again.
            assertEquals(Blake3.hex(src), copier.copy(src, dest, "again.heap").blake3Hex());
        }
    }

    @Test
    void copiedFileIsPrivate() throws Exception {
        Path dest = destination();
        assumeTrue(posix(dest));
        try (HashingFileCopier copier = new HashingFileCopier()) {
            copier.copy(source(10, 1), dest, "catalog.bin");
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dest.resolve(
                "catalog.bin"))));
    }

    @Test
    void staleTemporaryFileIsReplaced() throws Exception {
        Path dest = destination();
        Files.writeString(dest.resolve(".t.heap.tmp"), "left over by a crash");
        try (HashingFileCopier copier = new HashingFileCopier()) {
            copier.copy(source(100, 2), dest, "t.heap");
        }
        assertEquals(List.of("t.heap"), listing(dest));
    }

    /** Every injected failure point: the error surfaces and the destination holds nothing new. */
    @ParameterizedTest
    @ValueSource(strings = {"afterFirstBlock", "afterLastBlock", "beforeRename", "beforeDirectorySync"})
    void failureLeavesNothingBehind(String step) throws Exception {
        Path src = source(3500, 3);
        Path dest = destination();
        HashingFileCopier.Hooks hooks = new HashingFileCopier.Hooks() {
            @Override
            public void afterBlockWritten(Path temporary, long bytesWritten) throws IOException {
                assertTrue(Files.exists(temporary));
                if (step.equals("afterFirstBlock") || (step.equals("afterLastBlock") && bytesWritten == 3500)) {
                    throw new IOException("injected: " + step);
                }
            }

            @Override
            public void beforeRename(Path temporary) throws IOException {
                if (step.equals("beforeRename")) {
                    throw new IOException("injected: " + step);
                }
            }

            @Override
            public void beforeDirectorySync(Path target) throws IOException {
                assertTrue(Files.exists(target));
                if (step.equals("beforeDirectorySync")) {
                    throw new IOException("injected: " + step);
                }
            }
        };
        try (HashingFileCopier copier = new HashingFileCopier(1000, hooks)) {
            IOException e = assertThrows(IOException.class, () -> copier.copy(src, dest, "t.heap"));
            assertEquals("injected: " + step, e.getMessage());
        }
        assertEquals(List.of(), listing(dest));
    }

    /**
     * One set of blocks serves copy after copy (a block of 1 MiB is a humongous object for G1); a copy that failed
     * mid-way leaves its set behind, and the next copy, in a new set, is still exact. Files of different lengths
     * make a block left dirty by a longer copy show up in a shorter one's hash.
     */
    @Test
    void blocksAreReusedAcrossCopiesButNotAfterAFailure() throws Exception {
        Path dest = destination();
        boolean[] fail = {false};
        HashingFileCopier.Hooks hooks = new HashingFileCopier.Hooks() {
            @Override
            public void afterBlockWritten(Path temporary, long bytesWritten) throws IOException {
                if (fail[0]) {
                    throw new IOException("injected");
                }
            }
        };
        int[] lengths = {3500, 1200, 999, 0, 2001, 10_007, 1};
        try (HashingFileCopier copier = new HashingFileCopier(1000, hooks)) {
            for (int n = 0; n < lengths.length; n++) {
                Path src = source(lengths[n], 100 + n);
                HashingFileCopier.Result r = copier.copy(src, dest, "f" + n);
                assertEquals(Blake3.hex(Files.readAllBytes(src)), r.blake3Hex());
                assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dest.resolve("f" + n)));
            }
            assertEquals(1, copier.heapBlockSets(), "one set of blocks for " + lengths.length + " copies");

            fail[0] = true;
            Path failing = source(2500, 200);
            assertThrows(IOException.class, () -> copier.copy(failing, dest, "failed"));
            fail[0] = false;
            Path after = source(1500, 201);
            assertEquals(Blake3.hex(Files.readAllBytes(after)), copier.copy(after, dest, "after").blake3Hex());
            assertArrayEquals(Files.readAllBytes(after), Files.readAllBytes(dest.resolve("after")));
            assertEquals(2, copier.heapBlockSets(), "the failed copy's set was not reused");
        }
    }

    @Test
    void unwritableDestinationLeavesNothingBehind() throws Exception {
        Path dest = destination();
        assumeTrue(posix(dest));
        Path src = source(100, 4);
        Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("r-x------"));
        try {
            // Root ignores directory permissions; the injected-failure test covers that case.
            assumeTrue(!Files.isWritable(dest), "running with privileges that ignore permissions");
            try (HashingFileCopier copier = new HashingFileCopier()) {
                assertThrows(IOException.class, () -> copier.copy(src, dest, "t.heap"));
            }
        } finally {
            Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwx------"));
        }
        assertEquals(List.of(), listing(dest));
    }

    @Test
    void missingDestinationDirectory() throws Exception {
        Path src = source(10, 5);
        try (HashingFileCopier copier = new HashingFileCopier()) {
            assertThrows(NoSuchFileException.class, () -> copier.copy(src, dir.resolve("nope"), "t.heap"));
        }
        assertFalse(Files.exists(dir.resolve("nope")));
    }

    @Test
    void refusesNonRegularSources() throws Exception {
        Path dest = destination();
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, source(10, 6));
        try (HashingFileCopier copier = new HashingFileCopier()) {
            IOException missing = assertThrows(IOException.class,
                    () -> copier.copy(dir.resolve("absent"), dest, "a.heap"));
            assertTrue(missing.getMessage().contains("not a regular file"), missing.getMessage());
            assertThrows(IOException.class, () -> copier.copy(dir, dest, "b.heap"));
            assertThrows(IOException.class, () -> copier.copy(link, dest, "c.heap"));
        }
        assertEquals(List.of(), listing(dest));
    }

    @Test
    void refusesToReplaceExistingFile() throws Exception {
        Path dest = destination();
        Files.writeString(dest.resolve("t.heap"), "keep me");
        try (HashingFileCopier copier = new HashingFileCopier()) {
            assertThrows(FileAlreadyExistsException.class, () -> copier.copy(source(10, 7), dest, "t.heap"));
        }
        assertEquals("keep me", Files.readString(dest.resolve("t.heap")));
        assertEquals(List.of("t.heap"), listing(dest));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "..", "a/b", "a\\b", "../x", "a\0b"})
    void refusesNonPlainNames(String name) throws Exception {
        Path dest = destination();
        Path src = source(10, 8);
        try (HashingFileCopier copier = new HashingFileCopier()) {
            assertThrows(IllegalArgumentException.class, () -> copier.copy(src, dest, name));
        }
        assertEquals(List.of(), listing(dest));
    }

    @Test
    void rejectsNonPositiveBlockSize() {
        assertThrows(IllegalArgumentException.class, () -> new HashingFileCopier(0, HashingFileCopier.Hooks.NONE));
    }

    @Test
    void temporaryName() {
        assertEquals(".t.heap.tmp", HashingFileCopier.temporaryName("t.heap"));
    }

    @Test
    void createsPrivateDirectory() throws Exception {
        Path backup = dir.resolve("backup");
        HashingFileCopier.createPrivateDirectory(backup);
        assertTrue(Files.isDirectory(backup));
        if (posix(backup)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        }
        assertThrows(FileAlreadyExistsException.class, () -> HashingFileCopier.createPrivateDirectory(backup));
        assertThrows(NoSuchFileException.class,
                () -> HashingFileCopier.createPrivateDirectory(dir.resolve("missing/child")));
    }

    @Test
    void syncDirectoryWorks() throws Exception {
        HashingFileCopier.syncDirectory(dir);
    }

    /** Whether the file system of {@code dir} accepts {@code O_DIRECT} at all (the copier falls back if not). */
    private static boolean directIoPossible(Path dir) {
        Path probe = dir.resolve("direct-probe");
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(probe,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE,
                com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return Files.getFileStore(dir).getBlockSize() <= 8192;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * Direct copies with a block the file system's block divides: lengths on and beside the 4 KiB and copy-block
     * boundaries come out byte-identical, with the right hash and an exact length (the padding of the last direct
     * write is cut off), and nothing else is left in the directory.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 3 * 8192 + 17, 5 * 8192})
    void directCopiesAreExact(int length) throws Exception {
        Path src = source(length, 11L * length + 1);
        Path dest = destination();
        try (HashingFileCopier copier = new HashingFileCopier(8192, HashingFileCopier.Hooks.NONE, true)) {
            HashingFileCopier.Result result = copier.copy(src, dest, "t.heap");
            assertEquals(length, result.lengthBytes());
            assertEquals(Blake3.hex(Files.readAllBytes(src)), result.blake3Hex());
            if (directIoPossible(dir)) {
                assertEquals(1, copier.directCopies(), "this file system accepts O_DIRECT, so the copy used it");
            }
        }
        assertEquals(length, Files.size(dest.resolve("t.heap")));
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dest.resolve("t.heap")));
        assertEquals(List.of("t.heap"), listing(dest));
    }

    @Test
    void directIoOffOrUnalignedBlockWritesNormally() throws Exception {
        Path src = source(20_000, 5);
        try (HashingFileCopier off = new HashingFileCopier(8192, HashingFileCopier.Hooks.NONE, false);
             HashingFileCopier odd = new HashingFileCopier(1000, HashingFileCopier.Hooks.NONE, true)) {
            Path a = Files.createDirectory(dir.resolve("a"));
            Path b = Files.createDirectory(dir.resolve("b"));
            assertEquals(Blake3.hex(Files.readAllBytes(src)), off.copy(src, a, "x.heap").blake3Hex());
            assertEquals(Blake3.hex(Files.readAllBytes(src)), odd.copy(src, b, "x.heap").blake3Hex());
            assertEquals(0, off.directCopies());
            assertEquals(0, odd.directCopies());
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(a.resolve("x.heap")));
            assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(b.resolve("x.heap")));
        }
    }

    /** A file system that refuses O_DIRECT (simulated, after the file was created) gets an ordinary copy. */
    @Test
    void refusedDirectIoFallsBackToOrdinaryWrites() throws Exception {
        Path src = source(3 * 8192 + 5, 6);
        Path dest = destination();
        HashingFileCopier.Hooks hooks = new HashingFileCopier.Hooks() {
            @Override
            public void beforeDirectOpen(Path temporary) throws IOException {
                Files.write(temporary, new byte[] {1, 2, 3}); // as a refused open may leave it
                throw new IOException("Invalid argument (injected)");
            }
        };
        try (HashingFileCopier copier = new HashingFileCopier(8192, hooks, true)) {
            HashingFileCopier.Result r = copier.copy(src, dest, "t.heap");
            assertEquals(Blake3.hex(Files.readAllBytes(src)), r.blake3Hex());
            assertEquals(0, copier.directCopies());
        }
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dest.resolve("t.heap")));
        assertEquals(List.of("t.heap"), listing(dest));
    }

    /** Injected failures in a direct copy (including after its padded last block) leave nothing behind. */
    @ParameterizedTest
    @ValueSource(strings = {"afterFirstBlock", "afterLastBlock", "beforeRename", "beforeDirectorySync"})
    void directFailureLeavesNothingBehind(String step) throws Exception {
        int length = 3 * 8192 + 100;
        Path src = source(length, 8);
        Path dest = destination();
        HashingFileCopier.Hooks hooks = new HashingFileCopier.Hooks() {
            @Override
            public void afterBlockWritten(Path temporary, long bytesWritten) throws IOException {
                if (step.equals("afterFirstBlock") || (step.equals("afterLastBlock") && bytesWritten == length)) {
                    throw new IOException("injected: " + step);
                }
            }

            @Override
            public void beforeRename(Path temporary) throws IOException {
                assertEquals(length, Files.size(temporary), "padding cut before the rename");
                if (step.equals("beforeRename")) {
                    throw new IOException("injected: " + step);
                }
            }

            @Override
            public void beforeDirectorySync(Path target) throws IOException {
                if (step.equals("beforeDirectorySync")) {
                    throw new IOException("injected: " + step);
                }
            }
        };
        try (HashingFileCopier copier = new HashingFileCopier(8192, hooks, true)) {
            IOException e = assertThrows(IOException.class, () -> copier.copy(src, dest, "t.heap"));
            assertEquals("injected: " + step, e.getMessage());
        }
        assertEquals(List.of(), listing(dest));
    }

    @Test
    void directIoSettingIsParsedStrictly() {
        String old = System.getProperty(HashingFileCopier.DIRECT_IO_PROPERTY);
        try {
            System.clearProperty(HashingFileCopier.DIRECT_IO_PROPERTY);
            assertTrue(HashingFileCopier.directIoSetting());
            System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, " FALSE ");
            assertFalse(HashingFileCopier.directIoSetting());
            System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, "true");
            assertTrue(HashingFileCopier.directIoSetting());
            System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, "yes");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    HashingFileCopier::directIoSetting);
            assertTrue(e.getMessage().contains(HashingFileCopier.DIRECT_IO_PROPERTY) && e.getMessage().contains("yes"),
                    e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(HashingFileCopier.DIRECT_IO_PROPERTY);
            } else {
                System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, old);
            }
        }
    }
}
