package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineBenchTest {
    @TempDir
    Path tmp;

    @Test
    void insertedNamesHaveTheRowSourceLength() {
        String name = OnlineBench.nameFor(7_570_024);
        assertEquals(RowSource.NAME_BYTES, name.length());
        assertTrue(name.startsWith("writer-7570024-xx"), name);
        assertEquals(RowSource.NAME_BYTES, OnlineBench.nameFor(Long.MAX_VALUE).length());
    }

    @Test
    void freeSpaceCoversFourDatabasesAndTwoWals() {
        assertEquals(4_000_000_000L + 400_000_000L + 200_000_000L, OnlineBench.neededBytes(1000, 200));
        assertEquals(200_000_000L + 40_000_000L + 200_000_000L, OnlineBench.neededBytes(50, 20));
    }

    @Test
    void walBytesCountsSegmentFilesOnly() throws Exception {
        Path wal = Files.createDirectories(tmp.resolve("wal"));
        Files.write(wal.resolve("0000000000000001.wal"), new byte[1000]);
        Files.write(wal.resolve("00000000000003e9.wal"), new byte[24]);
        Files.write(wal.resolve("notes.txt"), new byte[500]);
        Files.createDirectories(wal.resolve("sub.wal"));
        assertArrayEquals(new long[] {1024, 2}, WalReplayBench.walBytes(tmp));
    }
}
