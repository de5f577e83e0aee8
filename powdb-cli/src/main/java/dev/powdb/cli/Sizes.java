package dev.powdb.cli;

import java.util.Locale;

/**
 * How the command line writes amounts for people: sizes in binary units (1 MiB = 1048576 bytes), durations in
 * seconds, throughput in MiB per second. Always with a {@code .} as decimal point, whatever the locale.
 */
final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    /** {@code 812 B}, {@code 4.0 KiB}, {@code 104.3 MiB}. */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }

    /** {@code 0.42 s}. */
    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    /** {@code 248.3 MiB/s}, or {@code null} when the time was too short to measure (under a millisecond). */
    static String rate(long bytes, long millis) {
        if (millis <= 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%.1f MiB/s", bytes / (1024.0 * 1024.0) / (millis / 1000.0));
    }

    /** {@code 104.3 MiB in 0.42 s (248.3 MiB/s)}; the rate is left out when it cannot be measured. */
    static String amountAndTime(long bytes, long millis) {
        String rate = rate(bytes, millis);
        return bytes(bytes) + " in " + seconds(millis) + (rate == null ? "" : " (" + rate + ")");
    }

    /** Bytes per second as a whole number for JSON output, or 0 when the time was too short to measure. */
    static long bytesPerSecond(long bytes, long millis) {
        return millis <= 0 ? 0 : Math.round(bytes * 1000.0 / millis);
    }

    /** {@code 1.1%}: {@code part} as a percentage of {@code whole} (0% of nothing). */
    static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", whole <= 0 ? 0.0 : 100.0 * part / whole);
    }

    /** {@code 1 file}, {@code 7 files}. */
    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
