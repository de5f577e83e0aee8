package dev.powdb.bench.backup;

import dev.powdb.backup.HashingFileCopier;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a backup's writes disturb the database's WAL, without a database: {@link HashingFileCopier} (the copier that
 * backups, restores and the WAL archive use) copies a file of random bytes while another thread stands in for the
 * WAL, writing 4 KiB and fdatasyncing it 1,000 times a second into a preallocated file. Each copy runs once with
 * direct writes and once without ({@code powdb.backup.directIo}), alternately, after the source was read once so it
 * is in the page cache. Reported per copy: its MB/s, and the stand-in's fsync latencies while the copy ran.
 *
 * <pre>java -cp powdb-bench.jar dev.powdb.bench.backup.FsyncInterferenceProbe DIR [MB] [ROUNDS]</pre>
 * DIR must not exist or be empty (it is filled with a source file of MB megabytes, default 1000, and removed at the
 * end); ROUNDS (default 3) is how many direct/buffered pairs run.
 */
public final class FsyncInterferenceProbe {
    private static final int WAL_STAND_IN_BYTES = 64 << 20;
    private static final long FSYNC_PERIOD_NANOS = 1_000_000;

    private FsyncInterferenceProbe() {
    }

    /** One copy's result. */
    record Result(boolean direct, long bytes, double seconds, long[] fsyncNanos) {
        double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }

        /** Fsync latency at quantile {@code q} (0..1) in ms, nearest rank. */
        double quantileMs(double q) {
            if (fsyncNanos.length == 0) {
                return 0;
            }
            int i = (int) Math.ceil(q * fsyncNanos.length) - 1;
            return fsyncNanos[Math.max(0, Math.min(fsyncNanos.length - 1, i))] / 1e6;
        }

        long over(long nanos) {
            long n = 0;
            for (long f : fsyncNanos) {
                if (f > nanos) {
                    n++;
                }
            }
            return n;
        }

        String line() {
            return String.format(Locale.ROOT, "| %s | %.3f | %,.0f | %d | %.2f | %.2f | %.2f | %d |",
                    direct ? "direct" : "buffered, fdatasync every 32 MiB", seconds, mbPerSecond(),
                    fsyncNanos.length, quantileMs(0.5), quantileMs(0.99), quantileMs(1.0), over(10_000_000));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3 || args[0].startsWith("-")) {
            System.err.println("usage: FsyncInterferenceProbe DIR [MB] [ROUNDS]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (Files.exists(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    System.err.println(dir + " is not empty; give a new or empty directory");
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(dir);
        try {
            run(dir, (long) mb * 1_000_000, rounds, System.out);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Writes the source, runs {@code rounds} pairs of copies and prints a Markdown table. */
    static List<Result> run(Path dir, long bytes, int rounds, PrintStream out) throws Exception {
        Path source = dir.resolve("source.bin");
        writeRandom(source, bytes);
        Path wal = dir.resolve("wal-stand-in.bin");
        try (FileChannel w = FileChannel.open(wal, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            w.write(ByteBuffer.allocate(WAL_STAND_IN_BYTES), 0);
            w.force(true);
        }
        List<Result> results = new ArrayList<>();
        out.println("| copy writes | seconds | MB/s | fsyncs | fsync p50 ms | p99 ms | max ms | fsyncs > 10 ms |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (int r = 0; r < rounds; r++) {
            for (boolean direct : new boolean[] {true, false}) {
                Result res = copyOnce(source, dir, wal, direct);
                results.add(res);
                out.println(res.line());
            }
        }
        return results;
    }

    private static void writeRandom(Path file, long bytes) throws IOException {
        byte[] block = new byte[1 << 20];
        Random random = new Random(42);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long left = bytes;
            while (left > 0) {
                random.nextBytes(block);
                ByteBuffer b = ByteBuffer.wrap(block, 0, (int) Math.min(block.length, left));
                while (b.hasRemaining()) {
                    left -= c.write(b);
                }
            }
            c.force(true);
        }
    }

    private static Result copyOnce(Path source, Path dir, Path wal, boolean direct) throws Exception {
        Path target = dir.resolve("copy.bin");
        Files.deleteIfExists(target);
        try (FileChannel in = FileChannel.open(source)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (in.read(b) >= 0) {
                b.clear(); // warm the page cache with the source
            }
        }
        String old = System.getProperty(HashingFileCopier.DIRECT_IO_PROPERTY);
        System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, Boolean.toString(direct));
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> fsyncs = new ArrayList<>();
        Thread standIn = new Thread(() -> walStandIn(wal, stop, fsyncs), "wal-stand-in");
        long seconds;
        try (HashingFileCopier copier = new HashingFileCopier()) {
            standIn.start();
            Thread.sleep(1000); // the stand-in's pace settles before the copy starts
            synchronized (fsyncs) {
                fsyncs.clear();
            }
            long t0 = System.nanoTime();
            copier.copy(source, dir, "copy.bin");
            seconds = System.nanoTime() - t0;
        } finally {
            stop.set(true);
            standIn.join();
            if (old == null) {
                System.clearProperty(HashingFileCopier.DIRECT_IO_PROPERTY);
            } else {
                System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, old);
            }
        }
        long[] lat;
        synchronized (fsyncs) {
            lat = fsyncs.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        Files.delete(target);
        return new Result(direct, Files.size(source), seconds / 1e9, lat);
    }

    /** Writes 4 KiB and fdatasyncs it every millisecond until stopped; records each write+fsync's duration. */
    private static void walStandIn(Path wal, AtomicBoolean stop, List<Long> fsyncs) {
        try (FileChannel w = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            long position = 0;
            long next = System.nanoTime();
            while (!stop.get()) {
                next += FSYNC_PERIOD_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                long t0 = System.nanoTime();
                b.clear();
                w.write(b, position);
                position = (position + 4096) % WAL_STAND_IN_BYTES;
                w.force(false);
                long d = System.nanoTime() - t0;
                synchronized (fsyncs) {
                    fsyncs.add(d);
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("WAL stand-in failed: " + e.getMessage(), e);
        }
    }
}
