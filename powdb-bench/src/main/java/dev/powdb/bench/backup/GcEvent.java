package dev.powdb.bench.backup;

/**
 * One collection the JVM reported through a {@code GarbageCollectionNotificationInfo} notification (see
 * {@link GcRecorder}).
 *
 * @param collector      the reporting {@code GarbageCollectorMXBean}'s name ({@code getGcName()}), e.g.
 *                       "G1 Young Generation" or "ZGC Cycles"
 * @param action         {@code getGcAction()}, e.g. "end of minor GC"
 * @param cause          {@code getGcCause()}, e.g. "G1 Evacuation Pause" or "System.gc()"
 * @param startNanos     when the collection began, on the {@link System#nanoTime()} scale (so it compares with the
 *                       writers' windows)
 * @param durationMillis its length as {@code GcInfo.getDuration()} gives it: whole milliseconds, so a sub-millisecond
 *                       pause is 0
 */
record GcEvent(String collector, String action, String cause, long startNanos, long durationMillis) {
    /**
     * The rule that tells concurrent work from pauses: ZGC ("ZGC Cycles", on later JDKs "ZGC Minor/Major Cycles")
     * and Shenandoah ("Shenandoah Cycles") report each concurrent cycle on a bean of this name, next to a
     * "... Pauses" bean for the stops inside it. Every other bean (G1, Parallel, Serial) reports stop-the-world
     * collections only.
     */
    static final String CONCURRENT_MARKER = "Cycles";

    /** Whether this collection stopped the application threads: its collector's name lacks "Cycles". */
    boolean pause() {
        return !collector.contains(CONCURRENT_MARKER);
    }

    /** When the collection ended, on the {@link System#nanoTime()} scale. */
    long endNanos() {
        return startNanos + durationMillis * 1_000_000L;
    }
}
