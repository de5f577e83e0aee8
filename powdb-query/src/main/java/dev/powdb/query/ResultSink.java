package dev.powdb.query;

import java.util.List;

/**
 * Receives the results of {@link PowQL#run}: one call per statement, made as soon as the statement has committed
 * (or has run, inside {@code begin ... commit}).
 */
public interface ResultSink {
    /**
     * A query's result: column names in order, and rows whose values use the storage Java classes. Also the one
     * summary row of {@code backup to} ({@link PowQL#BACKUP_COLUMNS}) and {@code restore point}
     * ({@link PowQL#RESTORE_POINT_COLUMNS}).
     */
    void rows(List<String> columns, List<List<Object>> rows);

    /** The result of {@code count}, {@code sum}, {@code avg}, {@code min} or {@code max}. */
    void scalar(Object value);

    /** What a statement did: {@code inserted 2}, {@code created type User}, {@code begin}, ... */
    void message(String text);
}
