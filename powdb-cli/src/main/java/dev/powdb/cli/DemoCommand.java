package dev.powdb.cli;

import dev.powdb.backup.BackupVerifyReport;
import dev.powdb.backup.Backups;
import dev.powdb.backup.RestoreSummary;
import dev.powdb.backup.VerifyLevel;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.VerifyReport;
import dev.powdb.storage.spi.BackupSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code powdb demo}: a guided tour of backups in a directory of its own ({@code ./powdb_demo}, or {@code --dir}).
 * It creates a table with PowQL, loads rows, takes a full backup, changes the data, takes an incremental backup,
 * verifies the chain, restores it into {@code restored/} and shows that the restored database equals the original.
 * Exit 0 when everything matched, 1 otherwise.
 *
 * <p>Re-running deletes and recreates the directory, which is allowed only when it holds the marker file of an
 * earlier run ({@link DemoDirectory}); the demo never deletes anyone else's data.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"A guided backup tour in its own directory (default ./powdb_demo): create and load a table,"
                + " full backup, change data, incremental backup, verify, restore, and compare with the original.",
                "Running it again starts afresh: the directory is deleted and recreated, but only when an earlier"
                        + " demo made it (marker file " + DemoDirectory.MARKER + "). Uses --dir, not --data-dir."})
final class DemoCommand implements Callable<Integer> {
    private static final int STEPS = 7;

    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "powdb_demo",
            description = "Directory for the tour: new, empty, or made by an earlier demo (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "100000",
            description = "Rows to load, 1000 to 10000000 (default: ${DEFAULT-VALUE}).")
    int rows;

    private PrintStream out;
    private ResultPrinter printer;
    private int step;

    @Override
    public Integer call() {
        checkOptions();
        out = main.context.out;
        printer = new ResultPrinter(out, ResultPrinter.Format.choose(false, main.context.terminal));
        return Cli.reportingFailures(main.context, false, this::tour);
    }

    private void checkOptions() {
        if (main.spec.commandLine().getParseResult().hasMatchedOption("--data-dir")
                || spec.commandLine().getParseResult().hasMatchedOption("--data-dir")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "demo works in a directory of its own: use 'demo --dir DIR' instead of --data-dir");
        }
        if (rows < 1000 || rows > 10_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--rows must be from 1000 to 10000000, got " + rows);
        }
    }

    private int tour() {
        DemoDirectory d = DemoDirectory.prepare(dir);
        out.println("PowDB backup tour in " + d.root() + " (a database in data/, backups in backups/, a restore"
                + " in restored/)");
        DemoWorkload work = new DemoWorkload(rows);
        TerminalProgress bytes = TerminalProgress.bytes(main.context);
        DemoSnapshot original;
        BackupSummary incremental;
        try (Database db = Database.open(d.data(), DatabaseOptions.defaults().withSyncMode(main.sync))) {
            StatementRunner powql = StatementRunners.powql(db);
            announce("Create a database and a type (a table) with PowQL",
                    "The database lives in " + d.data() + "; PowQL is the query language of 'bin/powdb shell'.");
            work.schema().forEach(s -> show(powql, s));

            announce(String.format(Locale.ROOT, "Load %,d rows", rows), String.format(Locale.ROOT,
                    "Through the Java API, in transactions of up to %,d rows.", DemoWorkload.BATCH_ROWS));
            long millis = work.load(db, TerminalProgress.rows(main.context), out);
            out.printf(Locale.ROOT, "loaded %,d rows in %s; the database is at LSN %d%n", rows,
                    Sizes.seconds(millis), db.maxLsn());

            announce("Full backup into " + d.fullBackup(), "A copy of every data file, consistent at one LSN:"
                    + " writers wait while it copies, readers go on. No WAL is needed to restore it.");
            BackupSummary full = backup(db, d.fullBackup(), null, bytes);

            announce("Change the data", "Update about 1% of the rows, delete some, insert some, add a type.");
            work.changes().forEach(s -> show(powql, s));

            announce("Incremental backup into " + d.incrementalBackup(), "Only the pages changed since the full"
                    + " backup's LSN " + full.sourceLsn() + ", plus new and small files.");
            incremental = backup(db, d.incrementalBackup(), d.fullBackup(), bytes);
            out.println("the increment holds " + Sizes.bytes(incremental.bytes()) + ", "
                    + Sizes.percent(incremental.bytes(), full.bytes()) + " of the full backup's "
                    + Sizes.bytes(full.bytes()));
            original = DemoSnapshot.of(db);
        }
        announce("Verify both backups", "Deep check: manifests and chain links, the BLAKE3 of every stored byte,"
                + " every page checksum.");
        if (!verify(d, bytes)) {
            out.flush();
            main.context.err.println("Error: the demo's backups failed verification (see the BAD lines above)");
            return 1;
        }
        announce("Restore full + incremental into " + d.restored(), "Then compare the restored database with"
                + " the original: LSN, row counts and a dump of every row.");
        return restoreAndCompare(d, original, incremental, bytes) ? finish(d) : 1;
    }

    /** Prints the step's number and title, and a line on what it shows. */
    private void announce(String title, String why) {
        step++;
        out.println();
        out.println("[" + step + "/" + STEPS + "] " + title);
        out.println("      " + why);
    }

    /** Prints {@code powdb> statement;} and runs it, printing its result. */
    private void show(StatementRunner powql, String statement) {
        out.println("powdb> " + statement + ";");
        out.flush();
        powql.run(statement, printer);
    }

    private BackupSummary backup(Database db, Path dest, Path base, TerminalProgress progress) {
        BackupSummary s;
        try {
            s = base == null ? Backups.full(db, dest, progress) : Backups.incremental(db, dest, base, progress);
        } finally {
            progress.end();
        }
        out.println(BackupText.backupLine(db.dir(), s, Backups.manifest(dest), base));
        return s;
    }

    private boolean verify(DemoDirectory d, TerminalProgress progress) {
        BackupVerifyReport report;
        try {
            report = Backups.verify(d.fullBackup(), List.of(d.incrementalBackup()), VerifyLevel.DEEP, null,
                    progress);
        } finally {
            progress.end();
        }
        BackupText.printVerifyReport(report, out);
        return report.intact();
    }

    private boolean restoreAndCompare(DemoDirectory d, DemoSnapshot original, BackupSummary incremental,
                                      TerminalProgress progress) {
        RestoreSummary restored;
        try {
            restored = Backups.restore(d.fullBackup(), List.of(d.incrementalBackup()), d.restored(), progress);
        } finally {
            progress.end();
        }
        out.println(BackupText.restoreLine(d.fullBackup(), List.of(d.incrementalBackup()), restored));
        DemoSnapshot copy;
        try (Database db = Database.openExisting(d.restored(), DatabaseOptions.defaults())) {
            copy = DemoSnapshot.of(db);
        }
        VerifyReport pages = Database.verify(d.restored());
        out.println();
        DemoSnapshot.printSideBySide("data/", original, "restored/", copy, out);
        out.println();
        out.println("restored/ page check: " + (pages.ok() ? "intact" : "PROBLEMS FOUND"));
        boolean lsnMatches = copy.lsn() == incremental.sourceLsn() && restored.sourceLsn() == incremental.sourceLsn();
        boolean same = original.sameContents(copy) && lsnMatches && pages.ok();
        out.println(same ? "match: restored/ holds exactly the data of data/ at the incremental backup's LSN "
                + incremental.sourceLsn() : "MISMATCH: restored/ differs from data/");
        if (!same) {
            out.flush();
            main.context.err.println("Error: the restored database does not match the original"
                    + (lsnMatches ? "" : " (restored LSN " + copy.lsn() + ", backup LSN " + incremental.sourceLsn()
                    + ")"));
        }
        return same;
    }

    private int finish(DemoDirectory d) {
        Path root = d.root();
        out.println();
        out.println("Try next:");
        out.println("  bin/powdb --data-dir " + d.restored() + " shell          # query the restored copy");
        out.println("  bin/powdb backup-info " + d.incrementalBackup() + "       # what an increment holds");
        out.println("  bin/powdb verify-backup " + d.fullBackup() + " --apply " + d.incrementalBackup());
        out.println("  bin/powdb --data-dir " + d.data() + " backup " + root.resolve("backups").resolve("incr-2")
                + " --base " + d.incrementalBackup());
        out.println("  bin/powdb restore " + d.fullBackup() + " " + root.resolve("restored-2") + " --apply "
                + d.incrementalBackup());
        out.println("The operator's guide is docs/backup.md.");
        return 0;
    }
}
