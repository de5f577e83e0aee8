package dev.powdb.cli;

import dev.powdb.backup.Backups;
import dev.powdb.backup.RestoreSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code powdb restore BACKUP DEST [--apply INC]... [--json]}: rebuilds a data directory from a full backup and
 * the increments on top of it, in order. Everything is validated before anything is written; the restore is staged
 * beside {@code DEST} and published with one rename, then opened to prove it (see {@link Backups#restore}).
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore the full backup BACKUP, with the increments given by --apply in order, into DEST"
                + " (which must not exist, or be an empty directory). Ignores --data-dir.",
                "Every file's BLAKE3 is checked while copying; the result appears only when complete and opens."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "BACKUP", description = "A full backup.")
    Path backup;

    @Parameters(index = "1", paramLabel = "DEST", description = "The data directory to create.")
    Path dest;

    @Option(names = "--apply", paramLabel = "INC",
            description = "An incremental backup to apply; repeat for a chain, oldest first.")
    List<Path> increments = new ArrayList<>();

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = main.context;
        return Cli.reportingFailures(ctx, json, () -> {
            TerminalProgress progress = TerminalProgress.bytes(ctx);
            RestoreSummary summary;
            try {
                summary = Backups.restore(backup, increments, dest, progress);
            } finally {
                progress.end();
            }
            if (json) {
                Cli.printJson(ctx, BackupJson.restore(backup, increments, summary));
            } else {
                ctx.out.println(BackupText.restoreLine(backup, increments, summary));
            }
            return 0;
        });
    }
}
