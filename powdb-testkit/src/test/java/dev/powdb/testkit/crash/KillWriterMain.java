package dev.powdb.testkit.crash;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;

import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@link SigkillTest}: commits rows as fast as it can in {@code full} sync mode and prints
 * {@code ack <id>} after each commit returns, until it is killed. Small WAL segments and checkpoint thresholds make
 * kills land during segment switches and checkpoints too.
 */
public final class KillWriterMain {
    private KillWriterMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long start = Long.parseLong(args[1]);
        DatabaseOptions opts = DatabaseOptions.defaults().withSyncMode(SyncMode.FULL).withWalSegmentBytes(128 * 1024)
                .withCheckpointWalBytes(512 * 1024);
        Database db = Database.open(dir, opts);
        if (db.tables().isEmpty()) {
            db.createTable(new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.optional("pad", ColumnType.STR)), List.of(new IndexDef("id", true))));
        }
        System.out.println("ready");
        System.out.flush();
        String pad = "p".repeat(300);
        for (long id = start; ; id += 2) {
            if (id % 10 < 2) {
                try (Transaction tx = db.begin()) {
                    tx.insertValues("t", id, pad);
                    tx.insertValues("t", id + 1, pad);
                    tx.updateBy("t", "id", id, java.util.Map.of("pad", "u" + id));
                    tx.commit();
                }
            } else {
                db.insertValues("t", id, pad);
                db.insertValues("t", id + 1, pad);
            }
            System.out.println("ack " + (id + 1));
            System.out.flush();
        }
    }
}
