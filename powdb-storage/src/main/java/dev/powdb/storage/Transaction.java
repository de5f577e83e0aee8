package dev.powdb.storage;

import dev.powdb.storage.engine.Operations;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A write transaction: its changes become visible to others and durable together at {@link #commit()}, or not at
 * all. Obtain one from {@link Database#begin()}; use it from the thread that began it only. While it is open, other
 * writers and readers wait (transactions are serialisable). Closing a transaction that was not committed rolls it
 * back. Each call is atomic on its own: a call that throws leaves the transaction as it was before the call.
 */
public final class Transaction implements TableOperations, AutoCloseable {
    private final Operations ops;
    private boolean finished;
    private long commitLsn = -1;

    Transaction(Operations ops) {
        this.ops = ops;
    }

    /** Makes every change of this transaction permanent (durable according to the database's sync mode). */
    public void commit() {
        checkActive();
        ops.checkOwner();
        finished = true;
        commitLsn = ops.commit();
    }

    /**
     * The LSN of this transaction's commit record once it committed, or -1 (not committed, or it changed
     * nothing). A point-in-time restore to this LSN or later holds the transaction, to an earlier one does not.
     */
    public long commitLsn() {
        return commitLsn;
    }

    /** Undoes every change of this transaction. */
    public void rollback() {
        checkActive();
        ops.checkOwner();
        finished = true;
        ops.rollback();
    }

    /** Rolls back unless committed or rolled back already. */
    @Override
    public void close() {
        if (!finished) {
            rollback();
        }
    }

    /** Whether commit or rollback has been called. */
    public boolean isFinished() {
        return finished;
    }

    private void checkActive() {
        if (finished) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "the transaction has already ended");
        }
    }

    @Override
    public long insert(String table, Map<String, ?> values) {
        checkActive();
        return ops.insert(table, values);
    }

    @Override
    public long insertValues(String table, Object... values) {
        checkActive();
        return ops.insertValues(table, values);
    }

    @Override
    public Optional<Row> get(String table, long rowId) {
        checkActive();
        return ops.get(table, rowId);
    }

    @Override
    public List<Row> lookup(String table, String column, Object key) {
        checkActive();
        return ops.lookup(table, column, key);
    }

    @Override
    public void range(String table, String column, Object lo, boolean loInclusive, Object hi, boolean hiInclusive,
                      Predicate<Row> filter, Function<Row, Boolean> consumer) {
        checkActive();
        ops.range(table, column, lo, loInclusive, hi, hiInclusive, filter, consumer);
    }

    @Override
    public void scan(String table, Predicate<Row> filter, Consumer<Row> consumer) {
        checkActive();
        ops.scan(table, filter, consumer);
    }

    @Override
    public int update(String table, Predicate<Row> filter, Function<Row, Map<String, ?>> change) {
        checkActive();
        return ops.update(table, filter, change);
    }

    @Override
    public int updateBy(String table, String column, Object key, Map<String, ?> changes) {
        checkActive();
        return ops.updateBy(table, column, key, changes);
    }

    @Override
    public int updateRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter,
                          Function<Row, Map<String, ?>> change) {
        checkActive();
        return ops.updateRows(table, rowIds, filter, change);
    }

    @Override
    public int deleteRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter) {
        checkActive();
        return ops.deleteRows(table, rowIds, filter);
    }

    @Override
    public int delete(String table, Predicate<Row> filter) {
        checkActive();
        return ops.delete(table, filter);
    }

    @Override
    public int deleteBy(String table, String column, Object key) {
        checkActive();
        return ops.deleteBy(table, column, key);
    }

    @Override
    public void createTable(TableSchema schema) {
        checkActive();
        ops.createTable(schema);
    }

    @Override
    public void dropTable(String table) {
        checkActive();
        ops.dropTable(table);
    }

    @Override
    public void addColumn(String table, ColumnDef column) {
        checkActive();
        ops.addColumn(table, column);
    }

    @Override
    public void dropColumn(String table, String column) {
        checkActive();
        ops.dropColumn(table, column);
    }

    @Override
    public void createIndex(String table, String column, boolean unique) {
        checkActive();
        ops.createIndex(table, column, unique);
    }

    @Override
    public void dropIndex(String table, String column) {
        checkActive();
        ops.dropIndex(table, column);
    }

    @Override
    public TableSchema table(String table) {
        checkActive();
        return ops.table(table);
    }

    @Override
    public List<TableSchema> tables() {
        checkActive();
        return ops.tables();
    }
}
