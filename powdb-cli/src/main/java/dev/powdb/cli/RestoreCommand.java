package dev.powdb.cli;

import dev.powdb.backup.Backups;
import dev.powdb.backup.RestoreSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code powdb restore BACKUP DEST [--apply INC]... [--archive DIR [--until-lsn N | --until-time T |
 * --until-point NAME]] [--json]}: rebuilds a data directory from a full backup and the increments on top of it, in
 * order, and with a WAL archive replays the archived WAL up to a target (point-in-time restore). Every option is
 * checked before anything is read or written (see {@link RestoreUntil}); the restore itself validates the chain
 * and the WAL before writing, stages beside {@code DEST} and publishes with one rename, then opens the result to
 * prove it (see {@link Backups#restore}).
 *
 * <p>{@code --archive} is the global option, so it may come before or after {@code restore}.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore the full backup BACKUP, with the increments given by --apply in order, into DEST"
                + " (which must not exist, or be an empty directory). Ignores --data-dir.",
                "With --archive DIR (before or after 'restore'), the WAL archived in DIR is then replayed on top"
                        + " of the last backup: up to --until-lsn, --until-time or --until-point (at most one), or"
                        + " to the end of the archive. Transactions committed at or before the target are in the result;"
                        + " later ones, and one still open there, are not.",
                "Every file's BLAKE3 is checked while copying and every archived segment is checked before anything"
                        + " is written; the result appears only when complete and opens."},
        footer = {"", "Examples:",
                "  powdb restore backups/full restored --apply backups/incr-1",
                "  powdb restore backups/full restored --archive wal --until-point p1",
                "  powdb restore backups/full restored --archive wal --until-lsn 1450",
                "  powdb restore backups/full restored --archive wal \\",
                "        --until-time 2026-11-24T10:15:30+01:00",
                "  powdb --archive wal restore backups/full restored    (all archived WAL)",
                "'powdb archive-info wal' lists the LSNs, commit times and restore points",
                "an archive can restore to."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BACKUP", description = "A full backup.")
    Path backup;

    @Parameters(index = "1", paramLabel = "DEST", description = "The data directory to create.")
    Path dest;

    @Option(names = "--apply", paramLabel = "INC",
            description = "An incremental backup to apply; repeat for a chain, oldest first.")
    List<Path> increments = new ArrayList<>();

    @Option(names = "--until-lsn", paramLabel = "N",
            description = "With --archive: replay the WAL up to and including LSN N.")
    Long untilLsn;

    @Option(names = "--until-time", paramLabel = "TIME",
            description = {"With --archive: keep every transaction committed at or before TIME, an ISO-8601"
                    + " date and time: 2026-11-24T10:15:30Z, 2026-11-24T10:15:30+01:00, or 2026-11-24T10:15:30"
                    + " read in this machine's time zone (the summary names the zone)."})
    String untilTime;

    @Option(names = "--until-point", paramLabel = "NAME",
            description = "With --archive: replay the WAL up to the restore point NAME (made with the PowQL"
                    + " statement restore point \"NAME\").")
    String untilPoint;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = main.context;
        RestoreUntil.Choice until;
        try {
            until = RestoreUntil.choose(main.archive, untilLsn, untilTime, untilPoint, ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return Cli.reportingFailures(ctx, json, () -> {
            TerminalProgress progress = TerminalProgress.bytes(ctx);
            RestoreSummary summary;
            try {
                summary = until == null ? Backups.restore(backup, increments, dest, progress)
                        : Backups.restore(backup, increments, dest, until.target(), progress);
            } finally {
                progress.end();
            }
            if (json) {
                Cli.printJson(ctx, BackupJson.restore(backup, increments, summary, until));
            } else {
                ctx.out.println(BackupText.restoreLine(backup, increments, summary, until));
            }
            return 0;
        });
    }
}
