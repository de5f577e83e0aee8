package dev.powdb.bench;

/**
 * The timed workloads, in the order they run. 1-5 go through each engine's storage API (PowDB's Java facade, JDBC
 * for the peers); 6-7 go through a query language: PowQL text parsed, planned and run for every operation on PowDB,
 * SQL statements prepared once per workload on the peers.
 */
enum Workload {
    BULK_LOAD("1. bulk load, 1 txn", "rows"),
    DURABLE_INSERTS("2. insert, autocommit + fsync", "txns"),
    LOOKUP("3. point lookup by id", "lookups"),
    SCAN("4. scan, count age = 42", "scans"),
    UPDATE("5. update age by id", "updates"),
    QUERY_LOOKUP("6. query: lookup by id", "queries"),
    QUERY_COUNT("7. query: count age = 42", "queries");

    final String label;
    /** What one operation of the workload is. */
    final String unit;

    /** The workload's number, 1-based, as used by {@code --workloads}. */
    int number() {
        return ordinal() + 1;
    }

    Workload(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }
}
