package dev.powdb.bench;

import dev.powdb.query.PowQL;
import dev.powdb.query.ResultSink;
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
 * PowDB through its public {@link Database} facade: {@link SyncMode#NORMAL} except in workload 2, which reopens the
 * database with {@link SyncMode#FULL} (every commit fsyncs its WAL record); a buffer pool of
 * {@code --cache-mib}. The unique index on {@code id} is declared with the table, so the bulk load maintains it row
 * by row. The API has no {@code age = age + 1}, so workload 5 reads the row by id and then updates it by id, both
 * inside the batch's transaction. Workloads 6 and 7 run PowQL text through {@link PowQL#run}: every operation is
 * parsed, planned and executed anew.
 */
final class PowDbEngine implements BenchEngine {
    /** Bytes per PowDB page. */
    private static final int PAGE_BYTES = 4096;

    private Path dir;
    private int bufferPoolPages;
    private Database db;

    @Override
    public String name() {
        return "PowDB";
    }

    @Override
    public void open(Path directory, BenchOptions options) {
        this.dir = directory;
        this.bufferPoolPages = (int) ((long) options.cacheMib * 1024 * 1024 / PAGE_BYTES);
        this.db = Database.open(dir, options(SyncMode.NORMAL));
    }

    private DatabaseOptions options(SyncMode mode) {
        return DatabaseOptions.defaults().withSyncMode(mode).withBufferPoolPages(bufferPoolPages);
    }

    @Override
    public String describe() {
        String revision = System.getProperty("powdb.bench.revision", "this checkout");
        return "PowDB " + revision + " (Java API, in-process), sync NORMAL (FULL in workload 2), buffer pool "
                + bufferPoolPages + " pages of " + PAGE_BYTES + " B, other options default";
    }

    private static TableSchema schema(String table) {
        return new TableSchema(table, List.of(
                ColumnDef.required("id", ColumnType.INT),
                ColumnDef.required("name", ColumnType.STR),
                ColumnDef.optional("age", ColumnType.INT)),
                List.of(new IndexDef("id", true)));
    }

    @Override
    public void bulkLoad(BenchData data) {
        db.createTable(schema("users"));
        try (Transaction tx = db.begin()) {
            for (int i = 0; i < data.rows; i++) {
                tx.insertValues("users", BenchData.id(i), data.names[i], (long) data.ages[i]);
            }
            tx.commit();
        }
    }

    @Override
    public void prepareDurableInserts() {
        db.close();
        db = Database.open(dir, options(SyncMode.FULL));
        db.createTable(schema("events"));
    }

    @Override
    public void durableInserts(BenchData data, int count) {
        for (int i = 0; i < count; i++) {
            db.insertValues("events", BenchData.id(i), data.names[i], (long) data.ages[i]);
        }
    }

    @Override
    public void finishDurableInserts() {
        db.close();
        db = Database.open(dir, options(SyncMode.NORMAL));
    }

    @Override
    public long lookup(long[] ids) {
        long checksum = 0;
        for (long id : ids) {
            Row r = db.getBy("users", "id", id)
                    .orElseThrow(() -> new IllegalStateException("PowDB: id " + id + " not found"));
            checksum += BenchData.rowChecksum((String) r.get(1), (Long) r.get(2));
        }
        return checksum;
    }

    @Override
    public long countAge(int age) {
        Long key = (long) age;
        return db.count("users", r -> key.equals(r.get(2)));
    }

    @Override
    public void updateAgeByKey(long[] ids, int batch) {
        for (int start = 0; start < ids.length; start += batch) {
            int end = Math.min(ids.length, start + batch);
            try (Transaction tx = db.begin()) {
                for (int i = start; i < end; i++) {
                    long id = ids[i];
                    Row r = tx.getBy("users", "id", id)
                            .orElseThrow(() -> new IllegalStateException("PowDB: id " + id + " not found"));
                    int changed = tx.updateBy("users", "id", id, Map.of("age", (Long) r.get(2) + 1));
                    if (changed != 1) {
                        throw new IllegalStateException("PowDB: update of id " + id + " changed " + changed
                                + " rows");
                    }
                }
                tx.commit();
            }
        }
    }

    @Override
    public long sumAge() {
        long[] sum = {0};
        db.scan("users", null, r -> sum[0] += (Long) r.get(2));
        return sum[0];
    }

    @Override
    public long queryLookup(long[] ids) {
        PowQL powql = new PowQL(db);
        LookupSink sink = new LookupSink();
        for (long id : ids) {
            sink.id = id;
            // A new literal every time: each statement is lexed, parsed, planned (index lookup) and run.
            powql.run("users filter .id = " + id + " { .name, .age }", sink);
        }
        return sink.checksum;
    }

    @Override
    public long queryCountAge(int age) {
        CountSink sink = new CountSink();
        new PowQL(db).run("count(users filter .age = " + age + ")", sink);
        if (sink.count == null) {
            throw new IllegalStateException("PowDB: count returned no value");
        }
        return sink.count;
    }

    /** Adds each looked-up row to a checksum; anything but one row with {@code name, age} is an error. */
    private static final class LookupSink implements ResultSink {
        long id;
        long checksum;

        @Override
        public void rows(List<String> columns, List<List<Object>> rows) {
            if (rows.size() != 1 || !columns.equals(List.of("name", "age"))) {
                throw new IllegalStateException("PowDB: id " + id + " gave " + rows.size() + " rows of "
                        + columns);
            }
            List<Object> r = rows.get(0);
            checksum += BenchData.rowChecksum((String) r.get(0), (Long) r.get(1));
        }

        @Override
        public void scalar(Object value) {
            throw new IllegalStateException("PowDB: lookup gave a scalar " + value);
        }

        @Override
        public void message(String text) {
            throw new IllegalStateException("PowDB: lookup gave a message " + text);
        }
    }

    /** Keeps the result of one {@code count(...)}. */
    private static final class CountSink implements ResultSink {
        Long count;

        @Override
        public void rows(List<String> columns, List<List<Object>> rows) {
            throw new IllegalStateException("PowDB: count gave rows");
        }

        @Override
        public void scalar(Object value) {
            count = (Long) value;
        }

        @Override
        public void message(String text) {
            throw new IllegalStateException("PowDB: count gave a message " + text);
        }
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
