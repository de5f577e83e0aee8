package dev.powdb.testkit;

import dev.powdb.storage.io.StorageFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.powdb.testkit.FaultyFsTest.durable;
import static dev.powdb.testkit.FaultyFsTest.read;
import static dev.powdb.testkit.FaultyFsTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What {@link FaultyFs#crash(CrashMode)} keeps, loses and damages. */
class FaultyFsCrashTest {
    private static final Path DIR = Path.of("/db");
    private static final Path FILE = DIR.resolve("t.heap");

    /** What a crash left of one unsynced write. */
    private enum Fate { KEPT, DROPPED, ZEROED, PREFIX, FLIPPED }

    /** A file system whose {@code /db} directory and {@code /db/t.heap} with {@code contents} are durable. */
    private static FaultyFs withDurableFile(long seed, byte[] contents) throws IOException {
        FaultyFs fs = new FaultyFs(seed);
        fs.createDirectories(DIR);
        fs.syncDirectory(Path.of("/"));
        try (StorageFile f = fs.open(FILE, true)) {
            f.write(ByteBuffer.wrap(contents), 0);
            f.sync();
        }
        fs.syncDirectory(DIR);
        return fs;
    }

    private static void writeAt(FaultyFs fs, Path path, long position, byte[] bytes) throws IOException {
        try (StorageFile f = fs.open(path, true)) {
            f.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void syncedDataSurvivesEveryCrashMode(CrashMode mode) throws IOException {
        for (long seed = 0; seed < 20; seed++) {
            byte[] synced = new byte[4096];
            new Random(seed).nextBytes(synced);
            FaultyFs fs = withDurableFile(seed, synced);
            for (int i = 0; i < 8; i++) {
                writeAt(fs, FILE, 4096 + 700L * i, filled(900, 0x7F));
            }
            writeAt(fs, DIR.resolve("other"), 0, filled(100, 1));
            fs.crash(mode);
            byte[] after = fs.readCurrent(FILE);
            assertArrayEquals(synced, Arrays.copyOf(after, 4096), "seed " + seed);
            assertArrayEquals(after, fs.readDurable(FILE), "after a crash what is visible is durable");
        }
    }

    @Test
    void dropAllLosesExactlyTheUnsyncedWrites() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("aaaaaaaa"));
        try (StorageFile f = fs.open(FILE, false)) {
            write(f, 0, "1111");
            f.sync();
            write(f, 2, "BB");
            write(f, 8, "CCCC");
            f.truncate(10);
            assertEquals("11BBaaaaCC", read(fs, FILE));
        }
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("1111aaaa", read(fs, FILE));
        assertEquals(8, fs.durableSize(FILE));
        assertEquals(0, fs.unsyncedWriteCount(FILE));
    }

    @Test
    void keepAllKeepsEveryWriteAndDirectoryChange() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("aaaa"));
        writeAt(fs, FILE, 4, FaultyFsTest.bytes("bb"));
        writeAt(fs, DIR.resolve("x.tmp"), 0, FaultyFsTest.bytes("x"));
        fs.rename(DIR.resolve("x.tmp"), DIR.resolve("x"));
        fs.createDirectories(DIR.resolve("wal"));
        fs.crash(CrashMode.KEEP_ALL);
        assertEquals("aaaabb", durable(fs, FILE));
        assertEquals("x", durable(fs, DIR.resolve("x")));
        assertEquals(List.of("t.heap", "wal", "x"), fs.list(DIR));
        assertEquals(0, fs.unsyncedDirectoryChangeCount());
    }

    @Test
    void fileCreatedWithoutDirectorySyncVanishes() throws IOException {
        FaultyFs fs = withDurableFile(1, new byte[0]);
        Path created = DIR.resolve("new.wal");
        try (StorageFile f = fs.open(created, true)) {
            write(f, 0, "synced contents");
            f.sync();
        }
        assertFalse(fs.existsDurably(created));
        fs.crash(CrashMode.DROP_ALL);
        assertFalse(fs.exists(created));
        assertEquals(List.of("t.heap"), fs.list(DIR));
    }

    @Test
    void fileCreatedWithDirectorySyncSurvives() throws IOException {
        FaultyFs fs = withDurableFile(1, new byte[0]);
        Path created = DIR.resolve("new.wal");
        try (StorageFile f = fs.open(created, true)) {
            write(f, 0, "synced");
            f.sync();
            write(f, 6, "-unsynced");
        }
        fs.syncDirectory(DIR);
        assertTrue(fs.existsDurably(created));
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("synced", read(fs, created));
    }

    @Test
    void directoryCreatedWithoutParentSyncVanishesWithItsFiles() throws IOException {
        FaultyFs fs = withDurableFile(1, new byte[0]);
        fs.createDirectories(DIR.resolve("wal"));
        try (StorageFile f = fs.open(DIR.resolve("wal/0.wal"), true)) {
            write(f, 0, "records");
            f.sync();
        }
        fs.syncDirectory(DIR.resolve("wal"));
        fs.crash(CrashMode.DROP_ALL);
        assertFalse(fs.exists(DIR.resolve("wal")));

        fs.createDirectories(DIR.resolve("wal"));
        fs.syncDirectory(DIR);
        fs.crash(CrashMode.DROP_ALL);
        assertTrue(fs.isDirectory(DIR.resolve("wal")));
    }

    @Test
    void directoriesCreatedDurablySurviveACrash() throws IOException {
        FaultyFs fs = new FaultyFs(1);
        fs.createDirectoriesDurably(Path.of("/data/pow/wal"));
        assertEquals(0, fs.unsyncedDirectoryChangeCount());
        fs.crash(CrashMode.DROP_ALL);
        assertTrue(fs.isDirectory(Path.of("/data/pow/wal")));
    }

    @Test
    void renameWithoutDirectorySyncReverts() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("old"));
        Path tmp = DIR.resolve("t.heap.tmp");
        try (StorageFile f = fs.open(tmp, true)) {
            write(f, 0, "new");
            f.sync();
        }
        fs.syncDirectory(DIR);
        fs.rename(tmp, FILE);
        assertEquals("new", read(fs, FILE));
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("old", read(fs, FILE));
        assertEquals("new", read(fs, tmp));

        fs.rename(tmp, FILE);
        fs.syncDirectory(DIR);
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("new", read(fs, FILE));
        assertFalse(fs.exists(tmp));
    }

    @Test
    void deleteWithoutDirectorySyncIsUndone() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("rows"));
        fs.deleteIfExists(FILE);
        assertFalse(fs.exists(FILE));
        assertTrue(fs.existsDurably(FILE));
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("rows", read(fs, FILE));

        fs.deleteIfExists(FILE);
        fs.syncDirectory(DIR);
        fs.crash(CrashMode.DROP_ALL);
        assertFalse(fs.exists(FILE));
    }

    @Test
    void unsyncedTruncationRevertsOnDropAll() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("0123456789"));
        try (StorageFile f = fs.open(FILE, false)) {
            f.truncate(3);
        }
        assertEquals(10, fs.durableSize(FILE));
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("0123456789", read(fs, FILE));
    }

    @Test
    void randomModeKeepsOrDropsEachUnsyncedTruncation() throws IOException {
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            FaultyFs fs = withDurableFile(seed, FaultyFsTest.bytes("0123456789"));
            try (StorageFile f = fs.open(FILE, false)) {
                f.truncate(4);
            }
            fs.crash(CrashMode.RANDOM);
            String after = read(fs, FILE);
            assertTrue(after.equals("0123") || after.equals("0123456789"), after);
            outcomes.add(after);
        }
        assertEquals(2, outcomes.size());
    }

    @Test
    void openHandlesDieInACrashAndTheFileSystemWorksAfterwards() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("abc"));
        StorageFile old = fs.open(FILE, false);
        fs.crash(CrashMode.KEEP_ALL);
        List<IOException> errors = new ArrayList<>();
        errors.add(assertThrows(IOException.class, () -> write(old, 0, "x")));
        errors.add(assertThrows(IOException.class, () -> old.read(ByteBuffer.allocate(1), 0)));
        errors.add(assertThrows(IOException.class, old::size));
        errors.add(assertThrows(IOException.class, old::sync));
        errors.add(assertThrows(IOException.class, () -> old.truncate(0)));
        for (IOException e : errors) {
            assertTrue(e.getMessage().contains("crashed"), e.getMessage());
        }
        old.close();
        try (StorageFile fresh = fs.open(FILE, false)) {
            write(fresh, 3, "d");
            fresh.sync();
        }
        assertEquals("abcd", durable(fs, FILE));
        assertEquals(1, fs.crashCount());
    }

    @Test
    void randomModeKeepsDropsZeroesCutsAndFlipsWritesInAnyOrder() throws IOException {
        int slots = 64;
        int slotBytes = 128;
        int writeBytes = 100;
        EnumSet<Fate> seen = EnumSet.noneOf(Fate.class);
        boolean laterKeptAfterEarlierDropped = false;
        for (long seed = 0; seed < 3; seed++) {
            FaultyFs fs = withDurableFile(seed, filled(slots * slotBytes, 0x11));
            for (int i = 0; i < slots; i++) {
                writeAt(fs, FILE, (long) i * slotBytes, filled(writeBytes, 0xA0 + i % 16));
            }
            fs.crash(CrashMode.RANDOM);
            byte[] after = fs.readCurrent(FILE);
            assertEquals(slots * slotBytes, after.length);
            int firstDropped = Integer.MAX_VALUE;
            for (int i = 0; i < slots; i++) {
                int start = i * slotBytes;
                byte[] region = Arrays.copyOfRange(after, start, start + writeBytes);
                Fate fate = classify(region, filled(writeBytes, 0xA0 + i % 16), (byte) 0x11);
                seen.add(fate);
                assertArrayEquals(filled(slotBytes - writeBytes, 0x11),
                        Arrays.copyOfRange(after, start + writeBytes, start + slotBytes), "slot tail " + i);
                if (fate == Fate.DROPPED) {
                    firstDropped = Math.min(firstDropped, i);
                } else if (fate == Fate.KEPT && i > firstDropped) {
                    laterKeptAfterEarlierDropped = true;
                }
            }
        }
        assertEquals(EnumSet.allOf(Fate.class), seen);
        assertTrue(laterKeptAfterEarlierDropped);
    }

    /** Names what a crash did to a write of {@code written} over bytes that were all {@code old}. */
    private static Fate classify(byte[] region, byte[] written, byte old) {
        if (Arrays.equals(region, written)) {
            return Fate.KEPT;
        }
        if (Arrays.equals(region, filled(region.length, old))) {
            return Fate.DROPPED;
        }
        if (Arrays.equals(region, new byte[region.length])) {
            return Fate.ZEROED;
        }
        int k = 0;
        while (region[k] == written[k]) {
            k++;
        }
        if (Arrays.equals(Arrays.copyOfRange(region, k, region.length), filled(region.length - k, old))) {
            return Fate.PREFIX;
        }
        int flippedBits = 0;
        for (int i = 0; i < region.length; i++) {
            flippedBits += Integer.bitCount((region[i] ^ written[i]) & 0xFF);
        }
        if (flippedBits >= 1 && flippedBits <= 3) {
            return Fate.FLIPPED;
        }
        return fail("unexpected crash outcome " + Arrays.toString(region));
    }

    @Test
    void tornModeTearsWritesOnlyAtSectorBoundaries() throws IOException {
        int pages = 8;
        int tornPages = 0;
        for (long seed = 0; seed < 4; seed++) {
            FaultyFs fs = withDurableFile(seed, filled(pages * 4096 + 4096, 0x11));
            for (int p = 0; p < pages; p++) {
                writeAt(fs, FILE, p * 4096L, filled(4096, 0x22));
            }
            writeAt(fs, FILE, pages * 4096L + 300, filled(1500, 0x33));
            fs.crash(CrashMode.TORN);
            byte[] after = fs.readCurrent(FILE);
            assertEquals(pages * 4096 + 4096, after.length);
            for (int p = 0; p < pages; p++) {
                tornPages += checkSectorsWhole(after, p * 4096, 4096) ? 1 : 0;
            }
            checkSectorsWhole(after, pages * 4096 + 300, 1500);
        }
        assertTrue(tornPages > 0, "no page was torn");
    }

    /** Asserts each sector's part of the written range is all old or all new; returns whether both kinds occur. */
    private static boolean checkSectorsWhole(byte[] image, int start, int length) {
        Set<Byte> kinds = new HashSet<>();
        int pos = start;
        while (pos < start + length) {
            int end = Math.min(start + length, (pos / 512 + 1) * 512);
            byte first = image[pos];
            for (int i = pos; i < end; i++) {
                assertEquals(first, image[i], "sector torn inside at byte " + i);
            }
            assertTrue(first == 0x11 || first == 0x22 || first == 0x33, "unexpected byte " + first);
            kinds.add(first);
            pos = end;
        }
        return kinds.size() > 1;
    }

    @Test
    void randomModeKeepsDirectoryChangesAsAPrefixOfTheirOrder() throws IOException {
        List<String> order = List.of("a", "b", "c", "d");
        Set<List<String>> outcomes = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            FaultyFs fs = withDurableFile(seed, new byte[0]);
            for (String name : order) {
                fs.open(DIR.resolve(name), true).close();
            }
            fs.crash(CrashMode.RANDOM);
            List<String> names = new ArrayList<>(fs.list(DIR));
            names.remove("t.heap");
            assertEquals(order.subList(0, names.size()), names, "seed " + seed);
            outcomes.add(names);
        }
        assertEquals(order.size() + 1, outcomes.size());
    }

    @ParameterizedTest
    @EnumSource(value = CrashMode.class, names = {"RANDOM", "TORN"})
    void anUnsyncedRenameSurvivesWholeOrNotAtAll(CrashMode mode) throws IOException {
        Path tmp = DIR.resolve("catalog.tmp");
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            FaultyFs fs = withDurableFile(seed, FaultyFsTest.bytes("old"));
            writeAt(fs, tmp, 0, FaultyFsTest.bytes("new"));
            try (StorageFile f = fs.open(tmp, false)) {
                f.sync();
            }
            fs.syncDirectory(DIR);
            fs.rename(tmp, FILE);
            fs.crash(mode);
            String outcome = fs.list(DIR) + " " + read(fs, FILE);
            assertTrue(outcome.equals("[catalog.tmp, t.heap] old") || outcome.equals("[t.heap] new"),
                    "seed " + seed + ": " + outcome);
            outcomes.add(outcome);
        }
        assertEquals(2, outcomes.size());
    }

    @ParameterizedTest
    @EnumSource(value = CrashMode.class, names = {"RANDOM", "TORN"})
    void theSameSeedGivesTheSameOutcome(CrashMode mode) throws IOException {
        Set<String> outcomes = new HashSet<>();
        for (long seed = 0; seed < 6; seed++) {
            String first = crashedWorkload(seed, mode);
            assertEquals(first, crashedWorkload(seed, mode), "seed " + seed);
            outcomes.add(first);
        }
        assertTrue(outcomes.size() > 1, "different seeds should give different outcomes");
    }

    /** Runs a fixed workload on a file system seeded with {@code seed}, crashes it, and describes the result. */
    private static String crashedWorkload(long seed, CrashMode mode) throws IOException {
        FaultyFs fs = withDurableFile(seed, filled(2048, 0x11));
        Random data = new Random(99);
        for (int i = 0; i < 20; i++) {
            byte[] b = new byte[1 + data.nextInt(1500)];
            data.nextBytes(b);
            writeAt(fs, DIR.resolve("f" + i % 3), data.nextInt(3000), b);
            writeAt(fs, FILE, data.nextInt(3000), b);
        }
        fs.rename(DIR.resolve("f0"), DIR.resolve("g0"));
        fs.crash(mode);
        StringBuilder out = new StringBuilder();
        for (String name : fs.list(DIR)) {
            out.append(name).append('=').append(Arrays.hashCode(fs.readCurrent(DIR.resolve(name)))).append(';');
        }
        return out.toString();
    }

    @Test
    void snapshotRestoresTheWholeStateIncludingUnsyncedWrites() throws IOException {
        FaultyFs fs = withDurableFile(1, FaultyFsTest.bytes("a"));
        writeAt(fs, FILE, 1, FaultyFsTest.bytes("b"));
        FaultyFs.Snapshot before = fs.snapshot();
        StorageFile handle = fs.open(FILE, false);
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("a", read(fs, FILE));

        fs.restore(before);
        assertThrows(IOException.class, handle::size);
        assertEquals("ab", read(fs, FILE));
        assertEquals("a", durable(fs, FILE));
        fs.crash(CrashMode.KEEP_ALL);
        assertEquals("ab", read(fs, FILE));

        fs.restore(before);
        FaultyFs copy = fs.copy(7);
        fs.crash(CrashMode.DROP_ALL);
        assertEquals("ab", read(copy, FILE));
        assertEquals(1, copy.unsyncedWriteCount(FILE));
    }

    @Test
    void corruptDurableByteFlipsOneBitThatSurvivesCrashes() throws IOException {
        byte[] original = FaultyFsTest.bytes("page contents");
        FaultyFs fs = withDurableFile(1, original);
        fs.corruptDurableByte(FILE, 5);
        fs.crash(CrashMode.DROP_ALL);
        byte[] after = fs.readCurrent(FILE);
        for (int i = 0; i < original.length; i++) {
            int bits = Integer.bitCount((original[i] ^ after[i]) & 0xFF);
            assertEquals(i == 5 ? 1 : 0, bits, "byte " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> fs.corruptDurableByte(FILE, original.length));
        assertThrows(IllegalArgumentException.class, () -> fs.corruptDurableByte(FILE, -1));
    }

    @Test
    void durableSizeFollowsSyncsNotWrites() throws IOException {
        FaultyFs fs = withDurableFile(1, new byte[0]);
        try (StorageFile f = fs.open(FILE, false)) {
            write(f, 0, "0123456789");
            assertEquals(0, fs.durableSize(FILE));
            f.sync();
            assertEquals(10, fs.durableSize(FILE));
            f.truncate(4);
            assertEquals(10, fs.durableSize(FILE));
            assertEquals(1, fs.unsyncedWriteCount(FILE));
        }
        assertThrows(IOException.class, () -> fs.durableSize(DIR.resolve("missing")));
    }
}
