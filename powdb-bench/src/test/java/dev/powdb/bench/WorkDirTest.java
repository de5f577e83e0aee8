package dev.powdb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirTest {
    @TempDir
    Path tmp;

    @Test
    void createsMissingDirectoryWithMarker() throws IOException {
        Path dir = tmp.resolve("a/b");
        WorkDir.reset(dir);
        assertTrue(Files.exists(dir.resolve(WorkDir.MARKER)));
    }

    @Test
    void wipesItsOwnDirectory() throws IOException {
        Path dir = tmp.resolve("w");
        WorkDir.reset(dir);
        Files.createDirectories(dir.resolve("sqlite"));
        Files.writeString(dir.resolve("sqlite/bench.db"), "x");
        WorkDir.reset(dir);
        assertFalse(Files.exists(dir.resolve("sqlite")));
        assertTrue(Files.exists(dir.resolve(WorkDir.MARKER)));
    }

    @Test
    void refusesForeignNonEmptyDirectory() throws IOException {
        Path dir = tmp.resolve("precious");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("data.txt"), "keep me");
        IOException e = assertThrows(IOException.class, () -> WorkDir.reset(dir));
        assertTrue(e.getMessage().contains("refusing to delete"), e.getMessage());
        assertEquals("keep me", Files.readString(dir.resolve("data.txt")));
    }

    @Test
    void refusesRegularFile() throws IOException {
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        IOException e = assertThrows(IOException.class, () -> WorkDir.reset(file));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void removesSymlinkNotItsTarget() throws IOException {
        Path dir = tmp.resolve("w");
        WorkDir.reset(dir);
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Files.createSymbolicLink(dir.resolve("link"), outside);
        WorkDir.reset(dir);
        assertEquals("keep", Files.readString(outside.resolve("keep.txt")));
    }
}
