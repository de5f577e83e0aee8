package dev.powdb.bench.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Time the hypervisor kept this virtual machine's CPUs from running while they had work ("steal" in Linux's
 * {@code /proc/stat}), summed over all CPUs. When the host stops every vCPU at once, every thread of the benchmark
 * stops with them, and a commit in flight takes that long longer; no trace inside the guest shows why, only a gap.
 * The benchmark reads it around each window so that such a stall can be told from one of the database.
 */
final class StealTime {
    private static final Path STAT = Path.of("/proc/stat");
    /** {@code /proc/stat} counts in USER_HZ ticks, 100 per second on Linux for every architecture it runs on. */
    static final long MILLIS_PER_TICK = 10;

    private StealTime() {
    }

    /** Milliseconds of steal since boot, all CPUs together, or -1 when the system does not say. */
    static long millisNow() {
        try {
            return parse(Files.readString(STAT));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The steal of the {@code cpu} line (all CPUs) of {@code /proc/stat} text in milliseconds, or -1 when the line or
     * its 8th value is missing (kernels before 2.6.11).
     */
    static long parse(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 9) {
                    return -1;
                }
                try {
                    return Long.parseLong(f[8]) * MILLIS_PER_TICK;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
