package dev.powdb.bench;

/** The five timed workloads, in the order they run. */
enum Workload {
    BULK_LOAD("1. bulk load, 1 txn", "rows"),
    DURABLE_INSERTS("2. insert, autocommit + fsync", "txns"),
    LOOKUP("3. point lookup by id", "lookups"),
    SCAN("4. scan, count age = 42", "scans"),
    UPDATE("5. update age by id", "updates");

    final String label;
    /** What one operation of the workload is. */
    final String unit;

    Workload(String label, String unit) {
        this.label = label;
        this.unit = unit;
    }
}
