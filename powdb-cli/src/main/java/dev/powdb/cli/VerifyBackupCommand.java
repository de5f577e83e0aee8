package dev.powdb.cli;

import dev.powdb.backup.BackupVerifyReport;
import dev.powdb.backup.Backups;
import dev.powdb.backup.VerifyLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code powdb verify-backup BACKUP [--apply INC]... [--quick] [--restore-drill DIR] [--json]}: checks a backup
 * chain without restoring it (or, with a drill, by restoring it). Exit 0 when intact; 1 with one line per problem
 * (backup, file, check, message, remedy) and {@code Error:} on standard error otherwise.
 */
@Command(name = "verify-backup", mixinStandardHelpOptions = true,
        description = {"Check the backup BACKUP and the increments given by --apply. Deep by default: the BLAKE3"
                + " of every stored byte, every page checksum, the chain's links. Ignores --data-dir.",
                "Exit 0 when intact; 1 with one line per problem naming the file, the check and a remedy."})
final class VerifyBackupCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "BACKUP", description = "A full backup.")
    Path backup;

    @Option(names = "--apply", paramLabel = "INC",
            description = "An incremental backup on top of BACKUP; repeat for a chain, oldest first.")
    List<Path> increments = new ArrayList<>();

    @Option(names = "--quick",
            description = "Only check manifests, chain links, and that every file is there with its length.")
    boolean quick;

    @Option(names = "--restore-drill", paramLabel = "DIR",
            description = "Also restore into DIR (new or empty), open and check the result; the copy stays there.")
    Path drillDir;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        CliContext ctx = main.context;
        return Cli.reportingFailures(ctx, json, () -> {
            TerminalProgress progress = TerminalProgress.bytes(ctx);
            BackupVerifyReport report;
            try {
                report = Backups.verify(backup, increments, quick ? VerifyLevel.QUICK : VerifyLevel.DEEP,
                        drillDir, progress);
            } finally {
                progress.end();
            }
            if (json) {
                Cli.printJson(ctx, BackupJson.verify(report));
            } else {
                BackupText.printVerifyReport(report, ctx.out);
            }
            if (report.intact()) {
                return 0;
            }
            ctx.out.flush();
            ctx.err.println("Error: backup " + backup + " failed verification: "
                    + Sizes.count(report.problems().size(), "problem", "problems") + " found");
            return 1;
        });
    }
}
