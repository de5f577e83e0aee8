package dev.powdb.bench.backup;

import dev.powdb.storage.Database;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The online parts of the backup benchmark ({@code --parts writers,increments,replay}), on one PowDB database of
 * {@code --online-size} MB loaded by {@link PowDbLoad} into {@code DIR/online/data}: {@link WriterLatency},
 * {@link IncrementBench} and {@link WalReplayBench}, in that order (replay leaves the database crashed, so it runs
 * last). A part that fails is recorded in {@link Results#failures()} and the next one still runs; the directory is
 * deleted at the end.
 */
final class OnlineBench {
    private final BackupBenchOptions options;
    private final Results results;
    private final OnlineResults online;
    private final PrintStream out;

    OnlineBench(BackupBenchOptions options, Results results, OnlineResults online, PrintStream out) {
        this.options = options;
        this.results = results;
        this.online = online;
        this.out = out;
    }

    void run() throws Exception {
        Path root = options.dir.resolve("online");
        Path data = root.resolve("data");
        long rows = BackupBenchOptions.rowsFor(options.onlineSizeMb);
        long needed = neededBytes(options.onlineSizeMb, options.walMb);
        long free = Disk.usableBytes(options.dir);
        if (free < needed) {
            throw new IOException("the online parts at " + options.onlineSizeMb + " MB need about "
                    + needed / 1_000_000 + " MB free in " + options.dir.toAbsolutePath() + ", only "
                    + free / 1_000_000 + " MB are");
        }
        online.checkTracker = Boolean.getBoolean("powdb.backup.checkTracker");
        online.procIo = ProcIo.available();
        log("== online parts (%s): PowDB, %d MB target, %,d rows (seed %d), %d MB free", parts(), options.onlineSizeMb,
                rows, options.seed, free / 1_000_000);
        Files.createDirectories(data);
        Database db = null;
        try {
            long t0 = System.nanoTime();
            db = PowDbLoad.createAndLoad(data, new RowSource(rows, options.seed));
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            long dataBytes = Disk.sizeBytes(data) - Disk.sizeBytes(data.resolve("wal"))
                    - Disk.sizeBytes(data.resolve("LOCK"));
            online.database = new OnlineResults.LoadedDatabase(options.onlineSizeMb, rows, dataBytes, loadSeconds);
            log("PowDB (online): loaded %,d rows in %.1f s, data files %s", rows, loadSeconds,
                    BackupBench.mb(dataBytes));
            AtomicLong nextId = new AtomicLong(rows + 1);
            Path scratch = root.resolve("scratch");
            if (options.parts.contains(BenchPart.WRITERS)) {
                Database open = db;
                part(BenchPart.WRITERS, () -> online.writers = new WriterLatency(open, rows, nextId, options.writers,
                        options.writerRate, options.writerBackups, options.writerWarmupBackups, options.seed, out)
                        .run(options.warmupSeconds, options.writerSeconds, scratch));
            }
            if (options.parts.contains(BenchPart.INCREMENTS)) {
                Database open = db;
                part(BenchPart.INCREMENTS, () -> online.increments.addAll(new IncrementBench(open, rows, out)
                        .run(options.incrementPercents, options.cache, scratch)));
            }
            if (options.parts.contains(BenchPart.REPLAY)) {
                db.close();
                db = null;
                part(BenchPart.REPLAY, () -> online.replays.addAll(new WalReplayBench(data, rows, nextId,
                        options.seed, out).run(options.walMb * 1_000_000L, options.cache, scratch, online)));
            }
        } finally {
            if (db != null) {
                db.close();
            }
            Disk.deleteTree(root);
        }
    }

    /**
     * Free bytes the online parts need at {@code sizeMb}: the database, a full backup, the crashed copy and twice
     * the WAL (original and copy), with room for the increments and growth.
     */
    static long neededBytes(int sizeMb, int walMb) {
        return 4L * sizeMb * 1_000_000 + 2L * walMb * 1_000_000 + 200_000_000L;
    }

    private interface Part {
        void run() throws Exception;
    }

    private void part(BenchPart part, Part body) {
        log("-- online part: %s", part.label());
        try {
            body.run();
        } catch (Exception | Error e) {
            String message = "online " + part.label() + ": " + e;
            results.failure(message);
            log("FAILED %s", message);
            e.printStackTrace(out);
        }
    }

    private String parts() {
        StringBuilder b = new StringBuilder();
        for (BenchPart p : options.parts) {
            if (p.online()) {
                b.append(b.length() == 0 ? "" : ",").append(p.label());
            }
        }
        return b.toString();
    }

    /** A name of {@link RowSource#NAME_BYTES} ASCII bytes for an inserted row: {@code writer-<id>-} then 'x's. */
    static String nameFor(long id) {
        StringBuilder b = new StringBuilder(RowSource.NAME_BYTES).append("writer-").append(id).append('-');
        while (b.length() < RowSource.NAME_BYTES) {
            b.append('x');
        }
        b.setLength(RowSource.NAME_BYTES);
        return b.toString();
    }

    /** Drops the page cache (cold) or reads {@code inputs} once (warm), after a {@code sync}. */
    static void prepareCache(CacheMode mode, List<Path> inputs) throws IOException {
        if (mode == CacheMode.COLD) {
            Disk.dropCaches();
        } else {
            Disk.syncAll();
            Disk.warm(inputs);
        }
    }

    private void log(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
