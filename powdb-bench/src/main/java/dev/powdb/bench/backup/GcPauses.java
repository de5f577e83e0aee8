package dev.powdb.bench.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which recorded GC pauses fell inside a measured window, and how long they took together. */
final class GcPauses {
    private GcPauses() {
    }

    /**
     * The pauses ({@link GcEvent#pause()}) among {@code events} that overlap the window {@code [fromNanos,
     * untilNanos)}: those with {@code start < untilNanos} and {@code end >= fromNanos}. The end is inclusive so that a
     * pause GcInfo reports as 0 ms still counts when it begins exactly at the window's start. In the order given.
     */
    static List<GcEvent> overlapping(List<GcEvent> events, long fromNanos, long untilNanos) {
        List<GcEvent> inside = new ArrayList<>();
        for (GcEvent e : events) {
            if (e.pause() && e.startNanos() < untilNanos && e.endNanos() >= fromNanos) {
                inside.add(e);
            }
        }
        return inside;
    }

    /**
     * The pauses overlapping the window, added up. A pause that straddles an edge counts with its whole duration:
     * it stalled the commits at that edge for all of it, and GcInfo gives whole milliseconds anyway.
     */
    static Summary inWindow(List<GcEvent> events, long fromNanos, long untilNanos) {
        int count = 0;
        long total = 0;
        long longest = 0;
        for (GcEvent e : overlapping(events, fromNanos, untilNanos)) {
            count++;
            total += e.durationMillis();
            longest = Math.max(longest, e.durationMillis());
        }
        return new Summary(count, total, longest);
    }

    /**
     * The GC pauses overlapping one window.
     *
     * @param pauses        how many
     * @param totalMillis   the sum of their whole durations, in milliseconds
     * @param longestMillis the longest one's duration in milliseconds, 0 when there was none
     */
    record Summary(int pauses, long totalMillis, long longestMillis) {
        /** The pauses of this window and of {@code other} (a window that does not overlap this one) together. */
        Summary plus(Summary other) {
            return new Summary(pauses + other.pauses, totalMillis + other.totalMillis,
                    Math.max(longestMillis, other.longestMillis));
        }

        /** For the log: "3 GC pauses, 412 ms in all, longest 364 ms". */
        String describe() {
            return String.format(Locale.ROOT, "%,d GC pause%s, %,d ms in all, longest %,d ms", pauses,
                    pauses == 1 ? "" : "s", totalMillis, longestMillis);
        }
    }
}
