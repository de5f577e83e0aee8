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
}
