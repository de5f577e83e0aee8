package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The uptime printed next to each backup window, used to find the window in a JVM log decorated with uptime. */
class WriterLatencyClockTest {
    @Test
    void uptimeOfNowIsTheJvmsUptime() {
        double before = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        double mapped = WriterLatency.uptimeSeconds(System.nanoTime());
        double after = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        // Whole milliseconds on both sides; allow one for the rounding of each reading.
        assertEquals((before + after) / 2, mapped, (after - before) / 2 + 0.002);
    }

    @Test
    void anEarlierInstantMapsToAnEarlierUptime() {
        long now = System.nanoTime();
        double a = WriterLatency.uptimeSeconds(now);
        double b = WriterLatency.uptimeSeconds(now - 3_000_000_000L);
        assertEquals(3.0, a - b, 0.005, "3 s of nanoTime are 3 s of uptime");
    }
}
