package dev.powdb.cli;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code powdb demo}: a short tour of the engine in the data directory: create a table, load rows in one
 * transaction, look rows up through an index, update, roll back, close, reopen and verify.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A short tour: create a table, load rows, query, update, roll back, reopen and verify.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--rows", defaultValue = "100000", description = "Rows to load (default: ${DEFAULT-VALUE}).")
    int rows;

    @Override
    public Integer call() {
        String table = "demo_users";
        try (Database db = Cli.open(main)) {
            System.out.println("Opened " + main.dataDir.toAbsolutePath() + " (LSN " + db.maxLsn() + ")");
            if (db.tables().stream().anyMatch(t -> t.name().equals(table))) {
                db.dropTable(table);
                System.out.println("Dropped the previous demo table");
            }
            db.createTable(new TableSchema(table, List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.required("name", ColumnType.STR), ColumnDef.optional("age", ColumnType.INT)),
                    List.of(new IndexDef("id", true), new IndexDef("age", false))));
            System.out.println("Created table " + table + " (id int unique, name str, age int indexed)");
            long t0 = System.nanoTime();
            try (Transaction tx = db.begin()) {
                for (long i = 1; i <= rows; i++) {
                    tx.insertValues(table, i, "user-" + i, i % 90);
                }
                tx.commit();
            }
            System.out.printf("Loaded %,d rows in one transaction in %.2f s%n", rows,
                    (System.nanoTime() - t0) / 1e9);
            Row r = db.getBy(table, "id", 42L).orElseThrow();
            System.out.println("Lookup id = 42: " + r.toMap());
            System.out.println("Rows with age = 30 (via index): " + db.lookup(table, "age", 30L).size());
            System.out.println("Rows with name ending in 7 (full scan): "
                    + db.count(table, x -> ((String) x.get("name")).endsWith("7")));
            db.updateBy(table, "id", 42L, Map.of("name", "Ada"));
            System.out.println("Updated id 42: " + db.getBy(table, "id", 42L).orElseThrow().get("name"));
            try (Transaction tx = db.begin()) {
                tx.delete(table, null);
                System.out.println("Inside a transaction, deleted all rows: " + tx.count(table, null) + " left");
                tx.rollback();
            }
            System.out.println("After rollback: " + db.count(table, null) + " rows");
        }
        try (Database db = Cli.open(main)) {
            System.out.println("Reopened: id 42 is " + db.getBy(table, "id", 42L).orElseThrow().get("name")
                    + ", " + db.count(table, null) + " rows, LSN " + db.maxLsn());
        }
        VerifyReport rep = Database.verify(main.dataDir);
        System.out.print(rep);
        System.out.println(rep.ok() ? "Verify: intact" : "Verify: PROBLEMS FOUND");
        return rep.ok() ? 0 : 1;
    }
}
