package dev.powdb.cli;

import dev.powdb.backup.BackupException;
import dev.powdb.backup.BackupManifest;
import dev.powdb.backup.Backups;
import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.spi.BackupSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code powdb [--data-dir DIR] backup DEST [--base PREV] [--json]}: a full backup of the data directory into
 * {@code DEST}, or with {@code --base} an incremental one holding what changed since the backup {@code PREV}.
 *
 * <p>Checks {@code DEST} and {@code PREV} before opening the database, and opens it with
 * {@link Database#openExisting}, so a missing data directory is never created and a database that another process
 * holds is refused (LOCKED, naming that process's PID) without a byte of the data directory being written.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up the database of --data-dir into DEST (a new or empty directory): a full backup, or"
                + " with --base an incremental one holding only what changed since the backup PREV.",
                "Writers of this process wait while the files are copied; the backup is consistent at one LSN."
                        + " Prints one summary line (or a JSON object with --json)."})
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "DEST", description = "New or empty directory to write the backup to.")
    Path dest;

    @Option(names = "--base", paramLabel = "PREV",
            description = "Take an incremental backup on top of PREV, a full or incremental backup of this database.")
    Path base;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = main.context;
        return Cli.reportingFailures(ctx, json, () -> {
            Cli.requireNewDirectory(dest, "backup destination");
            if (base != null && !Files.isRegularFile(base.resolve(BackupManifest.FILE_NAME))) {
                throw new BackupException(ErrorCode.NOT_FOUND, "--base " + base + " is not a backup (no "
                        + BackupManifest.FILE_NAME + ")");
            }
            BackupSummary summary;
            try (Database db = Cli.openExisting(main)) {
                TerminalProgress progress = TerminalProgress.bytes(ctx);
                try {
                    summary = base == null ? Backups.full(db, dest, progress)
                            : Backups.incremental(db, dest, base, progress);
                } finally {
                    progress.end();
                }
            }
            BackupManifest manifest = Backups.manifest(dest);
            if (json) {
                Cli.printJson(ctx, BackupJson.backup(main.dataDir, summary, manifest, base));
            } else {
                ctx.out.println(BackupText.backupLine(main.dataDir, summary, manifest, base));
            }
            return 0;
        });
    }
}
