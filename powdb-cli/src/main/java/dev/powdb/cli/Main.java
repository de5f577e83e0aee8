package dev.powdb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.powdb.storage.SyncMode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The {@code powdb} command. Exit codes: 0 success, 1 failure ({@code Error: ...} on stderr), 2 usage error.
 * Without a subcommand, {@code -c} or {@code -f} runs statements (see {@link ScriptExecution}).
 */
@Command(name = "powdb", mixinStandardHelpOptions = true, version = "powdb 0.1.0",
        description = "PowDB for Java: an embedded, crash-safe database.",
        subcommands = {DemoCommand.class, VerifyCommand.class, InfoCommand.class, CheckpointCommand.class,
                ShellCommand.class, DumpCommand.class, BackupCommand.class, RestoreCommand.class,
                VerifyBackupCommand.class, BackupInfoCommand.class, ArchiveInfoCommand.class},
        footer = {"", "--data-dir, --sync and --archive may come before or after the command name.",
                "Examples:",
                "  powdb -c 'type User { required name: str }; insert User { name := \"Ada\" };'",
                "  powdb --archive wal shell             (the WAL is archived into ./wal)",
                "  powdb --archive wal backup backups/full",
                "  powdb restore backups/full restored --archive wal --until-point p1",
                "  powdb archive-info wal --check"})
public final class Main implements Callable<Integer> {
    /** Streams, terminal detection and the statement runner of this run. */
    final CliContext context;

    Main(CliContext context) {
        this.context = context;
    }

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "powdb_data",
            description = "Data directory (default: ${DEFAULT-VALUE}).", scope = CommandLine.ScopeType.INHERIT)
    Path dataDir;

    @Option(names = "--sync", paramLabel = "MODE", defaultValue = "full", converter = SyncModeConverter.class,
            description = "Durability of commits: full, normal or off (default: ${DEFAULT-VALUE}).",
            scope = CommandLine.ScopeType.INHERIT)
    SyncMode sync;

    /** Parses {@code --sync}; a bad value is a usage error (exit 2). */
    static final class SyncModeConverter implements CommandLine.ITypeConverter<SyncMode> {
        @Override
        public SyncMode convert(String value) {
            try {
                return SyncMode.parse(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * The WAL archive: commands that open the database ({@link Cli#open}) archive its WAL there, {@code restore}
     * replays WAL from it and {@code archive-info} describes it when given no directory. Null when not given.
     */
    @Option(names = "--archive", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = {"WAL archive directory (created if missing; one per database). Commands that open the"
                    + " database (-c, -f, shell, backup, dump, info, checkpoint) copy every WAL segment into it;"
                    + " 'restore' replays WAL from it up to --until-lsn, --until-time or --until-point (by default"
                    + " to its end); 'archive-info' describes it. Ignored by demo, verify and the other backup"
                    + " commands."})
    Path archive;

    @Option(names = "-c", paramLabel = "STATEMENTS",
            description = "Run these statements, print their results and exit (1 at the first error).")
    String statements;

    @Option(names = "-f", paramLabel = "FILE",
            description = "Run the statements in FILE ('-' for standard input), print their results and exit.")
    String file;

    @Option(names = "--json", description = "With -c or -f: print rows as JSON, one object per line.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (statements == null && file == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
        }
        return ScriptExecution.run(this);
    }

    /** Usage errors that picocli cannot see: -c with -f, and either of them with a subcommand. */
    private static void checkScriptOptions(CommandLine.ParseResult parsed, Main main) {
        if (main.statements != null && main.file != null) {
            throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(),
                    "-c and -f cannot be used together");
        }
        if ((main.statements != null || main.file != null || main.json) && parsed.hasSubcommand()) {
            throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(),
                    "-c, -f and --json before a command cannot be combined with the command '"
                            + parsed.subcommand().commandSpec().name() + "'");
        }
    }

    /**
     * {@code --archive} before and after the command name must agree: both set the same field, and silently keeping
     * the last of two archives could archive into, or replay from, the wrong one.
     */
    private static void checkArchiveOption(CommandLine.ParseResult parsed) {
        if (!parsed.hasSubcommand()) {
            return;
        }
        CommandLine.Model.OptionSpec before = parsed.matchedOption("--archive");
        CommandLine.Model.OptionSpec after = parsed.subcommand().matchedOption("--archive");
        if (before == null || after == null) {
            return;
        }
        String first = before.stringValues().get(0);
        String second = after.stringValues().get(0);
        if (!Path.of(first).toAbsolutePath().normalize().equals(Path.of(second).toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(parsed.subcommand().commandSpec().commandLine(),
                    "--archive " + first + " before '" + parsed.subcommand().commandSpec().name() + "' and --archive "
                            + second + " after it name different archives: give one");
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        return run(CliContext.system(), args);
    }

    /** Runs the command line against {@code context}'s streams and runner and returns its exit code. */
    static int run(CliContext context, String... args) {
        Main main = new Main(context);
        CommandLine cl = new CommandLine(main);
        cl.setOut(new PrintWriter(context.out, true));
        cl.setErr(new PrintWriter(context.err, true));
        cl.setExecutionStrategy(parsed -> {
            checkScriptOptions(parsed, main);
            checkArchiveOption(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CommandLine.ParameterException) {
                cmd.getErr().println("Error: " + ex.getMessage());
                cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
                return 2;
            }
            cmd.getErr().println("Error: " + Cli.errorText(ex));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("Error: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        return cl.execute(args);
    }
}
