package dev.powdb.backup.crash;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.Transaction;

import java.nio.file.Path;
import java.util.Map;

/**
 * Child process of {@code ArchiveSigkillTest}: opens the database {@code args[0]} with WAL archiving into
 * {@code args[1]} (64 KiB segments, so segments are sealed and archived all the time) and commits one row per
 * transaction, ids from {@code args[2]} on, printing {@code c <id>} after each commit returned (sync mode full:
 * the row is durable then), until it is killed.
 */
public final class KillArchiveMain {
    private KillArchiveMain() {
    }

    public static void main(String[] args) {
        DatabaseOptions opts = DatabaseOptions.defaults().withWalSegmentBytes(64 * 1024)
                .withCheckpointWalBytes(256 * 1024).withArchive(Path.of(args[1]));
        Database db = Database.open(Path.of(args[0]), opts);
        System.out.println("ready");
        System.out.flush();
        String pad = "p".repeat(300);
        for (long id = Long.parseLong(args[2]); ; id++) {
            try (Transaction tx = db.begin()) {
                tx.insert("t", Map.of("id", id, "s", pad));
                tx.commit();
            }
            System.out.println("c " + id);
            System.out.flush();
        }
    }
}
