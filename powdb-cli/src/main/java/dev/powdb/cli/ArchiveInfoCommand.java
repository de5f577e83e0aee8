package dev.powdb.cli;

import dev.powdb.backup.ArchiveInfo;
import dev.powdb.backup.BackupException;
import dev.powdb.backup.Backups;
import dev.powdb.storage.ErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code powdb archive-info [DIR] [--check] [--json]}: what a WAL archive holds and whether a point-in-time restore
 * can use it. Exit 0 when intact; 1 with one line per gap or damaged segment and {@code Error:} on standard error;
 * 2 for a usage error or a directory that is not a WAL archive.
 *
 * <p>Without {@code --check} it reads only {@code archive.json} and the segments' listings; with it, every segment
 * too (length, BLAKE3, every record). {@code Backups.archiveInfo} reports no progress, so on a terminal the check
 * shows a bar without a total (elapsed time only).
 */
@Command(name = "archive-info", mixinStandardHelpOptions = true,
        description = {"Show what the WAL archive DIR holds: the database it belongs to, its segments and bytes,"
                + " the restorable window (earliest and latest LSN and commit time, in UTC), the restore points"
                + " (name, LSN, time) and every gap (missing LSNs). With --check, also read and hash every segment"
                + " and report the damaged ones.",
                "DIR defaults to --archive. Exit 0 when intact; 1 with one line per gap or damaged segment; 2 when"
                        + " DIR is not a WAL archive. Ignores --data-dir."},
        footer = {"", "Examples:",
                "  powdb archive-info wal",
                "  powdb archive-info wal --check --json",
                "  powdb --archive wal archive-info",
                "Restore to a point it lists with",
                "  powdb restore BACKUP DEST --archive wal --until-point NAME",
                "(or --until-lsn N, --until-time TIME; see 'powdb restore --help')."})
final class ArchiveInfoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "A WAL archive directory (default: --archive).")
    Path dir;

    @Option(names = "--check", description = "Also read every segment and check its length, BLAKE3 and records.")
    boolean check;

    @Option(names = "--json", description = "Print the information as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Path archive = archiveDir(dir, main.archive);
        CliContext ctx = main.context;
        return Cli.reportingFailures(ctx, json, () -> {
            ArchiveInfo info;
            TerminalProgress progress = TerminalProgress.bytes(ctx);
            try {
                if (check) {
                    progress.begin("check archive", 0);
                }
                info = Backups.archiveInfo(archive, check);
            } catch (BackupException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                throw e;
            } finally {
                progress.end();
            }
            if (json) {
                Cli.printJson(ctx, ArchiveJson.info(info));
            } else {
                ArchiveText.print(info, ctx.out);
            }
            if (info.intact()) {
                return 0;
            }
            ctx.out.flush();
            java.util.List<String> found = new java.util.ArrayList<>();
            if (!info.gaps().isEmpty()) {
                found.add(Sizes.count(info.gaps().size(), "gap", "gaps"));
            }
            if (!info.damaged().isEmpty()) {
                found.add(Sizes.count(info.damaged().size(), "damaged segment", "damaged segments"));
            }
            ctx.err.println("Error: WAL archive " + archive + " is not intact: " + String.join(" and ", found)
                    + " found");
            return 1;
        });
    }

    /** DIR, else {@code --archive}; neither, or both naming different directories, is a usage error. */
    private Path archiveDir(Path given, Path option) {
        if (given == null && option == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing the archive: give DIR or"
                    + " --archive DIR");
        }
        if (given != null && option != null
                && !given.toAbsolutePath().normalize().equals(option.toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "DIR " + given + " and --archive " + option
                    + " name different archives: give one");
        }
        return given != null ? given : option;
    }
}
