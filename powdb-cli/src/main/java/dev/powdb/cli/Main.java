package dev.powdb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.powdb.storage.SyncMode;

import java.nio.file.Path;

/**
 * The {@code powdb} command. Exit codes: 0 success, 1 failure ({@code Error: ...} on stderr), 2 usage error.
 */
@Command(name = "powdb", mixinStandardHelpOptions = true, version = "powdb 0.1.0",
        description = "PowDB for Java: an embedded, crash-safe database.",
        subcommands = {DemoCommand.class, VerifyCommand.class, InfoCommand.class, CheckpointCommand.class})
public final class Main implements Runnable {
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof CommandLine.ParameterException) {
                cmd.getErr().println("Error: " + ex.getMessage());
                cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
                return 2;
            }
            cmd.getErr().println("Error: " + ex.getMessage());
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
