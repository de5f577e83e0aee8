package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * {@code powdb demo}: a short PowQL session in the data directory. It creates a type, loads rows in one
 * transaction, queries through an index and by a full scan, updates, rolls a delete back, reopens the database and
 * verifies it. Running it again replaces the demo type, so it can be repeated.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A short PowQL session: create a type, load rows, query, update, roll back, reopen, verify.")
final class DemoCommand implements Callable<Integer> {
    private static final String TYPE = "DemoUser";

    @ParentCommand
    Main main;

    @Option(names = "--rows", defaultValue = "100000", description = "Rows to load (default: ${DEFAULT-VALUE}).")
    int rows;

    @Override
    public Integer call() {
        ResultPrinter printer = new ResultPrinter(System.out, ResultPrinter.Format.choose(false,
                System.console() != null));
        try (Database db = Cli.open(main)) {
            System.out.println("Opened " + main.dataDir.toAbsolutePath() + " (LSN " + db.maxLsn() + ")");
            StatementRunner q = StatementRunners.powql(db);
            if (db.tables().stream().anyMatch(t -> t.name().equals(TYPE))) {
                say(q, printer, "drop " + TYPE);
            }
            say(q, printer, "type " + TYPE + " { required unique id: int, required name: str, age: int, "
                    + "status: str default \"new\" }");
            say(q, printer, "alter " + TYPE + " add index .age");
            load(db);
            say(q, printer, TYPE + " filter .id = 42 { .id, .name, .age, .status }");
            say(q, printer, "count(" + TYPE + " filter .age = 30)");
            say(q, printer, TYPE + " filter .age >= 88 and .name like \"user-1%\" order .age desc, .name limit 5"
                    + " { .name, .age }");
            say(q, printer, "avg(" + TYPE + " { .age })");
            say(q, printer, TYPE + " filter .id = 42 update { name := \"Ada\", status := \"vip\" }");
            say(q, printer, "begin; " + TYPE + " delete; count(" + TYPE + "); rollback");
            say(q, printer, "count(" + TYPE + ")");
        }
        try (Database db = Cli.open(main)) {
            System.out.println();
            System.out.println("Reopened (LSN " + db.maxLsn() + ")");
            say(StatementRunners.powql(db), printer, TYPE + " filter .id = 42 { .name, .status }");
        }
        VerifyReport rep = Database.verify(main.dataDir);
        System.out.println();
        System.out.print(rep);
        System.out.println(rep.ok() ? "verify: intact" : "verify: PROBLEMS FOUND");
        System.out.println();
        System.out.println("Try it yourself: bin/powdb shell   (then: help)");
        return rep.ok() ? 0 : 1;
    }

    private static void say(StatementRunner q, ResultPrinter printer, String statement) {
        System.out.println();
        System.out.println("powdb> " + statement + ";");
        System.out.flush();
        q.run(statement, printer);
    }

    private void load(Database db) {
        System.out.println();
        System.out.printf("(loading %,d rows in one transaction through the Java API)%n", rows);
        long t0 = System.nanoTime();
        try (Transaction tx = db.begin()) {
            for (long i = 1; i <= rows; i++) {
                tx.insertValues(TYPE, i, "user-" + i, i % 90, "new");
            }
            tx.commit();
        }
        System.out.printf("loaded %,d rows in %.2f s%n", rows, (System.nanoTime() - t0) / 1e9);
    }
}
