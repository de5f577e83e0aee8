package dev.powdb.cli;

import dev.powdb.backup.BackupProgress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * The command line's {@link BackupProgress}: a progress bar on standard error while a backup, restore, verify or the
 * demo's load runs, only when the command line runs on a terminal. Elsewhere (a pipe, a file, CI) it prints nothing,
 * so scripts see only the summary on standard output.
 *
 * <p>One task at a time: {@link #begin} closes a bar left open by a task that did not call {@link #end}. Not
 * thread-safe, like the interface it implements.
 */
final class TerminalProgress implements BackupProgress {
    private static final int REFRESH_MILLIS = 100;

    private final PrintStream err;
    private final boolean terminal;
    private final String unitName;
    private final long unitSize;
    private ProgressBar bar;

    /**
     * @param err      where the bar is drawn
     * @param terminal whether to draw anything at all
     * @param unitName the unit shown in the bar ({@code "MiB"}, {@code "rows"})
     * @param unitSize how many of the counted amounts make one unit (1048576 for MiB counted in bytes)
     */
    TerminalProgress(PrintStream err, boolean terminal, String unitName, long unitSize) {
        this.err = err;
        this.terminal = terminal;
        this.unitName = unitName;
        this.unitSize = unitSize;
    }

    /** A bar counting bytes in MiB, drawn when {@code ctx} is a terminal. */
    static TerminalProgress bytes(CliContext ctx) {
        return new TerminalProgress(ctx.err, ctx.terminal, "MiB", 1L << 20);
    }

    /** A bar counting rows, drawn when {@code ctx} is a terminal. */
    static TerminalProgress rows(CliContext ctx) {
        return new TerminalProgress(ctx.err, ctx.terminal, " rows", 1);
    }

    /** Whether this reporter draws bars (else every call does nothing). */
    boolean drawing() {
        return terminal;
    }

    @Override
    public void begin(String task, long totalBytes) {
        if (!terminal) {
            return;
        }
        end();
        bar = ProgressBar.builder()
                .setTaskName(task)
                .setInitialMax(totalBytes > 0 ? totalBytes : -1)   // -1: size unknown, an indefinite bar
                .setUnit(unitName, unitSize)
                .setStyle(ProgressBarStyle.ASCII)   // block characters come out as '?' under a POSIX locale
                .setUpdateIntervalMillis(REFRESH_MILLIS)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .clearDisplayOnFinish()   // the summary line that follows says how long it took and how fast
                .build();
    }

    @Override
    public void advance(long bytes) {
        if (bar != null) {
            bar.stepBy(bytes);
        }
    }

    @Override
    public void end() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
