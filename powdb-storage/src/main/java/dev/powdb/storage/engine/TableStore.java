package dev.powdb.storage.engine;

import dev.powdb.storage.ColumnType;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.catalog.ColumnMeta;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.heap.HeapFile;
import dev.powdb.storage.heap.KeyCodec;
import dev.powdb.storage.heap.RowCodec;
import dev.powdb.storage.index.BTree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Rows of one table: the heap file plus its indexes, kept in step. Values handled here are physical (one per stored
 * column, dropped columns included); {@link Row}s handed out carry the live columns only.
 */
final class TableStore {
    final TableMeta meta;
    final HeapFile heap;
    final List<IndexMeta> indexMetas;
    final List<BTree> indexes;
    private final ColumnType[] types;
    private final Object[] defaults;
    private final RowCodec.Decoder decoder;

    TableStore(TableMeta meta, HeapFile heap, List<BTree> indexes) {
        this.meta = meta;
        this.heap = heap;
        this.indexMetas = meta.indexes;
        this.indexes = indexes;
        int n = meta.columns.size();
        types = new ColumnType[n];
        defaults = new Object[n];
        for (int i = 0; i < n; i++) {
            types[i] = meta.columns.get(i).type;
            defaults[i] = meta.columns.get(i).defaultValue;
        }
        decoder = new RowCodec.Decoder(types, defaults, heap, heap.file().name(), meta.livePositions());
    }

    BTree index(String column) {
        for (int i = 0; i < indexMetas.size(); i++) {
            if (indexMetas.get(i).column.equals(column)) {
                return indexes.get(i);
            }
        }
        return null;
    }

    ColumnType type(int position) {
        return types[position];
    }

    /** Builds physical values from a column map: checks names, types and required columns, applies defaults. */
    Object[] fromMap(Map<String, ?> values) {
        Object[] phys = new Object[types.length];
        boolean[] given = new boolean[types.length];
        for (Map.Entry<String, ?> e : values.entrySet()) {
            int pos = meta.position(e.getKey());
            if (pos < 0) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "table " + meta.name + " has no column '"
                        + e.getKey() + "'");
            }
            phys[pos] = types[pos].coerce(e.getValue(), meta.name + "." + e.getKey());
            given[pos] = true;
        }
        for (int pos : meta.livePositions()) {
            if (!given[pos]) {
                phys[pos] = defaults[pos];
            }
        }
        checkRequired(phys);
        return phys;
    }

    /** Builds physical values from values in schema (live column) order. */
    Object[] fromValues(Object[] values) {
        int[] live = meta.livePositions();
        if (values.length != live.length) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "table " + meta.name + " has " + live.length
                    + " columns but " + values.length + " values were given");
        }
        Object[] phys = new Object[types.length];
        for (int i = 0; i < live.length; i++) {
            int pos = live[i];
            phys[pos] = types[pos].coerce(values[i], meta.name + "." + meta.columns.get(pos).name);
        }
        checkRequired(phys);
        return phys;
    }

    /** Physical values with {@code changes} applied to a copy of {@code old}. */
    Object[] withChanges(Object[] old, Map<String, ?> changes) {
        Object[] phys = old.clone();
        for (Map.Entry<String, ?> e : changes.entrySet()) {
            int pos = meta.position(e.getKey());
            if (pos < 0) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "table " + meta.name + " has no column '"
                        + e.getKey() + "'");
            }
            phys[pos] = types[pos].coerce(e.getValue(), meta.name + "." + e.getKey());
        }
        checkRequired(phys);
        return phys;
    }

    private void checkRequired(Object[] phys) {
        for (int pos : meta.livePositions()) {
            ColumnMeta c = meta.columns.get(pos);
            if (c.required && phys[pos] == null) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "column " + meta.name + "." + c.name
                        + " is required but no value was given");
            }
        }
    }

    Row toRow(long rowId, Object[] phys) {
        int[] live = meta.livePositions();
        Object[] vals = new Object[live.length];
        for (int i = 0; i < live.length; i++) {
            vals[i] = phys[live[i]];
        }
        return new Row(meta.schema(), rowId, vals);
    }

    Object[] decode(long rowId, byte[] record) {
        return RowCodec.decode(record, types, defaults, heap, heap.file().name(), rowId);
    }

    /** Physical values of row {@code rowId}, or null. */
    Object[] read(long rowId) {
        byte[] rec = heap.read(rowId);
        return rec == null ? null : decode(rowId, rec);
    }

    private byte[] key(int i, Object[] phys) {
        IndexMeta m = indexMetas.get(i);
        byte[] k = KeyCodec.encode(types[m.columnPos], phys[m.columnPos]);
        if (k.length > BTree.MAX_KEY_BYTES) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "value of indexed column " + meta.name + "."
                    + m.column + " is " + (k.length - 1) + " bytes; indexed values are limited to "
                    + (BTree.MAX_KEY_BYTES - 1) + " bytes");
        }
        return k;
    }

    private void checkUnique(int i, byte[] key, Object value) {
        if (indexMetas.get(i).unique && !KeyCodec.isNull(key) && indexes.get(i).containsKey(key)) {
            throw uniqueViolation(i, value);
        }
    }

    static String abbreviate(Object v) {
        String s = v instanceof byte[] ? ((byte[]) v).length + " bytes" : v instanceof String ? "\"" + v + "\""
                : String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** Adds row {@code rowId} to index {@code i} (building a new index), checking uniqueness. */
    void indexInsert(TxContext ctx, int i, Object[] phys, long rowId) {
        byte[] k = key(i, phys);
        checkUnique(i, k, phys[indexMetas.get(i).columnPos]);
        indexes.get(i).insert(ctx, k, rowId);
    }

    long insert(TxContext ctx, Object[] phys) {
        byte[][] keys = new byte[indexes.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(i, phys);
        }
        long rid = heap.insert(ctx, RowCodec.encode(types, phys, heap, ctx));
        // A unique violation throws from here; the statement's rollback takes the heap row out again.
        for (int i = 0; i < keys.length; i++) {
            if (indexMetas.get(i).unique && !KeyCodec.isNull(keys[i])) {
                if (!indexes.get(i).insertUnique(ctx, keys[i], rid)) {
                    throw uniqueViolation(i, phys[indexMetas.get(i).columnPos]);
                }
            } else {
                indexes.get(i).insert(ctx, keys[i], rid);
            }
        }
        return rid;
    }

    private PowDbException uniqueViolation(int i, Object value) {
        return new PowDbException(ErrorCode.UNIQUE_VIOLATION, "unique index on " + meta.name + "."
                + indexMetas.get(i).column + " already holds " + abbreviate(value));
    }

    void delete(TxContext ctx, long rowId, Object[] old) {
        byte[] rec = heap.read(rowId);
        for (int i = 0; i < indexes.size(); i++) {
            indexes.get(i).delete(ctx, key(i, old), rowId);
        }
        heap.delete(ctx, rowId);
        for (int first : RowCodec.overflowPages(rec, types)) {
            heap.freeOverflow(ctx, first);
        }
    }

    long update(TxContext ctx, long rowId, Object[] old, Object[] now) {
        byte[][] oldKeys = new byte[indexes.size()][];
        byte[][] newKeys = new byte[indexes.size()][];
        for (int i = 0; i < indexes.size(); i++) {
            oldKeys[i] = key(i, old);
            newKeys[i] = key(i, now);
            if (!java.util.Arrays.equals(oldKeys[i], newKeys[i])) {
                checkUnique(i, newKeys[i], now[indexMetas.get(i).columnPos]);
            }
        }
        byte[] oldRec = heap.read(rowId);
        long newRid = heap.update(ctx, rowId, RowCodec.encode(types, now, heap, ctx));
        for (int first : RowCodec.overflowPages(oldRec, types)) {
            heap.freeOverflow(ctx, first);
        }
        for (int i = 0; i < indexes.size(); i++) {
            if (newRid != rowId || !java.util.Arrays.equals(oldKeys[i], newKeys[i])) {
                indexes.get(i).delete(ctx, oldKeys[i], rowId);
                indexes.get(i).insert(ctx, newKeys[i], newRid);
            }
        }
        return newRid;
    }

    /** A row whose values are decoded from {@code record} only when read. */
    Row lazyRow(long rowId, byte[] buf, int offset, int length) {
        decoder.check(buf, offset, length, rowId);
        return new Row(meta.schema(), rowId, decoder, buf, offset, length);
    }

    /** Visits rows passing {@code filter}; the consumer sees live-column rows. */
    void scan(Predicate<Row> filter, Consumer<Row> consumer) {
        heap.scanInPlace((rid, page, off, len) -> {
            Row r = lazyRow(rid, page, off, len);
            if (filter == null || filter.test(r)) {
                consumer.accept(r);
            }
            return true;
        });
    }

    /** Row ids and physical values of rows passing {@code filter} (collected before any change is made). */
    List<Object[]> collect(Predicate<Row> filter, List<Long> rowIds) {
        List<Object[]> out = new ArrayList<>();
        heap.scan((rid, rec) -> {
            Object[] phys = decode(rid, rec);
            if (filter == null || filter.test(toRow(rid, phys))) {
                rowIds.add(rid);
                out.add(phys);
            }
            return true;
        });
        return out;
    }
}
