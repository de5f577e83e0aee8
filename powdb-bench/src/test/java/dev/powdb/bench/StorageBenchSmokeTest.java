package dev.powdb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the whole benchmark on tiny data: every engine must finish every workload with the expected answers. */
class StorageBenchSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void everyEngineRunsEveryWorkloadCorrectly() throws Exception {
        Path dir = tmp.resolve("work");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StorageBench.run(new String[] {"--rows", "3000", "--fsync-inserts", "20", "--lookups", "2000",
            "--scans", "2", "--updates", "1500", "--update-batch", "400", "--repeat", "2", "--cache-mib", "8", "--dir",
            dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stdout + "\n" + err.toString(StandardCharsets.UTF_8));
        assertTrue(stdout.contains("PowDB/SQLite"), stdout);
        String md = Files.readString(dir.resolve("storage-results.md"));
        assertTrue(md.contains("| 5. update age by id |"), md);
        assertTrue(md.contains("| 6. query: lookup by id |"), md);
        assertTrue(md.contains("| 7. query: count age = 42 |"), md);
        assertTrue(md.contains("None: every workload returned the expected answer"), md);
        assertFalse(md.contains("WRONG"), md);
        for (String engine : BenchOptions.ALL_ENGINES) {
            assertTrue(Files.isDirectory(dir.resolve(engine).resolve("run2")), engine);
        }
    }

    @Test
    void queryWorkloadsRunAloneAfterTheLoad() throws Exception {
        Path dir = tmp.resolve("work");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StorageBench.run(new String[] {"--rows", "2000", "--lookups", "500", "--scans", "2",
            "--updates", "300", "--repeat", "1", "--cache-mib", "8", "--workloads", "6,7", "--dir", dir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, stdout + "\n" + err.toString(StandardCharsets.UTF_8));
        String md = Files.readString(dir.resolve("storage-results.md"));
        assertTrue(md.contains("| 1. bulk load, 1 txn |"), md);
        assertTrue(md.contains("| 6. query: lookup by id |"), md);
        assertTrue(md.contains("| 7. query: count age = 42 |"), md);
        assertFalse(md.contains("| 3. point lookup by id |"), md);
        assertFalse(md.contains("| 5. update age by id |"), md);
        assertTrue(md.contains("None: every workload returned the expected answer"), md);
    }

    @Test
    void expectationsAfterUpdatesFollowTheUpdatedAges() {
        BenchData d = new BenchData(50, 400, 1000, 3);
        int[] ages = d.ages.clone();
        for (long id : d.updateIds) {
            ages[(int) id - 1]++;
        }
        long checksum = 0;
        for (long id : d.lookupIds) {
            checksum += BenchData.rowChecksum(d.names[(int) id - 1], ages[(int) id - 1]);
        }
        assertEquals(checksum, d.expectedLookupChecksumAfterUpdates);
        assertEquals(java.util.Arrays.stream(ages).filter(a -> a == BenchData.SCAN_AGE).count(),
                d.expectedScanCountAfterUpdates);
    }

    @Test
    void usageErrorExitsWithTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = StorageBench.run(new String[] {"--rows", "0"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Error: --rows"));
    }

    @Test
    void dataIsDeterministic() {
        BenchData a = new BenchData(500, 100, 50, 7);
        BenchData b = new BenchData(500, 100, 50, 7);
        for (int i = 0; i < 500; i++) {
            assertEquals(a.names[i], b.names[i]);
            assertEquals(BenchData.NAME_BYTES, a.names[i].getBytes(StandardCharsets.UTF_8).length);
            assertTrue(a.ages[i] >= 0 && a.ages[i] < 100);
        }
        assertEquals(a.expectedLookupChecksum, b.expectedLookupChecksum);
        assertTrue(a.names[9].startsWith("user-10-"), a.names[9]);
    }
}
