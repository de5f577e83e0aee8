package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommitLatenciesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** HdrHistogram with 3 significant digits: a percentile is within 0.1% of the true value. */
    private static void assertNear(double expected, double actual, String what) {
        assertEquals(expected, actual, expected * 0.001 + 1e-9, what);
    }

    @Test
    void percentilesMaximumAndSlowCommits() {
        CommitLatencies l = new CommitLatencies();
        for (int i = 1; i <= 1000; i++) {
            l.record(i * MS / 100); // 0.01 ms .. 10 ms
        }
        l.record(10 * MS + 1); // just over the slow mark
        l.record(250 * MS);
        CommitLatencies.Summary s = l.summary(2.0);
        assertEquals(1002, s.commits());
        assertEquals(2.0, s.windowSeconds());
        assertEquals(501.0, s.commitsPerSecond());
        assertNear(5.01, s.p50Millis(), "p50: the 501st of 1002 values");
        assertNear(9.92, s.p99Millis(), "p99: the 992nd of 1002 values");
        assertNear(10.0, s.p999Millis(), "p99.9: the 1001st value, 10 ms + 1 ns");
        assertEquals(250.0, s.maxMillis(), "the exact maximum");
        assertEquals(2, s.slowCommits(), "exactly 10 ms is not slow; 10 ms + 1 ns and 250 ms are");
    }

    @Test
    void percentilesNeverExceedTheExactMaximum() {
        CommitLatencies l = new CommitLatencies();
        for (int i = 0; i < 10; i++) {
            l.record(172_200_000); // a bucket's top is up to 0.1% higher: 172.2 ms would read as about 172.23
        }
        CommitLatencies.Summary s = l.summary(1);
        assertEquals(172.2, s.maxMillis());
        assertEquals(172.2, s.p999Millis());
        assertEquals(172.2, s.p50Millis());
    }

    @Test
    void longerThanTheHistogramKeepsTheExactMaximumAndNegativeIsZero() {
        CommitLatencies l = new CommitLatencies();
        l.record(CommitLatencies.HIGHEST_NANOS * 2);
        l.record(-5);
        CommitLatencies.Summary s = l.summary(1);
        assertEquals(2, s.commits());
        assertEquals(CommitLatencies.HIGHEST_NANOS * 2 / 1e6, s.maxMillis());
        assertEquals(0.0, s.p50Millis());
        assertEquals(1, s.slowCommits());
    }

    @Test
    void writersAddUp() {
        CommitLatencies a = new CommitLatencies();
        CommitLatencies b = new CommitLatencies();
        for (int i = 0; i < 99; i++) {
            a.record(MS);
        }
        b.record(40 * MS);
        b.record(20 * MS);
        a.add(b);
        CommitLatencies.Summary s = a.summary(1);
        assertEquals(101, s.commits());
        assertEquals(40.0, s.maxMillis());
        assertEquals(2, s.slowCommits());
        assertNear(1.0, s.p50Millis(), "p50");
        assertNear(20.0, s.p99Millis(), "p99: the 100th of 101 values");
        assertEquals(2, b.commits(), "the added one is unchanged");
    }

    @Test
    void emptyRunAndRatios() {
        CommitLatencies.Summary empty = new CommitLatencies().summary(3);
        assertEquals(0, empty.commits());
        assertTrue(Double.isNaN(empty.p99Millis()));
        assertTrue(Double.isNaN(empty.maxMillis()));
        assertEquals(0.0, empty.commitsPerSecond());
        assertTrue(Double.isNaN(new CommitLatencies().summary(0).commitsPerSecond()));

        CommitLatencies quiet = new CommitLatencies();
        quiet.record(2 * MS);
        CommitLatencies loaded = new CommitLatencies();
        loaded.record(7 * MS);
        CommitLatencies.Summary q = quiet.summary(1);
        CommitLatencies.Summary w = loaded.summary(1);
        assertNear(3.5, w.p99Ratio(q).getAsDouble(), "7 ms over 2 ms");
        assertNear(1 / 3.5, q.p99Ratio(w).getAsDouble(), "and back");
        assertTrue(w.p99Ratio(empty).isEmpty(), "no baseline commits");
        assertTrue(empty.p99Ratio(q).isEmpty(), "no commits with the backup");
        CommitLatencies zero = new CommitLatencies();
        zero.record(0);
        assertTrue(w.p99Ratio(zero.summary(1)).isEmpty(), "a baseline p99 of 0 gives no ratio");
    }
}
