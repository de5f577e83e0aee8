package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcPausesTest {
    private static final long MS = 1_000_000L;
    /** The window: [1000 ms, 2000 ms) on the nanoTime scale. */
    private static final long FROM = 1_000 * MS;
    private static final long UNTIL = 2_000 * MS;

    private static GcEvent young(long startMillis, long durationMillis) {
        return new GcEvent("G1 Young Generation", "end of minor GC", "G1 Evacuation Pause", startMillis * MS,
                durationMillis);
    }

    private static GcEvent event(String collector, long startMillis, long durationMillis) {
        return new GcEvent(collector, "end of GC pause", "Allocation Rate", startMillis * MS, durationMillis);
    }

    private static List<Long> starts(List<GcEvent> events) {
        return events.stream().map(e -> e.startNanos() / MS).toList();
    }

    @Test
    void beforeInsideStraddlingAndAfter() {
        List<GcEvent> events = List.of(
                young(100, 300),     // 100..400: long before
                young(900, 99),      // 900..999: ends 1 ms before the window
                young(950, 130),     // 950..1080: straddles the start
                young(1_200, 364),   // 1200..1564: inside
                young(1_990, 50),    // 1990..2040: straddles the end
                young(2_000, 7),     // starts as the window closes: after it
                young(2_500, 200));  // long after
        assertEquals(List.of(950L, 1_200L, 1_990L), starts(GcPauses.overlapping(events, FROM, UNTIL)));
        GcPauses.Summary s = GcPauses.inWindow(events, FROM, UNTIL);
        assertEquals(3, s.pauses());
        assertEquals(130 + 364 + 50, s.totalMillis(), "straddling pauses count whole");
        assertEquals(364, s.longestMillis());
    }

    @Test
    void aPauseCoveringTheWholeWindowCounts() {
        GcPauses.Summary s = GcPauses.inWindow(List.of(young(500, 2_000)), FROM, UNTIL);
        assertEquals(new GcPauses.Summary(1, 2_000, 2_000), s);
    }

    @Test
    void edges() {
        assertEquals(1, GcPauses.inWindow(List.of(young(900, 100)), FROM, UNTIL).pauses(),
                "ending exactly at the start touches the window");
        assertEquals(1, GcPauses.inWindow(List.of(young(1_000, 0)), FROM, UNTIL).pauses(),
                "a 0 ms pause at the start counts");
        assertEquals(1, GcPauses.inWindow(List.of(young(1_999, 0)), FROM, UNTIL).pauses(),
                "a 0 ms pause just before the end counts");
        assertEquals(0, GcPauses.inWindow(List.of(young(2_000, 0)), FROM, UNTIL).pauses(),
                "the window's end is exclusive");
    }

    @Test
    void concurrentCyclesAreNotPauses() {
        List<GcEvent> events = List.of(
                event("ZGC Cycles", 1_100, 400),
                event("ZGC Pauses", 1_100, 0),
                event("ZGC Pauses", 1_300, 2),
                event("ZGC Major Cycles", 1_400, 500),
                event("Shenandoah Cycles", 1_500, 300),
                event("Shenandoah Pauses", 1_500, 1));
        GcPauses.Summary s = GcPauses.inWindow(events, FROM, UNTIL);
        assertEquals(new GcPauses.Summary(3, 3, 2), s);
        assertTrue(GcPauses.overlapping(events, FROM, UNTIL).stream().allMatch(GcEvent::pause));
    }

    @Test
    void everyOtherCollectorPauses() {
        for (String name : List.of("G1 Young Generation", "G1 Old Generation", "G1 Concurrent GC", "PS Scavenge",
                "PS MarkSweep", "Copy", "MarkSweepCompact", "ZGC Pauses", "ZGC Minor Pauses")) {
            assertTrue(event(name, 0, 1).pause(), name);
        }
    }

    @Test
    void noPauses() {
        assertEquals(new GcPauses.Summary(0, 0, 0), GcPauses.inWindow(List.of(), FROM, UNTIL));
        assertEquals(new GcPauses.Summary(0, 0, 0),
                GcPauses.inWindow(List.of(young(100, 5), young(3_000, 5)), FROM, UNTIL));
    }

    @Test
    void describe() {
        assertEquals("3 GC pauses, 1,412 ms in all, longest 364 ms", new GcPauses.Summary(3, 1_412, 364).describe());
        assertEquals("1 GC pause, 7 ms in all, longest 7 ms", new GcPauses.Summary(1, 7, 7).describe());
    }
}
