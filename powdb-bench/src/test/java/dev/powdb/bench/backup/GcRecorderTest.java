package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcRecorderTest {
    private static final long MS = 1_000_000L;

    @Test
    void startIsMappedFromGcInfoAndNeverAfterTheArrivalAllows() {
        assertEquals(5_000 * MS + 120 * MS, GcRecorder.startNanos(120, 30, 5_000 * MS, 9_000 * MS),
                "origin plus GcInfo's start");
        assertEquals(5_100 * MS, GcRecorder.startNanos(120, 30, 5_000 * MS, 5_130 * MS),
                "ends at its arrival at the latest: 5130 - 30 ms");
    }

    @Test
    void collectorsAreTheJvmsBeans() {
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList();
        try (GcRecorder gc = GcRecorder.start()) {
            assertEquals(names, gc.collectors());
        }
    }

    /** System.gc() between two clock readings: the recorded pause must lie between them (checks the clock mapping). */
    @Test
    void aRequestedCollectionIsRecordedWhereItHappened() throws Exception {
        try (GcRecorder gc = GcRecorder.start()) {
            assumeTrue(gc.recording(), "no collector sends notifications");
            long before = System.nanoTime();
            System.gc();
            long after = System.nanoTime();
            assertTrue(gc.awaitDelivered(), "notifications of ended collections arrive");
            assumeTrue(!gc.events().isEmpty(), "System.gc() collected nothing (-XX:+DisableExplicitGC?)");
            // GcInfo and the mapping are whole milliseconds: allow 2 ms either side.
            boolean within = gc.events().stream().filter(GcEvent::pause).anyMatch(e ->
                    e.startNanos() >= before - 2 * MS && e.endNanos() <= after + 2 * MS);
            assertTrue(within, "a pause within System.gc()'s " + (after - before) / 1e6 + " ms, got "
                    + describe(gc.events(), before));
        }
    }

    @Test
    void closeRemovesTheListeners() throws Exception {
        GcRecorder gc = GcRecorder.start();
        assumeTrue(gc.recording(), "no collector sends notifications");
        gc.close();
        List<GcEvent> atClose = gc.events();
        System.gc();
        Thread.sleep(200);
        assertEquals(atClose, gc.events(), "nothing recorded after close");
    }

    private static String describe(List<GcEvent> events, long origin) {
        StringBuilder b = new StringBuilder();
        for (GcEvent e : events) {
            b.append(String.format("%n  %s (%s) at %+.3f ms for %d ms", e.collector(), e.action(),
                    (e.startNanos() - origin) / 1e6, e.durationMillis()));
        }
        return b.toString();
    }
}
