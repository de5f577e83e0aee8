package dev.powdb.bench.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.Row;
import dev.powdb.storage.Transaction;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replay part: reopens the database with automatic checkpoints off, takes a full backup (whose checkpoint
 * empties the WAL), writes transactions until the WAL holds {@code --wal-mb} MB, and lets go of the directory as a
 * killed process would ({@code Engine.abandonForTesting()}: nothing flushed or checkpointed; every commit had been
 * handed to the OS, so it is in the files). Then, per cache mode, the crashed directory is copied with {@code cp -a}
 * and {@code Database.openExisting} on the copy is timed: that is crash recovery, which replays the WAL from the last
 * checkpoint with the same redo code a point-in-time restore runs over archived WAL, and ends with a checkpoint.
 * Afterwards the copy's row count and age sum are compared with what was committed.
 *
 * <p>Each workload transaction does {@link #OPS_PER_TRANSACTION} operations: one in {@link WriterLatency#INSERT_EVERY}
 * inserts a row, the others add 1 to the age of a row picked uniformly by id.
 */
final class WalReplayBench {
    static final int OPS_PER_TRANSACTION = 100;

    private final Path dataDir;
    private final long rows;
    private final AtomicLong nextId;
    private final long seed;
    private final PrintStream out;

    WalReplayBench(Path dataDir, long rows, AtomicLong nextId, long seed, PrintStream out) {
        this.dataDir = dataDir;
        this.rows = rows;
        this.nextId = nextId;
        this.seed = seed;
        this.out = out;
    }

    /**
     * Runs the part on the closed database at {@code dataDir}, which is left crashed (abandoned) afterwards.
     *
     * @param walTargetBytes WAL bytes the workload adds (growth of the segment files' sizes) before the crash
     */
    List<OnlineResults.Replay> run(long walTargetBytes, List<CacheMode> modes, Path scratch, OnlineResults results)
            throws Exception {
        Files.createDirectories(scratch);
        long[] expected;
        long lsnBefore;
        long lsnAfter;
        try (Database db = Database.open(dataDir, PowDbLoad.options().withCheckpointWalBytes(0))) {
            expected = countAndAgeSum(db);
            Path full = scratch.resolve("full");
            long t0 = System.nanoTime();
            db.backup(full);
            results.replayWalBytesBefore = walBytes(dataDir)[0];
            log("   full backup before the workload: %.3f s, %s; WAL files now %s", (System.nanoTime() - t0) / 1e9,
                    BackupBench.mb(Disk.sizeBytes(full)), BackupBench.mb(results.replayWalBytesBefore));
            Disk.deleteTree(full);
            lsnBefore = db.maxLsn();
            t0 = System.nanoTime();
            long transactions = workload(db, results.replayWalBytesBefore + walTargetBytes, expected);
            results.replayWorkloadSeconds = (System.nanoTime() - t0) / 1e9;
            results.replayWorkloadTransactions = transactions;
            lsnAfter = db.maxLsn();
            db.engine().abandonForTesting();
            // close() of the try block then finds the engine closed; abandon already released the directory.
        }
        long[] wal = walBytes(dataDir);
        log("   workload: %,d transactions in %.1f s, %,d WAL records, WAL files %s (%s written by the workload) in "
                        + "%d segment file(s); crashed", results.replayWorkloadTransactions,
                results.replayWorkloadSeconds, lsnAfter - lsnBefore, BackupBench.mb(wal[0]),
                BackupBench.mb(wal[0] - results.replayWalBytesBefore), wal[1]);
        List<OnlineResults.Replay> replays = new ArrayList<>();
        Path copy = scratch.resolve("crashed-copy");
        for (CacheMode mode : modes) {
            try {
                Disk.run(List.of("cp", "-a", dataDir.toString(), copy.toString()));
                OnlineBench.prepareCache(mode, List.of(copy));
                long t0 = System.nanoTime();
                Database recovered = Database.openExisting(copy, PowDbLoad.options());
                double seconds = (System.nanoTime() - t0) / 1e9;
                recovered.close();
                long[] got = PowDbLoad.countAndAgeSum(copy);
                boolean match = got[0] == expected[0] && got[1] == expected[1];
                OnlineResults.Replay r = new OnlineResults.Replay(mode, wal[0], (int) wal[1], lsnAfter - lsnBefore,
                        seconds, match);
                replays.add(r);
                log("   %s: open with recovery %.3f s, %.0f MB of WAL per s; %,d rows, age sum %,d (%s)", mode.label(),
                        seconds, r.walMegabytesPerSecond().orElse(Double.NaN), got[0], got[1],
                        match ? "as committed" : "EXPECTED " + expected[0] + " rows, age sum " + expected[1]);
                if (!match) {
                    throw new IllegalStateException("recovery of the crashed copy gave " + got[0] + " rows with age "
                            + "sum " + got[1] + ", expected " + expected[0] + " rows with age sum " + expected[1]);
                }
            } finally {
                Disk.deleteTree(copy);
            }
        }
        return replays;
    }

    /** Transactions until the WAL files' sizes reach {@code targetBytes} in all; keeps {@code expected} (rows, age sum) current. */
    private long workload(Database db, long targetBytes, long[] expected) throws IOException {
        Random random = new Random(seed * 31 + 7);
        long transactions = 0;
        while (walBytes(dataDir)[0] < targetBytes) {
            long rowsAdded = 0;
            long agesAdded = 0;
            try (Transaction tx = db.begin()) {
                for (int i = 0; i < OPS_PER_TRANSACTION; i++) {
                    if (random.nextInt(WriterLatency.INSERT_EVERY) == 0) {
                        long id = nextId.getAndIncrement();
                        long age = random.nextInt(100);
                        tx.insertValues("users", id, OnlineBench.nameFor(id), age);
                        rowsAdded++;
                        agesAdded += age;
                    } else {
                        long id = 1 + random.nextLong(rows);
                        Row r = tx.getBy("users", "id", id)
                                .orElseThrow(() -> new IllegalStateException("PowDB: id " + id + " not found"));
                        tx.updateBy("users", "id", id, Map.of("age", (Long) r.get(2) + 1));
                        agesAdded++;
                    }
                }
                tx.commit();
            }
            expected[0] += rowsAdded;
            expected[1] += agesAdded;
            transactions++;
        }
        return transactions;
    }

    /** {total bytes, file count} of the WAL segment files ({@code wal/*.wal}) of a data directory. */
    static long[] walBytes(Path dataDir) throws IOException {
        long bytes = 0;
        long files = 0;
        try (DirectoryStream<Path> segments = Files.newDirectoryStream(dataDir.resolve("wal"), "*.wal")) {
            for (Path segment : segments) {
                if (Files.isRegularFile(segment)) {
                    bytes += Files.size(segment);
                    files++;
                }
            }
        }
        return new long[] {bytes, files};
    }

    private static long[] countAndAgeSum(Database db) {
        long[] result = new long[2];
        db.scan("users", null, r -> {
            result[0]++;
            result[1] += (Long) r.get(2);
        });
        return result;
    }

    private void log(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
