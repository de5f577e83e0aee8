package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackupWindowsTest {
    private static final long MS = 1_000_000L;

    /** Two backups: [1000, 2000) ms with the copy from 1100 to 1900, and [5000, 5500) with the copy 5050 to 5450. */
    private static List<BackupWindows.Window> windows() {
        return List.of(new BackupWindows.Window(1000 * MS, 1100 * MS, 1900 * MS, 2000 * MS),
                new BackupWindows.Window(5000 * MS, 5050 * MS, 5450 * MS, 5500 * MS));
    }

    @Test
    void commitsCountInTheBackupAndPhaseTheyBeganIn() {
        CommitTimeline t = new CommitTimeline();
        t.record(999 * MS, 50 * MS);   // before the first backup: not counted
        t.record(1000 * MS, 3 * MS);   // first instant of backup 1, in its start phase
        t.record(1500 * MS, 7 * MS);   // backup 1, copy
        t.record(1950 * MS, 1 * MS);   // backup 1, end
        t.record(2000 * MS, 40 * MS);  // the instant backup 1 returned: outside
        t.record(3000 * MS, 30 * MS);  // between the backups: outside
        t.record(5100 * MS, 9 * MS);   // backup 2, copy
        t.record(5499 * MS, 2 * MS);   // backup 2, end

        BackupWindows.Analysis a = BackupWindows.analyse(windows(), t, 3);

        assertEquals(5, a.pooled().commits());
        assertEquals(1.5, a.pooled().windowSeconds(), 1e-9);
        assertEquals(9.0, a.pooled().maxMillis(), 0.01);
        assertEquals(3, a.perBackup().get(0).commits());
        assertEquals(1.0, a.perBackup().get(0).windowSeconds(), 1e-9);
        assertEquals(7.0, a.perBackup().get(0).maxMillis(), 0.01);
        assertEquals(2, a.perBackup().get(1).commits());
        assertEquals(List.of(BackupWindows.Phase.START, BackupWindows.Phase.COPY, BackupWindows.Phase.END),
                a.phases().stream().map(BackupWindows.PhaseLatency::phase).toList());
        assertEquals(1, a.phases().get(0).latency().commits());
        assertEquals(0.15, a.phases().get(0).latency().windowSeconds(), 1e-9, "100 ms + 50 ms of start phases");
        assertEquals(2, a.phases().get(1).latency().commits());
        assertEquals(1.2, a.phases().get(1).latency().windowSeconds(), 1e-9);
        assertEquals(2, a.phases().get(2).latency().commits());
        assertEquals(List.of(new BackupWindows.SlowCommit(2, 100.0, 9.0, BackupWindows.Phase.COPY),
                new BackupWindows.SlowCommit(1, 500.0, 7.0, BackupWindows.Phase.COPY),
                new BackupWindows.SlowCommit(1, 0.0, 3.0, BackupWindows.Phase.START)), a.slowest());
    }

    @Test
    void noCommitsGiveEmptySummaries() {
        BackupWindows.Analysis a = BackupWindows.analyse(windows(), new CommitTimeline(), 10);
        assertEquals(0, a.pooled().commits());
        assertTrue(Double.isNaN(a.pooled().p99Millis()));
        assertTrue(a.slowest().isEmpty());
    }

    @Test
    void marksFollowTheProgressReports() {
        BackupWindows.Marks m = new BackupWindows.Marks();
        long t0 = System.nanoTime();
        m.begin("backup", 100);
        m.advance(60);
        long between = System.nanoTime();
        m.advance(40);
        m.advance(10); // the WAL of the backup, past the data files' total
        long t1 = System.nanoTime();
        BackupWindows.Window w = m.window(t0, t1);
        assertTrue(w.copyNanos() >= t0 && w.copyNanos() <= between, "copy began at the first report");
        assertTrue(w.copiedNanos() >= between && w.copiedNanos() <= t1, "copied when the total was reached");

        BackupWindows.Window silent = new BackupWindows.Marks().window(t0, t1);
        assertEquals(t1, silent.copyNanos(), "no report: the whole backup counts as its start");
        assertEquals(t1, silent.copiedNanos());
    }

    @Test
    void marksOutOfOrderAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BackupWindows.Window(10, 5, 20, 30));
        assertThrows(IllegalArgumentException.class, () -> new BackupWindows.Window(10, 15, 40, 30));
    }

    @Test
    void timelineGrowsAndAddsUp() {
        CommitTimeline a = new CommitTimeline();
        for (int i = 0; i < 3000; i++) {
            a.record(i, 2L * i);
        }
        CommitTimeline b = new CommitTimeline();
        b.record(-1, 7);
        b.add(a);
        assertEquals(3001, b.size());
        assertEquals(2999, b.startNanos(3000));
        assertEquals(5998, b.nanos(3000));
        assertThrows(IndexOutOfBoundsException.class, () -> b.nanos(3001));
    }
}
