package dev.powdb.cli;

import java.util.List;

/**
 * Receives the results of statements as they run, in order. Mirrors {@code dev.powdb.query.ResultSink} so the
 * PowQL engine can be adapted with one lambda per method (see {@link StatementRunners}).
 */
public interface ResultSink {
    /** A statement produced rows: column names, then each row's values in column order (Java classes of ColumnType). */
    void rows(List<String> columns, List<List<Object>> rows);

    /** A statement produced one value (a count, an aggregate, ...); may be null. */
    void scalar(Object value);

    /** A statement reported a status (e.g. "inserted 1 row"). */
    void message(String text);
}
