package dev.powdb.bench.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What the online parts measured (one run of each), for {@link OnlineReport}. Failures go to {@link Results}, with
 * the comparison's. MB = 10^6 bytes.
 */
final class OnlineResults {
    /**
     * The database the online parts share.
     *
     * @param sizeMb      target size from {@code --online-size}
     * @param rows        rows loaded
     * @param dataBytes   its data files after the load, the WAL directory not counted
     * @param loadSeconds the (untimed for results) load, for the log
     */
    record LoadedDatabase(int sizeMb, long rows, long dataBytes, double loadSeconds) {
    }

    /**
     * A full backup taken with {@code Database.backup(Path)}.
     *
     * @param seconds wall-clock time of the call
     * @param bytes   bytes of the backup directory afterwards
     */
    record BackupTiming(double seconds, long bytes) {
        OptionalDouble megabytesPerSecond() {
            return seconds > 0 ? OptionalDouble.of(bytes / 1e6 / seconds) : OptionalDouble.empty();
        }
    }

    /**
     * The writers part.
     *
     * @param writers          writer threads
     * @param ratePerWriter    intended commits per second per writer (latency from the scheduled start), 0 for
     *                         closed-loop writers (latency from the actual start)
     * @param warmupSeconds    unmeasured seconds before each measured window
     * @param quiet            commits with no backup running
     * @param withBackups      commits that began while one of the full backups ran, pooled, per backup and per phase
     * @param warmUpBackups    the same for the unmeasured full backups taken before them while the writers ran, or
     *                         null when there were none
     * @param backupQuiet      the same kind of full backup with no writers, just before
     * @param backupsUnderLoad the full backups the writers ran against, in order
     * @param jit              the JIT's compile time during each backup, or null when this JVM does not report it
     * @param gc               the GC pauses in each window (those of the backups added up), or null when this JVM's
     *                         collectors send no notifications
     */
    record WriterRuns(int writers, int ratePerWriter, int warmupSeconds, CommitLatencies.Summary quiet,
                      BackupWindows.Analysis withBackups, BackupWindows.Analysis warmUpBackups,
                      BackupTiming backupQuiet,
                      List<BackupTiming> backupsUnderLoad, JitTimes jit, GcWindows gc) {
        WriterRuns {
            backupsUnderLoad = List.copyOf(backupsUnderLoad);
        }

        /** Every commit that began while a backup ran. */
        CommitLatencies.Summary withBackup() {
            return withBackups.pooled();
        }
    }

    /**
     * Milliseconds the JVM's JIT compilers spent compiling while each backup ran ({@code CompilationMXBean}, all
     * compiler threads added up): the compiler threads run at the application's priority, so a backup whose code
     * is still being compiled delays the writers more than one in a warmed-up JVM.
     *
     * @param warmUp   during each warm-up backup, in order
     * @param measured during each measured backup, in order
     */
    record JitTimes(List<Long> warmUp, List<Long> measured) {
        JitTimes {
            warmUp = List.copyOf(warmUp);
            measured = List.copyOf(measured);
        }
    }

    /**
     * The garbage collector's pauses that overlapped the writers' two windows ({@link GcPauses#inWindow}).
     *
     * @param collectors names of the JVM's GarbageCollectorMXBeans (its GC choice)
     * @param quiet      pauses overlapping the window with no backup
     * @param withBackup pauses overlapping the windows of the full backups, added up
     */
    record GcWindows(List<String> collectors, GcPauses.Summary quiet, GcPauses.Summary withBackup) {
        GcWindows {
            collectors = List.copyOf(collectors);
        }
    }

    /**
     * One incremental backup after a change of {@code percent} of the pages.
     *
     * @param totalPages        heap and index pages before the change (the base of the percentage)
     * @param changedPages      pages whose bytes differ after the change and checkpoint ({@link PageDiff})
     * @param deltaPages        pages stored in the increment's {@code .delta} files
     * @param checkpointSeconds the checkpoint taken (timed apart) right before the increment
     * @param seconds           the increment, the {@code sync} after it included
     * @param incrementBytes    bytes of the increment's directory
     * @param io                growth of this process's I/O counters during the increment call (sync excluded);
     *                          null when {@code /proc/self/io} is missing
     * @param fullSeconds       the full backup taken before the change, the {@code sync} after it included
     * @param fullBytes         bytes of that full backup
     * @param fullIo            the counters' growth during the full backup call, or null
     */
    record Increment(CacheMode mode, double percent, long rowsUpdated, long totalPages, long changedPages,
                     long deltaPages, double checkpointSeconds, double seconds, long incrementBytes, ProcIo io,
                     double fullSeconds, long fullBytes, ProcIo fullIo) {
        /** Bytes of the changed pages. */
        long changedBytes() {
            return changedPages * PowDbLoad.PAGE_BYTES;
        }

        /** {@code rchar} during the increment ÷ bytes of the changed pages; empty without counters or change. */
        OptionalDouble readPerChanged() {
            if (io == null || changedPages == 0) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of((double) io.rcharBytes() / changedBytes());
        }
    }

    /**
     * One timed open (crash recovery) of a copy of the crashed database.
     *
     * @param walBytes     sum of the sizes of {@code wal/*.wal} before opening (includes the segment left by the
     *                     checkpoint before the workload and up to 1 MiB of zeroed reserve at the end of a segment)
     * @param walFiles     WAL segment files
     * @param records      WAL records the workload appended (LSN growth)
     * @param openSeconds  {@code Database.openExisting} on the copy: recovery and its closing checkpoint
     * @param rowsMatch    whether row count and age sum after recovery were the ones committed before the crash
     */
    record Replay(CacheMode mode, long walBytes, int walFiles, long records, double openSeconds, boolean rowsMatch) {
        OptionalDouble walMegabytesPerSecond() {
            return megabytesPerSecond(walBytes);
        }

        /** {@code bytes} (for example the WAL the workload wrote) divided by the open's time, in MB/s. */
        OptionalDouble megabytesPerSecond(long bytes) {
            return openSeconds > 0 ? OptionalDouble.of(bytes / 1e6 / openSeconds) : OptionalDouble.empty();
        }
    }

    LoadedDatabase database;
    WriterRuns writers;
    final List<Increment> increments = new ArrayList<>();
    final List<Replay> replays = new ArrayList<>();
    /** Seconds and transactions of the workload that produced the WAL, for the report's prose. */
    double replayWorkloadSeconds;
    long replayWorkloadTransactions;
    /** Bytes of the WAL files right after the full backup that precedes the workload (nothing left to replay). */
    long replayWalBytesBefore;
    /** The value of {@code -Dpowdb.backup.checkTracker} in this JVM (false unless given). */
    boolean checkTracker;
    /** Whether {@code /proc/self/io} could be read. */
    boolean procIo;
}
