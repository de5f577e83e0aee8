package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.SyncMode;

/** Helpers shared by subcommands. */
final class Cli {
    private Cli() {
    }

    static Database open(Main main) {
        return Database.open(main.dataDir, DatabaseOptions.defaults().withSyncMode(SyncMode.parse(main.sync)));
    }
}
