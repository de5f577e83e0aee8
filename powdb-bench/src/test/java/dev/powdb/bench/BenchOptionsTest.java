package dev.powdb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsMatchTheDocumentedWorkload() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(1_000_000, o.rows);
        assertEquals(2_000, o.fsyncInserts);
        assertEquals(200_000, o.lookups);
        assertEquals(10, o.scans);
        assertEquals(50_000, o.updates);
        assertEquals(1_000, o.updateBatch);
        assertEquals(3, o.repeat);
        assertEquals(BenchOptions.ALL_ENGINES, o.engines);
        assertEquals(Path.of("bench-work"), o.dir);
        assertEquals(Path.of("bench-work", "storage-results.md"), o.results);
        assertEquals(EnumSet.allOf(Workload.class), o.workloads);
    }

    @Test
    void workloadsAlwaysIncludeTheLoad() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--workloads", "7, 6"});
        assertEquals(EnumSet.of(Workload.BULK_LOAD, Workload.QUERY_LOOKUP, Workload.QUERY_COUNT), o.workloads);
        assertMessage("unknown workload '8'", "--workloads", "1,8");
        assertMessage("unknown workload 'x'", "--workloads", "x");
    }

    @Test
    void parsesEveryOption() throws Exception {
        BenchOptions o = BenchOptions.parse(new String[] {"--rows", "1_000", "--fsync-inserts", "10",
            "--lookups", "5", "--scans", "2", "--updates", "7", "--update-batch", "3", "--repeat", "4", "--seed", "-9",
            "--engines", "H2, sqlite", "--dir", "w", "--results", "r.md", "--cache-mib", "8"});
        assertEquals(1000, o.rows);
        assertEquals(10, o.fsyncInserts);
        assertEquals(5, o.lookups);
        assertEquals(2, o.scans);
        assertEquals(7, o.updates);
        assertEquals(3, o.updateBatch);
        assertEquals(4, o.repeat);
        assertEquals(-9, o.seed);
        assertEquals(List.of("h2", "sqlite"), o.engines);
        assertEquals(Path.of("w"), o.dir);
        assertEquals(Path.of("r.md"), o.results);
        assertEquals(8, o.cacheMib);
    }

    @Test
    void rejectsUnknownOption() {
        assertMessage("unknown option --bogus", "--bogus", "1");
    }

    @Test
    void rejectsMissingValue() {
        assertMessage("--rows needs a value", "--rows");
    }

    @Test
    void rejectsNonNumber() {
        assertMessage("--rows expects a whole number, got 'many'", "--rows", "many");
    }

    @Test
    void rejectsZeroAndOverflow() {
        assertMessage("--scans must be between 1", "--scans", "0");
        assertMessage("--rows must be between 1", "--rows", "3000000000");
    }

    @Test
    void rejectsUnknownEngine() {
        assertMessage("unknown engine 'mysql'", "--engines", "sqlite,mysql");
    }

    @Test
    void rejectsMoreDurableInsertsThanRows() {
        assertMessage("--fsync-inserts (20) must not exceed --rows (10)", "--rows", "10", "--fsync-inserts", "20");
    }

    @Test
    void helpNeedsNoValue() throws Exception {
        assertTrue(BenchOptions.parse(new String[] {"--help"}).help);
    }

    private static void assertMessage(String expectedStart, String... args) {
        BenchOptions.UsageException e = assertThrows(BenchOptions.UsageException.class,
                () -> BenchOptions.parse(args));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    }
}
