package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class HiccupMeterTest {
    private static final long MS = 1_000_000L;

    /** The tenth sleep takes 40 ms instead of 5: one hiccup of about 35 ms, found by the windows around it. */
    @Test
    void anOverrunSleepIsRecordedWithItsStartAndLength() throws Exception {
        AtomicInteger sleeps = new AtomicInteger();
        CountDownLatch pastTheLongOne = new CountDownLatch(1);
        long before = System.nanoTime();
        HiccupMeter meter = HiccupMeter.start(nanos -> {
            int n = sleeps.incrementAndGet();
            LockSupport.parkNanos(n == 10 ? 40 * MS : nanos);
            if (n == 12) {
                pastTheLongOne.countDown();
            }
        });
        try {
            assertTrue(pastTheLongOne.await(10, TimeUnit.SECONDS));
        } finally {
            meter.close();
        }
        long after = System.nanoTime();
        List<HiccupMeter.Hiccup> recorded = meter.hiccups();
        HiccupMeter.Hiccup longest = recorded.stream()
                .max(java.util.Comparator.comparingLong(HiccupMeter.Hiccup::lateNanos)).orElseThrow();
        assertTrue(longest.lateNanos() >= 34 * MS, "overrun " + longest.lateNanos());
        assertTrue(longest.startNanos() > before && longest.endNanos() < after);
        assertEquals(longest.lateNanos(), HiccupMeter.longestOverlapping(recorded, longest.startNanos() + 10 * MS,
                longest.startNanos() + 11 * MS), "a window inside the sleep");
        assertEquals(0, HiccupMeter.longestOverlapping(List.of(longest), longest.endNanos(), after),
                "a window after it");
    }

    @Test
    void overlapIsJudgedOnTheWholeSleep() {
        HiccupMeter.Hiccup h = new HiccupMeter.Hiccup(100 * MS, 20 * MS); // slept from 100 to 125 ms
        HiccupMeter.Hiccup small = new HiccupMeter.Hiccup(200 * MS, 6 * MS);
        List<HiccupMeter.Hiccup> all = List.of(h, small);
        assertEquals(20 * MS, HiccupMeter.longestOverlapping(all, 124 * MS, 130 * MS));
        assertEquals(0, HiccupMeter.longestOverlapping(all, 125 * MS, 200 * MS));
        assertEquals(20 * MS, HiccupMeter.longestOverlapping(all, 0, 300 * MS));
        assertEquals(6 * MS, HiccupMeter.longestOverlapping(all, 150 * MS, 300 * MS));
    }
}
