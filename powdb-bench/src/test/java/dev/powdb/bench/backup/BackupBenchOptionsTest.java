package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackupBenchOptionsTest {

    private static BackupBenchOptions parse(String... args) throws Exception {
        return BackupBenchOptions.parse(args);
    }

    private static void assertUsage(String expectedPart, String... args) {
        BackupBenchOptions.UsageException e =
                assertThrows(BackupBenchOptions.UsageException.class, () -> BackupBenchOptions.parse(args));
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' should contain '"
                + expectedPart + "'");
    }

    @Test
    void defaults() throws Exception {
        BackupBenchOptions o = parse();
        assertEquals(List.of(100, 1000), o.sizesMb);
        assertEquals(3, o.runs);
        assertEquals(BackupBenchOptions.ALL_SYSTEMS, o.systems);
        assertNull(o.cache, "decided later from the machine");
        assertEquals(1.0, o.changePercent);
        assertEquals(42, o.seed);
        assertEquals(0, o.settleSeconds);
        assertEquals(Path.of("bench-work", "backup"), o.dir);
        assertEquals(Path.of("bench-work", "backup", "backup-results.md"), o.results);
        assertTrue(o.probes);
        assertEquals(1024, o.probeMib);
        assertNull(o.probeBouncyCastleJar);
        assertFalse(o.help);
        assertEquals(Set.of(BenchPart.COMPARE), o.parts, "the comparison alone unless asked");
        assertEquals(1000, o.onlineSizeMb);
        assertEquals(2, o.writers);
        assertEquals(0, o.writerRate);
        assertEquals(30, o.writerSeconds);
        assertEquals(5, o.writerBackups);
        assertEquals(3, o.writerWarmupBackups);
        assertEquals(5, o.warmupSeconds);
        assertEquals(List.of(0.1, 1.0, 10.0), o.incrementPercents);
        assertEquals(200, o.walMb);
    }

    @Test
    void onlineOptions() throws Exception {
        BackupBenchOptions o = parse("--parts", "replay, Writers", "--online-size", "50", "--writers", "4",
                "--writer-rate", "500", "--writer-seconds", "7", "--writer-backups", "3", "--writer-warmup-backups", "0", "--warmup-seconds", "0",
                "--increment-percents",
                "10,0.5,10", "--wal-mb", "20");
        assertEquals(List.of(BenchPart.WRITERS, BenchPart.REPLAY), List.copyOf(o.parts), "run order, not given order");
        assertEquals(50, o.onlineSizeMb);
        assertEquals(4, o.writers);
        assertEquals(500, o.writerRate);
        assertEquals(7, o.writerSeconds);
        assertEquals(3, o.writerBackups);
        assertEquals(0, o.writerWarmupBackups);
        assertEquals(0, o.warmupSeconds);
        assertEquals(List.of(10.0, 0.5), o.incrementPercents, "duplicates dropped, order kept");
        assertEquals(20, o.walMb);
    }

    @Test
    void onlineStandsForTheThreeOnlineParts() throws Exception {
        assertEquals(List.of(BenchPart.WRITERS, BenchPart.INCREMENTS, BenchPart.REPLAY),
                List.copyOf(parse("--parts", "online").parts));
        assertEquals(List.of(BenchPart.COMPARE, BenchPart.WRITERS, BenchPart.INCREMENTS, BenchPart.REPLAY),
                List.copyOf(parse("--parts", "ONLINE,compare,writers").parts));
        assertFalse(BenchPart.COMPARE.online());
        assertTrue(BenchPart.REPLAY.online());
    }

    @Test
    void everyOption() throws Exception {
        BackupBenchOptions o = parse("--sizes", "10, 20,10", "--runs", "5", "--systems", "RocksDB,powdb",
                "--cache", "warm", "--change-percent", "2.5", "--seed", "1_000", "--settle-seconds", "15", "--dir", "/tmp/x",
                "--results", "/tmp/r.md", "--no-probes", "--probe-mib", "8", "--probe-bc-jar", "/tmp/bc.jar", "-h");
        assertEquals(List.of(10, 20), o.sizesMb, "duplicates dropped, order kept");
        assertEquals(5, o.runs);
        assertEquals(List.of("rocksdb", "powdb"), o.systems);
        assertEquals(List.of(CacheMode.WARM), o.cache);
        assertEquals(2.5, o.changePercent);
        assertEquals(1000, o.seed);
        assertEquals(15, o.settleSeconds);
        assertEquals(Path.of("/tmp/x"), o.dir);
        assertEquals(Path.of("/tmp/r.md"), o.results);
        assertFalse(o.probes);
        assertEquals(8, o.probeMib);
        assertEquals(Path.of("/tmp/bc.jar"), o.probeBouncyCastleJar);
        assertTrue(o.help);
    }

    @Test
    void resultsFollowTheDirectory() throws Exception {
        assertEquals(Path.of("w", "backup-results.md"), parse("--dir", "w").results);
    }

    @Test
    void rejectsBadValues() {
        assertUsage("needs a value", "--sizes");
        assertUsage("unknown argument", "stray");
        assertUsage("unknown option", "--size", "1");
        assertUsage("between 1 and", "--sizes", "0");
        assertUsage("empty entry", "--sizes", "1,,2");
        assertUsage("needs an integer", "--runs", "many");
        assertUsage("between 1 and", "--runs", "0");
        assertUsage("unknown system 'mysql'", "--systems", "powdb,mysql");
        assertUsage("unknown cache mode 'hot'", "--cache", "hot");
        assertUsage("above 0 and at most 100", "--change-percent", "0");
        assertUsage("above 0 and at most 100", "--change-percent", "100.5");
        assertUsage("needs a number", "--change-percent", "one");
        assertUsage("between 1 and 1536", "--probe-mib", "4096");
        assertUsage("between 0 and 3600", "--settle-seconds", "-1");
        assertUsage("unknown part 'backup' in --parts (known: compare,writers,increments,replay,online)",
                "--parts", "compare,backup");
        assertUsage("empty entry", "--parts", "writers,");
        assertUsage("between 1 and 100000", "--online-size", "0");
        assertUsage("between 1 and 64", "--writers", "0");
        assertUsage("between 1 and 64", "--writers", "65");
        assertUsage("between 0 and 1000000", "--writer-rate", "-1");
        assertUsage("between 1 and 3600", "--writer-seconds", "0");
        assertUsage("between 1 and 100", "--writer-backups", "0");
        assertUsage("between 1 and 100", "--writer-backups", "101");
        assertUsage("between 0 and 100", "--writer-warmup-backups", "-1");
        assertUsage("between 0 and 100", "--writer-warmup-backups", "101");
        assertUsage("between 0 and 600", "--warmup-seconds", "601");
        assertUsage("above 0 and at most 100", "--increment-percents", "0.1,0");
        assertUsage("above 0 and at most 100", "--increment-percents", "101");
        assertUsage("needs a number", "--increment-percents", "1,ten");
        assertUsage("empty entry", "--increment-percents", ",1");
        assertUsage("between 1 and 100000", "--wal-mb", "0");
        assertUsage("needs a value", "--parts");
    }

    @Test
    void cacheModesFollowTheMachine() throws Exception {
        BackupBenchOptions o = parse();
        o.resolveCache(true);
        assertEquals(List.of(CacheMode.COLD, CacheMode.WARM), o.cache);
        o = parse();
        o.resolveCache(false);
        assertEquals(List.of(CacheMode.WARM), o.cache);
        BackupBenchOptions cold = parse("--cache", "cold");
        assertThrows(BackupBenchOptions.UsageException.class, () -> cold.resolveCache(false));
        cold.resolveCache(true);
        assertEquals(List.of(CacheMode.COLD), cold.cache);
    }

    @Test
    void rowsFollowTheTargetSize() {
        assertEquals(757_002, BackupBenchOptions.rowsFor(100));
        assertEquals(7_570_023, BackupBenchOptions.rowsFor(1000));
        assertEquals(7_570, BackupBenchOptions.rowsFor(1));
    }
}
