package dev.powdb.cli;

import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.Backups;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code powdb backup-info BACKUP [--json]}: what a backup's manifest says (kind, time, LSNs, parent, hashes) and
 * how each file is stored. Reads only the manifest, which it validates (self-hash included); it does not check
 * the stored files: that is {@code verify-backup}.
 */
@Command(name = "backup-info", mixinStandardHelpOptions = true,
        description = {"Show what the backup BACKUP holds: kind, creation time, source LSN, catalog version, page"
                + " size, parent (for an increment), manifest hash, and each file with how it is stored.",
                "Reads and validates the manifest only; 'verify-backup' checks the files. Ignores --data-dir."})
final class BackupInfoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "BACKUP", description = "A backup directory.")
    Path backup;

    @Option(names = "--json", description = "Print the information as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = main.context;
        return Cli.reportingFailures(ctx, json, () -> {
            BackupManifest manifest = Backups.manifest(backup);
            if (json) {
                Cli.printJson(ctx, BackupJson.manifest(backup, manifest));
            } else {
                BackupText.printManifest(backup, manifest, ctx.out);
            }
            return 0;
        });
    }
}
