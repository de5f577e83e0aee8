package dev.powdb.bench.backup;

import dev.powdb.storage.Database;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The increments part: for each percentage and cache mode, a full backup ({@code Database.backup(Path)}), then an
 * update of rows spread so that about that percentage of the heap and index pages change ({@link ChangePlan}), a
 * checkpoint (timed apart, so the increment's time and I/O are its own), and the increment
 * ({@code Database.backup(dest, base)}). Around each backup call the process's {@link ProcIo} counters are read:
 * {@code rchar} is what the backup read through system calls, to compare with the bytes of the pages that changed
 * ({@link PageDiff}, independent of the engine). Pages stored in the increment are read back from its delta files'
 * headers.
 */
final class IncrementBench {
    /** Magic of a {@code .delta} file of an incremental backup ({@code docs/formats}; {@code DeltaFile}). */
    static final byte[] DELTA_MAGIC = "POWDBDLT".getBytes(StandardCharsets.US_ASCII);
    /** Offset of the delta's u32 page count, big-endian. */
    static final int DELTA_PAGE_COUNT_OFFSET = 20;

    private final Database db;
    private final long rows;
    private final PrintStream out;

    IncrementBench(Database db, long rows, PrintStream out) {
        this.db = db;
        this.rows = rows;
        this.out = out;
    }

    List<OnlineResults.Increment> run(List<Double> percents, List<CacheMode> modes, Path scratch) throws Exception {
        Files.createDirectories(scratch);
        warmUp(scratch);
        List<OnlineResults.Increment> done = new ArrayList<>();
        for (double percent : percents) {
            for (CacheMode mode : modes) {
                Path full = scratch.resolve("full");
                Path increment = scratch.resolve("increment");
                try {
                    done.add(once(percent, mode, full, increment));
                } finally {
                    Disk.deleteTree(full);
                    Disk.deleteTree(increment);
                }
            }
        }
        return done;
    }

    /**
     * An untimed full backup and increment with nothing changed, so that the measured increments do not count the
     * class loading (reads of the jar) of the JVM's first increment; logs what that increment read.
     */
    private void warmUp(Path scratch) throws Exception {
        Path full = scratch.resolve("warm-up-full");
        Path increment = scratch.resolve("warm-up-increment");
        try {
            db.backup(full);
            Timed inc = timed(() -> db.backup(increment, full));
            log("   warm-up increment with nothing changed (not in the results): %.3f s, %s, read %s",
                    inc.seconds, BackupBench.mb(Disk.sizeBytes(increment)), inc.io == null ? "n/a"
                            : String.format(Locale.ROOT, "%,d B in %,d calls", inc.io.rcharBytes(),
                            inc.io.readCalls()));
        } finally {
            Disk.deleteTree(full);
            Disk.deleteTree(increment);
        }
    }

    private OnlineResults.Increment once(double percent, CacheMode mode, Path full, Path increment) throws Exception {
        Path data = db.dir();
        OnlineBench.prepareCache(mode, List.of(data));
        Timed fullRun = timed(() -> db.backup(full));
        long fullBytes = Disk.sizeBytes(full);

        PageDiff before = PageDiff.snapshot(data, PowDbLoad.PAGE_BYTES, BackupBench::isPagedFile);
        int updates = ChangePlan.updatesFor(before.totalPages(), percent, rows);
        PowDbLoad.addOneToAges(db, ChangePlan.spreadIds(rows, updates));
        long t0 = System.nanoTime();
        db.checkpoint();
        double checkpointSeconds = (System.nanoTime() - t0) / 1e9;

        OnlineBench.prepareCache(mode, List.of(data));
        Timed inc = timed(() -> db.backup(increment, full));
        PageDiff after = PageDiff.snapshot(data, PowDbLoad.PAGE_BYTES, BackupBench::isPagedFile);
        OnlineResults.Increment r = new OnlineResults.Increment(mode, percent, updates, before.totalPages(),
                before.changedPages(after), deltaPages(increment), checkpointSeconds, inc.seconds,
                Disk.sizeBytes(increment), inc.io, fullRun.seconds, fullBytes, fullRun.io);
        log("   %s %s%% of pages: %,d rows updated, %,d of %,d pages changed, %,d pages in the deltas; checkpoint "
                        + "%.3f s; increment %.3f s, %s, read %s in %s calls (%s of the changed bytes), "
                        + "storage read %s; full %.3f s", mode.label(),
                BackupReport.fmt(percent, 2), updates, r.changedPages(), r.totalPages(), r.deltaPages(),
                checkpointSeconds, r.seconds(), BackupBench.mb(r.incrementBytes()),
                r.io() == null ? "n/a" : BackupBench.mb(r.io().rcharBytes()),
                r.io() == null ? "n/a" : String.format(Locale.ROOT, "%,d", r.io().readCalls()),
                r.readPerChanged().isPresent() ? BackupReport.fmt(r.readPerChanged().getAsDouble(), 3) + "x" : "n/a",
                r.io() == null ? "n/a" : BackupBench.mb(r.io().readBytes()), r.fullSeconds());
        return r;
    }

    /** A backup call's seconds ({@code sync} after it included) and I/O counters (sync excluded). */
    private record Timed(double seconds, ProcIo io) {
    }

    private static Timed timed(Runnable backup) throws IOException {
        boolean counters = ProcIo.available();
        ProcIo io0 = counters ? ProcIo.now() : null;
        long t0 = System.nanoTime();
        backup.run();
        ProcIo io1 = counters ? ProcIo.now() : null;
        Disk.syncAll();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Timed(seconds, counters ? io1.since(io0) : null);
    }

    /**
     * Pages stored in the {@code .delta} files directly in {@code backup} (the u32 page count of each header).
     *
     * @throws IOException when a delta file is too short or does not start with the delta magic
     */
    static long deltaPages(Path backup) throws IOException {
        long pages = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(backup, "*.delta")) {
            for (Path delta : entries) {
                ByteBuffer head = ByteBuffer.allocate(DELTA_PAGE_COUNT_OFFSET + 4);
                try (FileChannel in = FileChannel.open(delta, StandardOpenOption.READ)) {
                    while (head.hasRemaining() && in.read(head) >= 0) {
                        // read until the header is complete or the file ends
                    }
                }
                if (head.hasRemaining()) {
                    throw new IOException(delta + ": " + head.position() + " bytes, shorter than a delta header "
                            + "(truncated?)");
                }
                byte[] magic = Arrays.copyOf(head.array(), DELTA_MAGIC.length);
                if (!Arrays.equals(magic, DELTA_MAGIC)) {
                    throw new IOException(delta + ": magic " + new String(magic, StandardCharsets.ISO_8859_1)
                            + ", expected " + new String(DELTA_MAGIC, StandardCharsets.US_ASCII));
                }
                pages += Integer.toUnsignedLong(head.getInt(DELTA_PAGE_COUNT_OFFSET));
            }
        }
        return pages;
    }

    private void log(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
