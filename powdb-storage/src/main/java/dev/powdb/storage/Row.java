package dev.powdb.storage;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row read from a table: its row id and its values in column order (see {@link ColumnType} for the Java
 * classes). Rows are snapshots; changing the database does not change a Row already returned.
 */
public final class Row {
    /** Supplies column values on first use, so a filter that reads one column does not decode the others. */
    public interface ValueSource {
        /** The value of column {@code column} (schema order) of the record in {@code buf[off, off + len)}. */
        Object value(byte[] buf, int off, int len, long rowId, int column);
    }

    private final TableSchema schema;
    private final long rowId;
    /** Values in column order; for a row with a source, a cache allocated on first use. */
    private Object[] values;
    private final ValueSource source;
    private final byte[] buf;
    private final int off;
    private final int len;
    /** With a source: which values have been read (bit i for column i; columns past 63 are never cached). */
    private long readMask;

    /** Used by the engine; {@code values} is owned by the row afterwards. */
    public Row(TableSchema schema, long rowId, Object[] values) {
        this.schema = schema;
        this.rowId = rowId;
        this.values = values;
        this.source = null;
        this.buf = null;
        this.off = 0;
        this.len = 0;
    }

    /**
     * Used by the engine: a row whose values are decoded by {@code source} from the record in
     * {@code buf[off, off + len)} when first read. The row keeps {@code buf}, which must not change afterwards.
     */
    public Row(TableSchema schema, long rowId, ValueSource source, byte[] buf, int off, int len) {
        this.schema = schema;
        this.rowId = rowId;
        this.source = source;
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    private Object value(int i) {
        if (source == null) {
            return values[i];
        }
        if (i < 64 && (readMask & (1L << i)) != 0) {
            return values[i];
        }
        Object v = source.value(buf, off, len, rowId, i);
        if (i < 64 && (v instanceof String || v instanceof byte[])) {
            // Cache what is costly to decode; numbers, booleans and times are cheaper to decode again.
            if (values == null) {
                values = new Object[schema.columns().size()];
            }
            values[i] = v;
            readMask |= 1L << i;
        }
        return v;
    }

    private Object[] all() {
        if (source != null) {
            Object[] out = new Object[schema.columns().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = value(i);
            }
            return out;
        }
        return values;
    }

    /** The table's schema at the time the row was read. */
    public TableSchema schema() {
        return schema;
    }

    /**
     * The row's physical id (page number and slot). Stable while the row exists unless an update has to move it
     * to another page.
     */
    public long rowId() {
        return rowId;
    }

    /** Value of column {@code i} (0-based), or null. */
    public Object get(int i) {
        return value(i);
    }

    /** Value of the named column, or null; throws {@link ErrorCode#NOT_FOUND} for an unknown column. */
    public Object get(String column) {
        int i = schema.columnIndex(column);
        if (i < 0) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "table " + schema.name() + " has no column " + column);
        }
        return value(i);
    }

    /** Number of columns. */
    public int size() {
        return schema.columns().size();
    }

    /** Column name to value, in column order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < size(); i++) {
            m.put(schema.columns().get(i).name(), value(i));
        }
        return m;
    }

    /** A copy of the values in column order. */
    public Object[] values() {
        return all().clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Row)) {
            return false;
        }
        Row r = (Row) o;
        return rowId == r.rowId && Arrays.deepEquals(all(), r.all());
    }

    @Override
    public int hashCode() {
        return Long.hashCode(rowId) * 31 + Arrays.deepHashCode(all());
    }

    @Override
    public String toString() {
        return schema.name() + "#" + Long.toHexString(rowId) + toMap();
    }
}
