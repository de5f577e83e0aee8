package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskTest {
    @TempDir
    Path tmp;

    @Test
    void workDirIsCreatedEmptiedAndGuarded() throws Exception {
        Path work = tmp.resolve("work");
        Disk.resetWorkDir(work);
        assertTrue(Files.exists(work.resolve(Disk.MARKER)));
        Files.createDirectories(work.resolve("a/b"));
        Files.write(work.resolve("a/b/f"), new byte[10]);
        Disk.resetWorkDir(work);
        assertFalse(Files.exists(work.resolve("a")), "a marked directory is emptied");

        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("precious.txt"), "keep");
        IOException e = assertThrows(IOException.class, () -> Disk.resetWorkDir(foreign));
        assertTrue(e.getMessage().contains("refusing"), e.getMessage());
        assertTrue(Files.exists(foreign.resolve("precious.txt")));

        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        assertThrows(IOException.class, () -> Disk.resetWorkDir(file));

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        Disk.resetWorkDir(empty);
        assertTrue(Files.exists(empty.resolve(Disk.MARKER)), "an empty directory may be taken");
    }

    @Test
    void sizesAndFilesCountRegularFilesOnly() throws Exception {
        Files.createDirectories(tmp.resolve("d/sub"));
        Files.write(tmp.resolve("d/one"), new byte[100]);
        Files.write(tmp.resolve("d/sub/two"), new byte[23]);
        Files.createSymbolicLink(tmp.resolve("d/link"), tmp.resolve("d/one"));
        assertEquals(123, Disk.sizeBytes(tmp.resolve("d")));
        assertEquals(0, Disk.sizeBytes(tmp.resolve("missing")));
        assertEquals(List.of(tmp.resolve("d/one"), tmp.resolve("d/sub/two")), Disk.regularFiles(tmp.resolve("d")));
        Disk.deleteTree(tmp.resolve("d"));
        assertFalse(Files.exists(tmp.resolve("d")));
        assertTrue(Files.exists(tmp.resolve("d/one").getParent().getParent()), "only the tree is removed");
        Disk.deleteTree(tmp.resolve("d")); // missing: nothing happens
    }

    @Test
    void runReportsFailuresWithOutput() throws Exception {
        assertEquals("hi\n", Disk.run(List.of("echo", "hi")));
        IOException e = assertThrows(IOException.class, () -> Disk.run(List.of("sh", "-c", "echo boom; exit 3")));
        assertTrue(e.getMessage().contains("exited with 3") && e.getMessage().contains("boom"), e.getMessage());
    }
}
