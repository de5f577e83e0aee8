package dev.powdb.storage.engine;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableOperations;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.heap.KeyCodec;
import dev.powdb.storage.index.BTree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Implements {@link TableOperations} over the engine, either inside one transaction ({@code tx} non-null) or with
 * every call as its own transaction.
 */
public final class Operations implements TableOperations {
    private final Engine engine;
    private final TxContext tx;
    private final Thread owner;

    /** Autocommit operations. */
    public Operations(Engine engine) {
        this(engine, null);
    }

    Operations(Engine engine, TxContext tx) {
        this.engine = engine;
        this.tx = tx;
        this.owner = tx == null ? null : Thread.currentThread();
    }

    /** Begins a transaction on the calling thread and returns operations bound to it. */
    public Operations beginTransaction() {
        return new Operations(engine, engine.begin());
    }

    /** Commits this transaction. */
    public long commit() {
        checkOwner();
        engine.commit(tx);
        return tx.commitLsn();
    }

    /** Rolls this transaction back. */
    public void rollback() {
        checkOwner();
        engine.rollback(tx);
    }

    /** Throws ILLEGAL_STATE unless called on the thread that began this transaction. */
    public void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "a transaction must be used by the thread that began it");
        }
    }

    private <T> T write(Function<TxContext, T> body) {
        if (tx != null) {
            checkOwner();
            return engine.statement(tx, () -> body.apply(tx));
        }
        TxContext ctx = engine.begin();
        T result;
        try {
            result = engine.statement(ctx, () -> body.apply(ctx));
        } catch (RuntimeException | Error e) {
            try {
                engine.rollback(ctx);
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        engine.commit(ctx);
        return result;
    }

    private <T> T read(Supplier<T> body) {
        if (tx != null) {
            checkOwner();
            return body.get();
        }
        return engine.read(body);
    }

    // ---- rows -------------------------------------------------------------------------------------------------

    @Override
    public long insert(String table, Map<String, ?> values) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            return s.insert(ctx, s.fromMap(values));
        });
    }

    @Override
    public long insertValues(String table, Object... values) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            return s.insert(ctx, s.fromValues(values));
        });
    }

    @Override
    public Optional<Row> get(String table, long rowId) {
        return read(() -> {
            TableStore s = engine.store(table);
            Object[] phys = s.read(rowId);
            return phys == null ? Optional.<Row>empty() : Optional.of(s.toRow(rowId, phys));
        });
    }

    private BTree requireIndex(TableStore s, String column) {
        BTree t = s.index(column);
        if (t == null) {
            s.meta.schema().column(column);
            throw new PowDbException(ErrorCode.NOT_FOUND, "column " + s.meta.name + "." + column
                    + " has no index; add one or use scan with a filter");
        }
        return t;
    }

    private byte[] keyOf(TableStore s, String column, Object value) {
        int pos = s.meta.position(column);
        return KeyCodec.encode(s.type(pos), s.type(pos).coerce(value, s.meta.name + "." + column));
    }

    private List<Long> ridsFor(TableStore s, String column, Object key) {
        BTree t = requireIndex(s, column);
        List<Long> rids = new ArrayList<>();
        if (key == null) {
            return rids;
        }
        t.lookup(keyOf(s, column, key), rids::add);
        return rids;
    }

    @Override
    public List<Row> lookup(String table, String column, Object key) {
        return read(() -> {
            TableStore s = engine.store(table);
            List<Row> out = new ArrayList<>();
            for (long rid : ridsFor(s, column, key)) {
                Object[] phys = s.read(rid);
                if (phys != null) {
                    out.add(s.toRow(rid, phys));
                }
            }
            return out;
        });
    }

    @Override
    public void range(String table, String column, Object lo, boolean loInclusive, Object hi, boolean hiInclusive,
                      Predicate<Row> filter, Function<Row, Boolean> consumer) {
        read(() -> {
            TableStore s = engine.store(table);
            BTree t = requireIndex(s, column);
            byte[] l = lo == null ? new byte[] {1} : keyOf(s, column, lo);
            boolean li = lo == null || loInclusive;
            byte[] h = hi == null ? null : keyOf(s, column, hi);
            t.range(l, li, h, hiInclusive, (k, rid) -> {
                Object[] phys = s.read(rid);
                if (phys == null) {
                    return true;
                }
                Row r = s.toRow(rid, phys);
                return filter != null && !filter.test(r) || consumer.apply(r);
            });
            return null;
        });
    }

    @Override
    public void scan(String table, Predicate<Row> filter, Consumer<Row> consumer) {
        read(() -> {
            engine.store(table).scan(filter, consumer);
            return null;
        });
    }

    @Override
    public int update(String table, Predicate<Row> filter, Function<Row, Map<String, ?>> change) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            List<Long> rids = new ArrayList<>();
            List<Object[]> olds = s.collect(filter, rids);
            for (int i = 0; i < rids.size(); i++) {
                Object[] old = olds.get(i);
                Object[] now = s.withChanges(old, change.apply(s.toRow(rids.get(i), old)));
                s.update(ctx, rids.get(i), old, now);
            }
            return rids.size();
        });
    }

    @Override
    public int updateBy(String table, String column, Object key, Map<String, ?> changes) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            int n = 0;
            for (long rid : ridsFor(s, column, key)) {
                Object[] old = s.read(rid);
                if (old != null) {
                    s.update(ctx, rid, old, s.withChanges(old, changes));
                    n++;
                }
            }
            return n;
        });
    }

    @Override
    public int updateRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter,
                          Function<Row, Map<String, ?>> change) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            int n = 0;
            for (long rid : new java.util.LinkedHashSet<>(rowIds)) {
                Object[] old = s.read(rid);
                if (old == null) {
                    continue;
                }
                Row row = s.toRow(rid, old);
                if (filter != null && !filter.test(row)) {
                    continue;
                }
                s.update(ctx, rid, old, s.withChanges(old, change.apply(row)));
                n++;
            }
            return n;
        });
    }

    @Override
    public int deleteRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            int n = 0;
            for (long rid : new java.util.LinkedHashSet<>(rowIds)) {
                Object[] old = s.read(rid);
                if (old == null || filter != null && !filter.test(s.toRow(rid, old))) {
                    continue;
                }
                s.delete(ctx, rid, old);
                n++;
            }
            return n;
        });
    }

    @Override
    public int delete(String table, Predicate<Row> filter) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            List<Long> rids = new ArrayList<>();
            List<Object[]> olds = s.collect(filter, rids);
            for (int i = 0; i < rids.size(); i++) {
                s.delete(ctx, rids.get(i), olds.get(i));
            }
            return rids.size();
        });
    }

    @Override
    public int deleteBy(String table, String column, Object key) {
        return write(ctx -> {
            TableStore s = engine.store(table);
            int n = 0;
            for (long rid : ridsFor(s, column, key)) {
                Object[] old = s.read(rid);
                if (old != null) {
                    s.delete(ctx, rid, old);
                    n++;
                }
            }
            return n;
        });
    }

    // ---- schema -----------------------------------------------------------------------------------------------

    @Override
    public void createTable(TableSchema schema) {
        write(ctx -> {
            Ddl.createTable(engine, ctx, schema);
            for (IndexDef i : schema.indexes()) {
                Ddl.createIndex(engine, ctx, schema.name(), i.column(), i.unique());
            }
            return null;
        });
    }

    @Override
    public void dropTable(String table) {
        write(ctx -> {
            Ddl.dropTable(engine, ctx, table);
            return null;
        });
    }

    @Override
    public void addColumn(String table, ColumnDef column) {
        write(ctx -> {
            Ddl.addColumn(engine, ctx, table, column);
            return null;
        });
    }

    @Override
    public void dropColumn(String table, String column) {
        write(ctx -> {
            Ddl.dropColumn(engine, ctx, table, column);
            return null;
        });
    }

    @Override
    public void createIndex(String table, String column, boolean unique) {
        write(ctx -> {
            Ddl.createIndex(engine, ctx, table, column, unique);
            return null;
        });
    }

    @Override
    public void dropIndex(String table, String column) {
        write(ctx -> {
            Ddl.dropIndex(engine, ctx, table, column);
            return null;
        });
    }

    @Override
    public TableSchema table(String table) {
        return read(() -> engine.catalog().require(table).schema());
    }

    @Override
    public List<TableSchema> tables() {
        return read(() -> {
            List<TableSchema> out = new ArrayList<>();
            engine.catalog().tables.forEach(t -> out.add(t.schema()));
            return out;
        });
    }
}
