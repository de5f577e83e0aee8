package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupReportTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertTrue(Results.median(List.of()).isEmpty());
        assertEquals(2.0, Results.median(List.of(3.0, 1.0, 2.0)).getAsDouble());
        assertEquals(2.5, Results.median(List.of(4.0, 1.0, 2.0, 3.0)).getAsDouble());
    }

    private static void add(Results r, String system, Metric metric, double... values) {
        for (double v : values) {
            r.add(100, system, CacheMode.WARM, metric, v);
        }
    }

    @Test
    void tablesRatiosAndGoals() throws Exception {
        BackupBenchOptions options = BackupBenchOptions.parse(new String[] {"--sizes", "100", "--runs", "3"});
        options.resolveCache(false);
        Results r = new Results();
        r.rows(100, 757_002);
        r.describe("PowDB", "PowDB under test");
        r.describe("cp", "cp -r");
        add(r, "PowDB", Metric.DATA_BYTES, 100e6, 100e6, 100e6);
        add(r, "PowDB", Metric.FULL_SECONDS, 0.5, 0.4, 9.0);      // median 0.5 s: 200 MB/s
        add(r, "PowDB", Metric.FULL_BYTES, 100e6, 100e6, 100e6);
        add(r, "PowDB", Metric.RESTORE_SECONDS, 0.05, 0.1, 0.08);  // median 0.08 s: 1,250 MB/s
        add(r, "PowDB", Metric.VERIFY_SECONDS, 0.4, 0.4, 0.4);
        add(r, "PowDB", Metric.B3SUM_SECONDS, 0.1, 0.1, 0.1);
        add(r, "PowDB", Metric.INC_SECONDS, 0.02, 0.02, 0.02);     // 4% of the full time
        add(r, "PowDB", Metric.INC_BYTES, 6e6, 6e6, 6e6);          // 6% of the full bytes
        add(r, "PowDB", Metric.CHANGED_PAGES, 244, 244, 244);
        add(r, "PowDB", Metric.TOTAL_PAGES, 24_400, 24_400, 24_400);
        add(r, "PowDB", Metric.CHANGED_ROWS, 244, 244, 244);
        add(r, "cp", Metric.DATA_BYTES, 110e6, 110e6, 110e6);
        add(r, "cp", Metric.FULL_SECONDS, 0.1, 0.1, 0.1);
        add(r, "cp", Metric.RESTORE_SECONDS, 0.2, 0.2, 0.2);
        add(r, "cp", Metric.B3SUM_SECONDS, 0.1, 0.1, 0.1);
        r.failure("100 MB, h2: boom");

        String md = new BackupReport(options, r, Map.of("cores (nproc)", "2"), List.of("probe text\n"), "1", "2")
                .markdown();

        assertTrue(md.contains("| PowDB | 100.0 | n/a | 0.500 | 200 |"), md);
        assertTrue(md.contains("| cp | 110.0 | n/a | 0.100 | 1,100 |"), md);
        assertTrue(md.contains("| PowDB | 244 | 244 of 24,400 (1.00%) | 0.020 | 4.00% | 6.000 | 6.00% |"), md);
        assertTrue(md.contains("| cp | 0.20 | 2.50 | n/a | n/a |"), md);
        assertTrue(md.contains("PowDB's deep verify took 0.400 s; `b3sum` over the same backup's files took 0.100 s "
                + "(b3sum ÷ verify: 0.25)"), md);
        assertTrue(md.contains("| full backup ≥ 1,000 MB/s | warm | 200 MB/s | **no** |"), md);
        assertTrue(md.contains("| restore ≥ 1,000 MB/s | warm | 1,250 MB/s | yes |"), md);
        assertTrue(md.contains("| increment time ≤ 5% of full | warm | 4.0% | yes |"), md);
        assertTrue(md.contains("| increment bytes ≤ 5% of full | warm | 6.0% | **no** |"), md);
        assertTrue(md.contains("| PowDB | warm | 0.500 / 0.400 / 9.000 |"), md);
        assertTrue(md.contains("probe text"), md);
        assertTrue(md.contains("- 100 MB, h2: boom"), md);
        assertTrue(md.contains("757,002 rows"), md);
    }
}
