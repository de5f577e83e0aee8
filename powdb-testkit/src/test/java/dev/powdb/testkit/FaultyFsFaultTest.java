package dev.powdb.testkit;

import dev.powdb.storage.io.StorageFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static dev.powdb.testkit.FaultyFsTest.durable;
import static dev.powdb.testkit.FaultyFsTest.read;
import static dev.powdb.testkit.FaultyFsTest.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Injected I/O errors, a full disk and the power-off countdown of {@link FaultyFs}. */
class FaultyFsFaultTest {
    private static final Path DIR = Path.of("/db");
    private static final Path FILE = DIR.resolve("t.heap");

    private static FaultyFs newFs() throws IOException {
        FaultyFs fs = new FaultyFs(3);
        fs.createDirectories(DIR);
        fs.syncDirectory(Path.of("/"));
        return fs;
    }

    @Test
    void writesFailFromTheChosenOneOnUntilCleared() throws IOException {
        FaultyFs fs = newFs();
        try (StorageFile f = fs.open(FILE, true)) {
            fs.failWritesAfter(2);
            write(f, 0, "a");
            write(f, 1, "b");
            ByteBuffer src = ByteBuffer.wrap(FaultyFsTest.bytes("c"));
            IOException e = assertThrows(IOException.class, () -> f.write(src, 2));
            assertEquals("injected write failure", e.getMessage());
            assertEquals(1, src.remaining(), "a failed write consumes nothing");
            assertThrows(IOException.class, () -> f.truncate(0));
            assertEquals("ab", read(fs, FILE));
            fs.clearFaults();
            write(f, 2, "c");
        }
        assertEquals("abc", read(fs, FILE));
        assertEquals(3, fs.writeCount());
        assertEquals(2, fs.failureCount());
    }

    @Test
    void syncsFailFromTheChosenOneOn() throws IOException {
        FaultyFs fs = newFs();
        try (StorageFile f = fs.open(FILE, true)) {
            fs.failSyncsAfter(1);
            write(f, 0, "a");
            f.sync();
            write(f, 1, "b");
            assertThrows(IOException.class, f::sync);
            assertThrows(IOException.class, f::sync);
        }
        assertEquals("a", durable(fs, FILE));
        assertEquals(1, fs.syncCount());
    }

    @Test
    void aFailedSyncLosesItsWritesEvenIfALaterSyncSucceeds() throws IOException {
        FaultyFs fs = newFs();
        try (StorageFile f = fs.open(FILE, true)) {
            write(f, 0, "keep");
            f.sync();
            write(f, 4, "LOST");
            fs.failNextSync();
            IOException e = assertThrows(IOException.class, f::sync);
            assertEquals("injected fsync failure", e.getMessage());
            assertEquals("keepLOST", read(fs, FILE), "the page cache still shows the data");
            f.sync();
            write(f, 8, "late");
            f.sync();
        }
        fs.syncDirectory(DIR);
        assertEquals("keep\0\0\0\0late", durable(fs, FILE));
        fs.crash(CrashMode.RANDOM);
        assertEquals("keep\0\0\0\0late", read(fs, FILE));
    }

    @Test
    void lostWritesSurviveOnlyAProcessCrash() throws IOException {
        FaultyFs fs = newFs();
        try (StorageFile f = fs.open(FILE, true)) {
            for (int i = 0; i < 16; i++) {
                write(f, i * 512L, "sector " + i);
            }
            fs.failNextSync();
            assertThrows(IOException.class, f::sync);
        }
        fs.syncDirectory(DIR);
        String visible = read(fs, FILE);
        FaultyFs.Snapshot before = fs.snapshot();
        fs.crash(CrashMode.KEEP_ALL);
        assertEquals(visible, read(fs, FILE));
        for (CrashMode mode : new CrashMode[] {CrashMode.RANDOM, CrashMode.TORN, CrashMode.DROP_ALL}) {
            fs.restore(before);
            fs.crash(mode);
            assertEquals("", read(fs, FILE), mode.name());
        }
    }

    @Test
    void aFailedDirectorySyncLeavesItsChangesUnsynced() throws IOException {
        FaultyFs fs = newFs();
        fs.open(FILE, true).close();
        fs.failNextDirectorySync();
        assertThrows(IOException.class, () -> fs.syncDirectory(DIR));
        assertFalse(fs.existsDurably(FILE));
        fs.crash(CrashMode.DROP_ALL);
        assertFalse(fs.exists(FILE));
        assertTrue(fs.exists(DIR));
        assertEquals(1, fs.directorySyncCount(), "only the sync of / in newFs counts");
    }

    @Test
    void aFullDiskRefusesGrowthAndLeavesPriorDataIntact() throws IOException {
        FaultyFs fs = newFs();
        fs.setDiskCapacity(10);
        try (StorageFile f = fs.open(FILE, true); StorageFile g = fs.open(DIR.resolve("g"), true)) {
            write(f, 0, "123456");
            f.sync();
            write(g, 0, "ab");
            IOException e = assertThrows(IOException.class, () -> write(f, 6, "789"));
            assertEquals("No space left on device", e.getMessage());
            assertEquals("123456", read(fs, FILE));
            assertEquals(6, f.size());
            write(f, 0, "AB");
            write(f, 6, "78");
            assertEquals(10, fs.storedBytes());
            assertThrows(IOException.class, () -> write(g, 2, "c"));
        }
        fs.deleteIfExists(DIR.resolve("g"));
        try (StorageFile f = fs.open(FILE, false)) {
            write(f, 8, "90");
        }
        assertEquals("AB34567890", read(fs, FILE));
        assertEquals("123456", durable(fs, FILE));
    }

    @Test
    void powerOffStopsEveryCallUntilACrash() throws IOException {
        FaultyFs fs = newFs();
        StorageFile f = fs.open(FILE, true);
        fs.syncDirectory(DIR);
        fs.powerOffAfterWrites(2);
        write(f, 0, "a");
        assertFalse(fs.isPoweredOff());
        write(f, 1, "b");
        assertTrue(fs.isPoweredOff());
        assertThrows(IOException.class, () -> write(f, 2, "c"));
        assertThrows(IOException.class, () -> f.read(ByteBuffer.allocate(1), 0));
        assertThrows(IOException.class, f::sync);
        assertThrows(IOException.class, () -> fs.open(FILE, false));
        assertThrows(IOException.class, () -> fs.list(DIR));
        assertThrows(IOException.class, () -> fs.syncDirectory(DIR));
        assertThrows(IOException.class, () -> fs.rename(FILE, DIR.resolve("x")));
        assertThrows(UncheckedIOException.class, () -> fs.exists(FILE));
        fs.clearFaults();
        assertTrue(fs.isPoweredOff(), "only a crash reboots the machine");

        fs.crash(CrashMode.KEEP_ALL);
        assertFalse(fs.isPoweredOff());
        assertEquals("ab", read(fs, FILE));
        try (StorageFile g = fs.open(FILE, false)) {
            write(g, 2, "c");
        }
    }

    @Test
    void powerOffAfterZeroWritesStopsAtOnceAndClearFaultsCancelsACountdown() throws IOException {
        FaultyFs fs = newFs();
        fs.powerOffAfterWrites(0);
        assertTrue(fs.isPoweredOff());
        fs.crash(CrashMode.DROP_ALL);
        fs.createDirectories(DIR);
        fs.powerOffAfterWrites(1);
        fs.clearFaults();
        try (StorageFile f = fs.open(FILE, true)) {
            write(f, 0, "a");
            write(f, 1, "b");
        }
        assertFalse(fs.isPoweredOff());
    }

    @Test
    void clearFaultsDisarmsEverything() throws IOException {
        FaultyFs fs = newFs();
        fs.failWritesAfter(0);
        fs.failSyncsAfter(0);
        fs.failNextSync();
        fs.failNextDirectorySync();
        fs.setDiskCapacity(0);
        fs.clearFaults();
        try (StorageFile f = fs.open(FILE, true)) {
            write(f, 0, "data");
            f.sync();
        }
        fs.syncDirectory(DIR);
        assertEquals(0, fs.failureCount());
        assertEquals(1, fs.writeCount());
        assertEquals(1, fs.syncCount());
        assertEquals(2, fs.directorySyncCount(), "the sync of / in newFs and of /db");
    }

    @Test
    void faultArgumentsAreValidated() {
        FaultyFs fs = new FaultyFs(1);
        assertThrows(IllegalArgumentException.class, () -> fs.failWritesAfter(-1));
        assertThrows(IllegalArgumentException.class, () -> fs.failSyncsAfter(-1));
        assertThrows(IllegalArgumentException.class, () -> fs.powerOffAfterWrites(-1));
        assertThrows(IllegalArgumentException.class, () -> fs.setDiskCapacity(-1));
    }
}
