package dev.powdb.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reading and changing rows. {@link Database} runs each call as its own transaction; {@link Transaction} runs them
 * inside one. Every call is atomic: when it throws, it changed nothing.
 *
 * <p>Values use the Java classes listed in {@link ColumnType}. A filter {@link Predicate} may be null (all rows).
 */
public interface TableOperations {

    /**
     * Inserts one row. Columns left out get their default or null.
     *
     * @return the new row's id
     * @throws PowDbException INVALID_ARGUMENT for an unknown column, a wrong type or a missing required value;
     *                        UNIQUE_VIOLATION when a unique index already holds the key
     */
    long insert(String table, Map<String, ?> values);

    /** Inserts one row given all values in column order (faster than the map form). */
    long insertValues(String table, Object... values);

    /** The row with this id, if it exists. */
    Optional<Row> get(String table, long rowId);

    /** Rows whose indexed {@code column} equals {@code key}, through the index. NOT_FOUND if there is no index. */
    List<Row> lookup(String table, String column, Object key);

    /** The first row whose indexed {@code column} equals {@code key} (a unique index gives at most one). */
    default Optional<Row> getBy(String table, String column, Object key) {
        List<Row> rows = lookup(table, column, key);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /**
     * Visits rows whose indexed {@code column} lies between {@code lo} and {@code hi} (null = unbounded), in key
     * order, that also pass {@code filter}. The consumer may return false to stop.
     */
    void range(String table, String column, Object lo, boolean loInclusive, Object hi, boolean hiInclusive,
               Predicate<Row> filter, Function<Row, Boolean> consumer);

    /** Visits every row passing {@code filter} in storage order. */
    void scan(String table, Predicate<Row> filter, Consumer<Row> consumer);

    /** Every row passing {@code filter}, in storage order. */
    default List<Row> scan(String table, Predicate<Row> filter) {
        List<Row> out = new ArrayList<>();
        scan(table, filter, out::add);
        return out;
    }

    /** Number of rows passing {@code filter}. */
    default long count(String table, Predicate<Row> filter) {
        long[] n = {0};
        scan(table, filter, r -> n[0]++);
        return n[0];
    }

    /**
     * Changes every row passing {@code filter}: {@code change} gives the new values (column name to value) for
     * each row.
     *
     * @return the number of rows changed
     */
    int update(String table, Predicate<Row> filter, Function<Row, Map<String, ?>> change);

    /** Changes the rows whose indexed {@code column} equals {@code key}, through the index. */
    int updateBy(String table, String column, Object key, Map<String, ?> changes);

    /**
     * Changes the rows with these ids that still exist and still pass {@code filter} (ids from an earlier read, for
     * example through an index, in the same transaction). Duplicate ids count once.
     *
     * @return the number of rows changed
     */
    int updateRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter,
                   Function<Row, Map<String, ?>> change);

    /** Deletes the rows with these ids that still exist and still pass {@code filter}; returns the number deleted. */
    int deleteRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter);

    /** Deletes every row passing {@code filter}; returns the number deleted. */
    int delete(String table, Predicate<Row> filter);

    /** Deletes the rows whose indexed {@code column} equals {@code key}, through the index. */
    int deleteBy(String table, String column, Object key);

    // ---- schema ---------------------------------------------------------------------------------------------

    /** Creates a table and the indexes its schema lists. */
    void createTable(TableSchema schema);

    /** Drops a table, its rows and its indexes. */
    void dropTable(String table);

    /** Adds a column; existing rows read its default (or null; a required column needs a default). */
    void addColumn(String table, ColumnDef column);

    /** Drops a column (and any index on it). */
    void dropColumn(String table, String column);

    /** Builds an index over existing rows; fails with UNIQUE_VIOLATION if {@code unique} and keys repeat. */
    void createIndex(String table, String column, boolean unique);

    /** Drops the index on {@code column}. */
    void dropIndex(String table, String column);

    /** The table's current schema; NOT_FOUND if absent. */
    TableSchema table(String table);

    /** All tables, sorted by name. */
    List<TableSchema> tables();
}
