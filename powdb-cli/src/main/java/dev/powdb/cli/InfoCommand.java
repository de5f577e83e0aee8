package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code powdb info}: tables, columns, indexes, row counts and the current LSN. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show tables, indexes, row counts and the LSN.")
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        try (Database db = Cli.open(main)) {
            System.out.println("data directory: " + main.dataDir.toAbsolutePath());
            System.out.println("max LSN: " + db.maxLsn());
            for (TableSchema t : db.tables()) {
                System.out.println("table " + t.name() + " (" + db.count(t.name(), null) + " rows)");
                t.columns().forEach(c -> System.out.println("  " + c));
                for (IndexDef i : t.indexes()) {
                    System.out.println("  " + i);
                }
            }
        }
        return 0;
    }
}
