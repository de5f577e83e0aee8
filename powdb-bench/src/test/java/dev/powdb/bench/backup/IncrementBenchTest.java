package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementBenchTest {
    @TempDir
    Path tmp;

    /** A delta header as powdb-backup's DeltaFile writes it, followed by a little filler. */
    private static byte[] delta(long pages) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(IncrementBench.DELTA_MAGIC).putInt(1).putInt(4096).putInt(7).putInt((int) pages).putLong(0).putLong(0);
        return b.array();
    }

    @Test
    void countsThePagesOfEveryDelta() throws Exception {
        Files.write(tmp.resolve("users.heap.delta"), delta(12));
        Files.write(tmp.resolve("users.id.idx.delta"), delta(3));
        Files.write(tmp.resolve("catalog.bin"), new byte[100]);
        Files.write(tmp.resolve("manifest.json"), "{}".getBytes());
        assertEquals(15, IncrementBench.deltaPages(tmp));
    }

    @Test
    void noDeltasNoPages() throws Exception {
        Files.write(tmp.resolve("control.bin"), new byte[10]);
        assertEquals(0, IncrementBench.deltaPages(tmp));
    }

    @Test
    void pageCountIsUnsigned() throws Exception {
        Files.write(tmp.resolve("big.heap.delta"), delta(0xFFFF_FFFFL));
        assertEquals(0xFFFF_FFFFL, IncrementBench.deltaPages(tmp));
    }

    @Test
    void rejectsForeignAndTruncatedDeltas() throws Exception {
        byte[] wrong = delta(1);
        wrong[0] = 'X';
        Files.write(tmp.resolve("a.heap.delta"), wrong);
        IOException e = assertThrows(IOException.class, () -> IncrementBench.deltaPages(tmp));
        assertTrue(e.getMessage().contains("magic XOWDBDLT, expected POWDBDLT"), e.getMessage());
        Files.delete(tmp.resolve("a.heap.delta"));
        Files.write(tmp.resolve("b.heap.delta"), new byte[23]);
        e = assertThrows(IOException.class, () -> IncrementBench.deltaPages(tmp));
        assertTrue(e.getMessage().contains("23 bytes, shorter than a delta header"), e.getMessage());
    }
}
