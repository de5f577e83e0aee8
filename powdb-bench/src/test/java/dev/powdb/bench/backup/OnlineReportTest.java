package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnlineReportTest {

    private static BackupBenchOptions options(String... args) throws Exception {
        BackupBenchOptions o = BackupBenchOptions.parse(args);
        o.resolveCache(false);
        return o;
    }

    private static CommitLatencies.Summary summary(long commits, double seconds, double p50, double p99,
                                                   double p999, double max, long slow) {
        return new CommitLatencies.Summary(commits, seconds, p50, p99, p999, max, slow);
    }

    /** An increment of {@code changed} pages that read {@code rchar} bytes in {@code calls} calls. */
    private static OnlineResults.Increment increment(double percent, long changed, long rchar, long calls) {
        return new OnlineResults.Increment(CacheMode.WARM, percent, changed, 244_068, changed, changed, 0.05, 0.2,
                changed * 4100, new ProcIo(rchar, changed * 4100, calls, 0, 0), 2.0, 1_000_000_000L,
                new ProcIo(1_000_000_000L, 1_000_000_000L, 1000, 0, 0));
    }

    private static OnlineResults sample() {
        OnlineResults r = new OnlineResults();
        r.database = new OnlineResults.LoadedDatabase(1000, 7_570_023, 999_700_000L, 60);
        r.writers = new OnlineResults.WriterRuns(2, 0, 5,
                summary(120_000, 30, 0.011, 0.150, 5.8, 203.1, 44),
                new BackupWindows.Analysis(summary(2_500, 1.25, 0.012, 0.600, 14.5, 1_200, 4),
                        List.of(summary(1_000, 0.5, 0.012, 0.300, 1.0, 1.5, 0),
                                summary(1_500, 0.75, 0.012, 0.900, 14.5, 1_200, 4)),
                        List.of(new BackupWindows.PhaseLatency(BackupWindows.Phase.START,
                                        summary(200, 0.1, 0.02, 1.5, 3.0, 3.1, 0)),
                                new BackupWindows.PhaseLatency(BackupWindows.Phase.COPY,
                                        summary(2_200, 1.1, 0.012, 0.5, 14.5, 1_200, 4)),
                                new BackupWindows.PhaseLatency(BackupWindows.Phase.END,
                                        summary(100, 0.05, 0.01, 0.2, 0.2, 0.2, 0))),
                        List.of(new BackupWindows.SlowCommit(2, 412.25, 1_200, BackupWindows.Phase.COPY))),
                new BackupWindows.Analysis(summary(3_000, 1.5, 0.013, 2.5, 6.0, 7.0, 0),
                        List.of(summary(1_600, 0.8, 0.013, 3.0, 6.0, 7.0, 0),
                                summary(1_400, 0.7, 0.013, 1.0, 2.0, 2.5, 0)),
                        List.of(), List.of()),
                new OnlineResults.BackupTiming(1.0, 1_000_000_000L),
                List.of(new OnlineResults.BackupTiming(0.5, 1_000_000_000L),
                        new OnlineResults.BackupTiming(0.75, 1_000_000_000L)),
                new OnlineResults.JitTimes(List.of(1_234L, 56L), List.of(7L, -1L)),
                new OnlineResults.GcWindows(List.of("G1 Young Generation", "G1 Old Generation"),
                        new GcPauses.Summary(4, 1_412, 364), new GcPauses.Summary(1, 130, 130)));
        r.increments.add(increment(0.1, 244, 1_000_000 + 244 * 4096 * 2, 250));    // 2x plus 1 MB: over the goal
        r.increments.add(increment(10, 24_407, 24_407 * 4096 + 10_000, 24_500));    // just over 1.0x: within it
        r.replayWalBytesBefore = 2_100_000;
        r.replayWorkloadTransactions = 640;
        r.replayWorkloadSeconds = 12.5;
        r.replays.add(new OnlineResults.Replay(CacheMode.COLD, 210_000_000L, 14, 59_210, 1.5, true));
        r.replays.add(new OnlineResults.Replay(CacheMode.WARM, 210_000_000L, 14, 59_210, 0.7, false));
        r.procIo = true;
        return r;
    }

    @Test
    void writerTablesRatioAndBackupSpeed() throws Exception {
        String md = new OnlineReport(options("--parts", "online"), sample()).markdown();
        assertTrue(md.contains("## Online backup, increments and WAL replay (PowDB)"), md);
        assertTrue(md.contains("1000 MB target: 7,570,023 rows, data files 999.7 MB"), md);
        assertTrue(md.contains("### Writer commit latency, 2 writer threads"), md);
        assertTrue(md.contains("| no backup | 30.000 | 120,000 | 4,000 | 0.011 | 0.150 | 5.800 | 203.100 | 44 |"), md);
        assertTrue(md.contains("| full backups running (pooled) | 1.250 | 2,500 | 2,000 | 0.012 | 0.600 | 14.500 | "
                + "1200.000 | 4 |"), md);
        assertTrue(md.contains("| backup 1 | 0.500 | 1,000 | 2,000 | 0.012 | 0.300 |"), md);
        assertTrue(md.contains("| backup 2 | 0.750 | 1,500 | 2,000 | 0.012 | 0.900 |"), md);
        assertTrue(md.contains("2 warm-up backups were taken first and are not in the comparison"), md);
        assertTrue(md.contains("then 2 full backups were taken one after another (2 s apart)"), md);
        assertTrue(md.contains("| warm-up backups running (pooled, not compared) | 1.500 | 3,000 | 2,000 | 0.013 | "
                + "2.500 |"), md);
        assertTrue(md.contains("p99 with a backup running ÷ p99 without: **4.00**"), "warm-ups not in the ratio: " + md);
        assertTrue(md.contains("priority): warm-up 1,234, 56; measured 7, n/a."), md);
        assertTrue(md.contains("p99 with a backup running ÷ p99 without: **4.00** (pooled; single backups 2.00–6.00)."),
                md);
        assertTrue(md.contains("| start: checkpoint and setup | 0.100 | 200 | 2,000 | 0.020 | 1.500 |"), md);
        assertTrue(md.contains("| copy of the data files | 1.100 | 2,200 |"), md);
        assertTrue(md.contains("| end: WAL, control file, manifest | 0.050 | 100 |"), md);
        assertTrue(md.contains("| 1200.000 | 2 | 412.3 | copy of the data files |"), md);
        assertTrue(md.contains("| with no writers | 1.000 | 1000.0 | 1,000 |"), md);
        assertTrue(md.contains("| while the writers ran, 1 | 0.500 | 1000.0 | 2,000 |"), md);
        assertTrue(md.contains("| while the writers ran, 2 | 0.750 | 1000.0 | 1,333 |"), md);
        assertTrue(md.contains("closed loop"), "says how latency was measured: " + md);
    }

    @Test
    void gcPausesPerWindow() throws Exception {
        String md = new OnlineReport(options("--parts", "writers"), sample()).markdown();
        assertTrue(md.contains("Garbage collector (the JVM's `GarbageCollectorMXBean`s): G1 Young Generation, "
                + "G1 Old Generation."), md);
        assertTrue(md.contains("unless its collector's name contains \"Cycles\""), "states the pause rule: " + md);
        assertTrue(md.contains("| run | GC pauses | GC pause ms | longest GC pause ms |"), md);
        assertTrue(md.contains("| no backup | 4 | 1,412 | 364 |"), md);
        assertTrue(md.contains("| full backups running | 1 | 130 | 130 |"), md);
        assertTrue(md.indexOf("| no backup | 30.000") < md.indexOf("| no backup | 4 |"), "after the latencies");
        assertTrue(md.indexOf("| no backup | 4 |") < md.indexOf("| with no writers |"), "before the backups");

        OnlineResults r = sample();
        OnlineResults.WriterRuns w = r.writers;
        r.writers = new OnlineResults.WriterRuns(2, 0, 5, w.quiet(), w.withBackups(), null, w.backupQuiet(),
                w.backupsUnderLoad(), null, null);
        String none = new OnlineReport(options("--parts", "writers"), r).markdown();
        assertTrue(none.contains("GC pauses: not recorded"), none);
        assertFalse(none.contains("| run | GC pauses |"), none);
        assertTrue(none.contains("| no backup | 30.000 | 120,000 |"), "the latencies are still there: " + none);
        assertFalse(none.contains("JIT compilation while"), "no JIT times, no sentence: " + none);
    }

    @Test
    void pacedWritersAreDescribedAsSuch() throws Exception {
        OnlineResults r = sample();
        OnlineResults.WriterRuns w = r.writers;
        r.writers = new OnlineResults.WriterRuns(3, 1000, 5, w.quiet(), w.withBackups(), null, w.backupQuiet(),
                w.backupsUnderLoad(), new OnlineResults.JitTimes(List.of(), List.of(3L, 0L)), w.gc());
        String md = new OnlineReport(options("--parts", "writers"), r).markdown();
        assertTrue(md.contains("### Writer commit latency, 3 writer threads"), md);
        assertTrue(md.contains("schedule of 1,000 commits per second"), md);
        assertTrue(md.contains("below 3,000 commits/s"), md);
        assertFalse(md.contains("closed loop"), md);
        assertFalse(md.contains("warm-up backup"), "no warm-up backups, no row or sentence for them: " + md);
        assertTrue(md.contains("added up; they run at the application's priority): measured 3, 0."), md);
    }

    @Test
    void incrementTablesAndTheReadGoal() throws Exception {
        String md = new OnlineReport(options("--parts", "online"), sample()).markdown();
        assertTrue(md.contains("| warm | 0.10% | 244 | 244 of 244,068 (0.10%) | 244 | 0.999 | 0.050 | 0.200 | 10.00% "
                + "| 2.999 | 3.001x | 250 | 0.000 | 1.000 | 1.000 | 0.10% |"), md);
        assertTrue(md.contains("| increment reads ≤ 1.1x the changed bytes | warm | 0.10% | 3.001x | **no** |"), md);
        assertTrue(md.contains("| increment reads ≤ 1.1x the changed bytes | warm | 10.00% | 1.000x | yes |"), md);
        assertTrue(md.contains("| warm | 0.10% | 2.000 | 1000.0 | 1000.0 | 1,000 | 0.0 | 1000.0 |"), md);
        assertTrue(md.contains("`-Dpowdb.backup.checkTracker` was false (the default)"), md);
    }

    @Test
    void replayTable() throws Exception {
        String md = new OnlineReport(options("--parts", "online", "--wal-mb", "200"), sample()).markdown();
        assertTrue(md.contains("left 2.1 MB of WAL files"), md);
        assertTrue(md.contains("640 transactions of 100 operations"), md);
        assertTrue(md.contains("ran for 12.5 s"), md);
        assertTrue(md.contains("until it had added 200 MB to them"), md);
        assertTrue(md.contains("| cold | 210.0 | 207.9 | 14 | 59,210 | 1.500 | 140 | 139 | 39,473 | as committed |"),
                md);
        assertTrue(md.contains("| warm | 210.0 | 207.9 | 14 | 59,210 | 0.700 | 300 | 297 | 84,586 | **differ** |"), md);
    }

    @Test
    void missingCountersAndPartsLeaveTheirTablesOut() throws Exception {
        OnlineResults r = sample();
        r.writers = null;
        r.replays.clear();
        r.increments.clear();
        r.increments.add(new OnlineResults.Increment(CacheMode.COLD, 1, 10, 1000, 0, 0, 0.01, 0.1, 100, null, 1,
                1000, null));
        r.procIo = false;
        r.checkTracker = true;
        String md = new OnlineReport(options("--parts", "increments"), r).markdown();
        assertFalse(md.contains("### Writer commit latency"), md);
        assertFalse(md.contains("### WAL replay"), md);
        assertTrue(md.contains("| cold | 1.00% | 10 | 0 of 1,000 (0.00%) | 0 | 0.000 | 0.010 | 0.100 | 10.00% | n/a "
                + "| n/a | n/a | n/a | n/a | 0.000 | 10.00% |"), md);
        assertTrue(md.contains("| increment reads ≤ 1.1x the changed bytes | cold | 1.00% | n/a | n/a |"), md);
        assertTrue(md.contains("was true: every increment also scanned every page LSN"), md);
        assertTrue(md.contains("`/proc/self/io` could not be read"), md);
    }

    @Test
    void noDatabaseNoTables() throws Exception {
        String md = new OnlineReport(options("--parts", "online"), new OnlineResults()).markdown();
        assertTrue(md.contains("was not loaded (see Failures)"), md);
        assertFalse(md.contains("|"), md);
    }

    @Test
    void derivedValues() {
        OnlineResults.Increment i = increment(1, 100, 820_000, 100);
        assertEquals(409_600, i.changedBytes());
        assertEquals(820_000 / 409_600.0, i.readPerChanged().getAsDouble(), 1e-12);
        assertTrue(new OnlineResults.Replay(CacheMode.WARM, 1, 1, 1, 0, true).walMegabytesPerSecond().isEmpty());
        assertEquals(50.0, new OnlineResults.Replay(CacheMode.WARM, 100_000_000, 7, 1, 2, true)
                .walMegabytesPerSecond().getAsDouble(), 1e-12);
        assertEquals(25.0, new OnlineResults.Replay(CacheMode.WARM, 100_000_000, 7, 1, 2, true)
                .megabytesPerSecond(50_000_000).getAsDouble(), 1e-12);
        assertTrue(new OnlineResults.BackupTiming(0, 5).megabytesPerSecond().isEmpty());
    }

    @Test
    void onlineOnlyRunLeavesTheComparisonOut() throws Exception {
        BackupBenchOptions o = options("--parts", "online", "--sizes", "100");
        String online = new OnlineReport(o, sample()).markdown();
        String md = new BackupReport(o, new Results(), Map.of("cores (nproc)", "2"), List.of(), "1", "2")
                .withOnline(online).markdown();
        assertTrue(md.contains("Parts: writers, increments, replay"), md);
        assertFalse(md.contains("## 100 MB target"), md);
        assertFalse(md.contains("Systems:"), md);
        assertFalse(md.contains("Runs per system"), md);
        assertTrue(md.indexOf("## Online backup") < md.indexOf("## Failures"), md);
    }

    @Test
    void comparisonAloneHasNoOnlineSection() throws Exception {
        BackupBenchOptions o = options("--sizes", "100");
        Results r = new Results();
        r.describe("PowDB", "under test");
        String md = new BackupReport(o, r, Map.of(), List.of(), "1", "2").markdown();
        assertTrue(md.contains("## 100 MB target"), md);
        assertTrue(md.contains("Parts: compare"), md);
        assertFalse(md.contains("Online backup"), md);
    }
}
