package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsyncInterferenceProbeTest {
    @TempDir
    Path dir;

    @Test
    void quantilesAndCountsUseNearestRank() {
        long[] ns = {1_000_000, 2_000_000, 3_000_000, 20_000_000};
        FsyncInterferenceProbe.Result r = new FsyncInterferenceProbe.Result(true, 2_000_000, 0.5, ns);
        assertEquals(4.0, r.mbPerSecond(), 1e-9);
        assertEquals(2.0, r.quantileMs(0.5), 1e-9);
        assertEquals(20.0, r.quantileMs(0.99), 1e-9);
        assertEquals(20.0, r.quantileMs(1.0), 1e-9);
        assertEquals(1, r.over(10_000_000));
        assertEquals(0.0, new FsyncInterferenceProbe.Result(false, 1, 1, new long[0]).quantileMs(0.99));
    }

    /** A small real run: both write modes copy, the stand-in fsyncs during each copy, one table row per copy. */
    @Test
    void aSmallRunReportsBothModes() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<FsyncInterferenceProbe.Result> results = FsyncInterferenceProbe.run(dir, 8_000_000, 1,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(2, results.size());
        assertTrue(results.get(0).direct());
        assertFalse(results.get(1).direct());
        for (FsyncInterferenceProbe.Result r : results) {
            assertEquals(8_000_000, r.bytes());
            assertTrue(r.seconds() > 0);
        }
        String table = buf.toString(StandardCharsets.UTF_8);
        assertEquals(4, table.lines().count(), table);
        assertFalse(Files.exists(dir.resolve("copy.bin")), "the copy is removed after each run");
    }
}
