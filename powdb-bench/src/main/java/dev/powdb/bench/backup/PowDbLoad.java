package dev.powdb.bench.backup;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.Row;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Building and reading PowDB databases for the backup benchmark, through the storage facade only: the storage
 * benchmark's schema (required {@code id} INT with a unique index, {@code name} STR, optional {@code age} INT), sync
 * {@link SyncMode#NORMAL}, a 256 MiB buffer pool, rows inserted in transactions of {@link #LOAD_BATCH_ROWS}.
 */
final class PowDbLoad {
    /** Rows per transaction while loading (the load is untimed; batches keep the pending pages small). */
    static final int LOAD_BATCH_ROWS = 100_000;
    /** PowDB page size in bytes. */
    static final int PAGE_BYTES = 4096;
    /** Buffer pool pages: 256 MiB, as in the storage benchmark. */
    static final int BUFFER_POOL_PAGES = 65_536;

    private PowDbLoad() {
    }

    static DatabaseOptions options() {
        return DatabaseOptions.defaults().withSyncMode(SyncMode.NORMAL).withBufferPoolPages(BUFFER_POOL_PAGES);
    }

    /** Creates {@code users} in a new database at {@code dir}, loads every row and checkpoints; the database stays open. */
    static Database createAndLoad(Path dir, RowSource rows) {
        Database db = Database.open(dir, options());
        try {
            db.createTable(new TableSchema("users", List.of(
                    ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.required("name", ColumnType.STR),
                    ColumnDef.optional("age", ColumnType.INT)),
                    List.of(new IndexDef("id", true))));
            while (rows.hasNext()) {
                try (Transaction tx = db.begin()) {
                    for (int i = 0; i < LOAD_BATCH_ROWS && rows.hasNext(); i++) {
                        long id = rows.next();
                        tx.insertValues("users", id, rows.name(), (long) rows.age());
                    }
                    tx.commit();
                }
            }
            db.checkpoint();
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Adds one to the age of each id, in one transaction (the next checkpoint or backup writes the pages). */
    static void addOneToAges(Database db, long[] ids) {
        try (Transaction tx = db.begin()) {
            for (long id : ids) {
                Row r = tx.getBy("users", "id", id)
                        .orElseThrow(() -> new IllegalStateException("PowDB: id " + id + " not found"));
                int changed = tx.updateBy("users", "id", id, Map.of("age", (Long) r.get(2) + 1));
                if (changed != 1) {
                    throw new IllegalStateException("PowDB: update of id " + id + " changed " + changed + " rows");
                }
            }
            tx.commit();
        }
    }

    /** Opens the database at {@code dir} and returns its row count and sum of ages. */
    static long[] countAndAgeSum(Path dir) {
        try (Database db = Database.openExisting(dir, options())) {
            long[] result = new long[2];
            db.scan("users", null, r -> {
                result[0]++;
                result[1] += (Long) r.get(2);
            });
            return result;
        }
    }
}
