package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StallsTest {
    private static final long MS = 1_000_000L;

    @Test
    void slowCommitsCloseTogetherAreOneStallAndFarApartAreTwo() {
        CommitTimeline t = new CommitTimeline();
        // Recorded out of order, as the writers' timelines are added one after the other.
        t.record(1_000 * MS, 12 * MS);
        t.record(2_000 * MS, 30 * MS);
        t.record(1_002 * MS, 10 * MS + 1);
        t.record(1_001 * MS, 5 * MS); // fast enough: not part of any stall
        t.record(2_050 * MS, 11 * MS);
        t.record(1_150 * MS, 40 * MS); // 148 ms after the previous slow one: a stall of its own
        t.record(3_000 * MS, 10 * MS); // exactly the threshold: not slower
        List<Stalls.Stall> stalls = Stalls.find(t, 0, Long.MAX_VALUE, 10 * MS);
        assertEquals(List.of(
                new Stalls.Stall(1_000 * MS, 1_012 * MS + 1, 2, 12 * MS), // ends with the 2nd
                new Stalls.Stall(1_150 * MS, 1_190 * MS, 1, 40 * MS),
                new Stalls.Stall(2_000 * MS, 2_061 * MS, 2, 30 * MS)), stalls);
    }

    @Test
    void onlyCommitsThatBeganInsideTheWindowCount() {
        CommitTimeline t = new CommitTimeline();
        t.record(999 * MS, 50 * MS);
        t.record(1_000 * MS, 20 * MS);
        t.record(1_999 * MS, 25 * MS);
        t.record(2_000 * MS, 60 * MS);
        assertEquals(List.of(new Stalls.Stall(1_000 * MS, 1_020 * MS, 1, 20 * MS),
                        new Stalls.Stall(1_999 * MS, 2_024 * MS, 1, 25 * MS)),
                Stalls.find(t, 1_000 * MS, 2_000 * MS, 10 * MS));
        assertEquals(List.of(), Stalls.find(new CommitTimeline(), 0, Long.MAX_VALUE, 10 * MS));
    }
}
