package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;

/** Helpers shared by subcommands. */
final class Cli {
    private Cli() {
    }

    static Database open(Main main) {
        return Database.open(main.dataDir, DatabaseOptions.defaults().withSyncMode(main.sync));
    }

    /** The text after {@code Error: } for a failure: its message, or its type when it has none. */
    static String errorText(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
