package dev.powdb.bench.backup;

import dev.powdb.backup.BackupProgress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The commits that began while one of several full backups ran: all of them together, per backup, per phase of a
 * backup, and the slowest few with where in their backup they fell. One backup's window is under a second on a
 * fast disk, so its p99 rests on a handful of commits; several backups in one run give the pooled p99 enough
 * commits to be repeatable, and the per-backup rows show the spread.
 */
final class BackupWindows {
    private BackupWindows() {
    }

    /** The parts of a full backup, in order, as its progress reports show them. */
    enum Phase {
        /** From the call to the first progress report: checks, the start checkpoint, opening the files. */
        START("start: checkpoint and setup"),
        /** From the first progress report until every data file's bytes were reported. */
        COPY("copy of the data files"),
        /** The rest: the end of the engine's backup, the WAL of the backup, control file and manifest. */
        END("end: WAL, control file, manifest");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /**
     * One backup's marks, as {@link System#nanoTime()}: when it was called, when its copy began, when every data
     * file's bytes had been copied, and when it returned.
     */
    record Window(long startNanos, long copyNanos, long copiedNanos, long endNanos) {
        Window {
            if (!(startNanos <= copyNanos && copyNanos <= copiedNanos && copiedNanos <= endNanos)) {
                throw new IllegalArgumentException("backup marks out of order: " + startNanos + ", " + copyNanos
                        + ", " + copiedNanos + ", " + endNanos);
            }
        }

        boolean contains(long nanos) {
            return nanos >= startNanos && nanos < endNanos;
        }

        Phase phaseOf(long nanos) {
            return nanos < copyNanos ? Phase.START : nanos < copiedNanos ? Phase.COPY : Phase.END;
        }

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }

        double seconds(Phase phase) {
            return switch (phase) {
                case START -> (copyNanos - startNanos) / 1e9;
                case COPY -> (copiedNanos - copyNanos) / 1e9;
                case END -> (endNanos - copiedNanos) / 1e9;
            };
        }
    }

    /**
     * One of the slowest commits.
     *
     * @param backup        which backup's window it began in, from 1
     * @param offsetMillis  its start after that backup was called
     * @param latencyMillis how long it took
     */
    record SlowCommit(int backup, double offsetMillis, double latencyMillis, Phase phase) {
    }

    /** The latencies of the commits that began during one phase, over all backups. */
    record PhaseLatency(Phase phase, CommitLatencies.Summary latency) {
    }

    /**
     * @param pooled    every commit that began inside a backup's window; its window is the backups' total time
     * @param perBackup the same for each backup, in order
     * @param phases    the same for each phase, in {@link Phase} order
     * @param slowest   the slowest commits, slowest first
     */
    record Analysis(CommitLatencies.Summary pooled, List<CommitLatencies.Summary> perBackup,
                    List<PhaseLatency> phases, List<SlowCommit> slowest) {
        Analysis {
            perBackup = List.copyOf(perBackup);
            phases = List.copyOf(phases);
            slowest = List.copyOf(slowest);
        }
    }

    /** Splits {@code commits} over {@code windows} (which must not overlap); commits outside every window are left out. */
    static Analysis analyse(List<Window> windows, CommitTimeline commits, int slowestCount) {
        CommitLatencies pooled = new CommitLatencies();
        List<CommitLatencies> perBackup = new ArrayList<>();
        for (int w = 0; w < windows.size(); w++) {
            perBackup.add(new CommitLatencies());
        }
        Map<Phase, CommitLatencies> perPhase = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            perPhase.put(p, new CommitLatencies());
        }
        List<SlowCommit> inside = new ArrayList<>();
        for (int i = 0; i < commits.size(); i++) {
            long start = commits.startNanos(i);
            long took = commits.nanos(i);
            for (int w = 0; w < windows.size(); w++) {
                Window window = windows.get(w);
                if (window.contains(start)) {
                    Phase phase = window.phaseOf(start);
                    pooled.record(took);
                    perBackup.get(w).record(took);
                    perPhase.get(phase).record(took);
                    inside.add(new SlowCommit(w + 1, (start - window.startNanos()) / 1e6, took / 1e6, phase));
                    break;
                }
            }
        }
        double total = windows.stream().mapToDouble(Window::seconds).sum();
        List<CommitLatencies.Summary> backups = new ArrayList<>();
        for (int w = 0; w < windows.size(); w++) {
            backups.add(perBackup.get(w).summary(windows.get(w).seconds()));
        }
        List<PhaseLatency> phases = new ArrayList<>();
        for (Phase p : Phase.values()) {
            double seconds = windows.stream().mapToDouble(w -> w.seconds(p)).sum();
            phases.add(new PhaseLatency(p, perPhase.get(p).summary(seconds)));
        }
        inside.sort(Comparator.comparingDouble(SlowCommit::latencyMillis).reversed()
                .thenComparingInt(SlowCommit::backup).thenComparingDouble(SlowCommit::offsetMillis));
        return new Analysis(pooled.summary(total), backups, phases,
                inside.subList(0, Math.min(slowestCount, inside.size())));
    }

    /**
     * A progress listener that marks when a full backup's copy began (its first report) and when the bytes of its
     * data files were all reported; {@link #window} then gives the backup's marks.
     */
    static final class Marks implements BackupProgress {
        private long copyNanos = -1;
        private long copiedNanos = -1;
        private long totalBytes;
        private long doneBytes;

        @Override
        public void begin(String task, long totalBytes) {
            if (copyNanos < 0) {
                copyNanos = System.nanoTime();
                this.totalBytes = totalBytes;
            }
        }

        @Override
        public void advance(long bytes) {
            doneBytes += bytes;
            if (copiedNanos < 0 && doneBytes >= totalBytes) {
                copiedNanos = System.nanoTime();
            }
        }

        /** The marks of a backup called at {@code startNanos} that returned at {@code endNanos}. */
        Window window(long startNanos, long endNanos) {
            long copy = copyNanos < 0 ? endNanos : copyNanos;
            long copied = copiedNanos < 0 ? endNanos : Math.max(copy, copiedNanos);
            return new Window(startNanos, copy, copied, endNanos);
        }
    }
}
