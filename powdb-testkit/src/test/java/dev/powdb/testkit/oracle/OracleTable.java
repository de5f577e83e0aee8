package dev.powdb.testkit.oracle;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The in-memory oracle of table {@value #TABLE}: what the database must hold, as rows keyed by their unique
 * {@code id}, each row's values in column order (the canonical Java classes of {@link ColumnType}). Plain data; a
 * test copies it to remember the state as of a commit.
 */
public final class OracleTable {
    /** Name of the table the oracle describes. */
    public static final String TABLE = "t";
    /** Column positions. */
    public static final int ID = 0;
    public static final int GRP = 1;
    public static final int NAME = 2;
    public static final int DATA = 3;
    public static final int SCORE = 4;
    public static final int FLAG = 5;
    public static final int TS = 6;
    /** Column names in order. */
    public static final List<String> COLUMNS = List.of("id", "grp", "name", "data", "score", "flag", "ts");
    /** Number of distinct non-null {@code grp} values (0 to GROUPS - 1). */
    public static final int GROUPS = 10;

    /** {@code id} unique-indexed, {@code grp} indexed (not unique), the rest plain; every type is used. */
    public static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            ColumnDef.required("id", ColumnType.INT),
            ColumnDef.optional("grp", ColumnType.INT),
            ColumnDef.optional("name", ColumnType.STR),
            ColumnDef.optional("data", ColumnType.BYTES),
            ColumnDef.optional("score", ColumnType.FLOAT),
            ColumnDef.optional("flag", ColumnType.BOOL),
            ColumnDef.optional("ts", ColumnType.DATETIME)),
            List.of(new IndexDef("id", true), new IndexDef("grp", false)));

    private final TreeMap<Long, Object[]> rows;

    public OracleTable() {
        this.rows = new TreeMap<>();
    }

    private OracleTable(TreeMap<Long, Object[]> rows) {
        this.rows = rows;
    }

    /** An independent copy (rows are never mutated in place, so sharing value arrays is safe). */
    public OracleTable copy() {
        return new OracleTable(new TreeMap<>(rows));
    }

    /** The row with this id, or null. */
    public Object[] get(long id) {
        return rows.get(id);
    }

    public boolean contains(long id) {
        return rows.containsKey(id);
    }

    /** Inserts or replaces the row with id {@code values[ID]}. */
    public void put(Object[] values) {
        rows.put((Long) values[ID], values);
    }

    public void remove(long id) {
        rows.remove(id);
    }

    public int size() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Rows by id, ascending; read-only. */
    public NavigableMap<Long, Object[]> rows() {
        return Collections.unmodifiableNavigableMap(rows);
    }

    /** Ids of the rows passing {@code filter}, ascending. */
    public List<Long> idsWhere(Predicate<Object[]> filter) {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Long, Object[]> e : rows.entrySet()) {
            if (filter.test(e.getValue())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** A new row: {@code old} with {@code changes} (column name to canonical value) applied. */
    public static Object[] apply(Object[] old, Map<String, ?> changes) {
        Object[] now = old.clone();
        for (Map.Entry<String, ?> c : changes.entrySet()) {
            int pos = COLUMNS.indexOf(c.getKey());
            if (pos < 0) {
                throw new IllegalArgumentException("no column " + c.getKey());
            }
            now[pos] = c.getValue();
        }
        return now;
    }

    /** Column name to value, in column order (nulls kept). */
    public static Map<String, Object> toMap(Object[] values) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < COLUMNS.size(); i++) {
            m.put(COLUMNS.get(i), values[i]);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OracleTable other) || other.rows.size() != rows.size()) {
            return false;
        }
        for (Map.Entry<Long, Object[]> e : rows.entrySet()) {
            Object[] v = other.rows.get(e.getKey());
            if (v == null || !java.util.Arrays.deepEquals(v, e.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return rows.keySet().hashCode();
    }

    @Override
    public String toString() {
        return rows.size() + " rows, ids " + (rows.size() <= 20 ? rows.keySet().toString()
                : rows.firstKey() + ".." + rows.lastKey());
    }
}
