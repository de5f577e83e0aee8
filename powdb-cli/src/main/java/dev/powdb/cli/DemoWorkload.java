package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.Transaction;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What the demo does to its database: the PowQL statements it shows, and the bulk load through the Java API.
 * Amounts scale with the number of rows loaded, so a small {@code --rows} gives the same story, faster.
 */
final class DemoWorkload {
    /** The demo's main type. */
    static final String TYPE = "Account";
    /** A small type created between the two backups, so the increment holds a new file as a whole. */
    static final String NEW_TYPE = "AuditNote";
    /** Rows per load transaction; without a terminal a line is printed after each. */
    static final int BATCH_ROWS = 25_000;

    private final int rows;

    /** A workload that loads {@code rows} rows. */
    DemoWorkload(int rows) {
        this.rows = rows;
    }

    /** Statements that create the schema. */
    List<String> schema() {
        return List.of("type " + TYPE + " { required unique id: int, required owner: str, balance: int,"
                + " status: str default \"open\" }");
    }

    /** Statements that change about 1% of the rows, delete some, insert some and add a small type. */
    List<String> changes() {
        long updated = Math.max(1, rows / 100);
        long firstDeleted = rows - Math.max(1, rows / 200) + 1;
        long newId = rows + 1L;
        return List.of(
                TYPE + " filter .id <= " + updated + " update { balance := .balance + 100, status := \"vip\" }",
                TYPE + " filter .id >= " + firstDeleted + " delete",
                "insert " + TYPE + " { id := " + newId + ", owner := \"Ada\", balance := 500 },"
                        + " { id := " + (newId + 1) + ", owner := \"Grace\", balance := 750 }",
                "type " + NEW_TYPE + " { required note: str }",
                "insert " + NEW_TYPE + " { note := \"rows changed after the full backup\" }",
                "count(" + TYPE + ")",
                TYPE + " filter .id >= " + (firstDeleted - 2) + " order .id { .id, .owner, .balance, .status }");
    }

    /**
     * Inserts {@code rows} rows in transactions of {@link #BATCH_ROWS}, showing progress: a bar on a terminal
     * ({@code progress}), else a line per transaction on {@code out}.
     *
     * @return how long the load took, in milliseconds
     */
    long load(Database db, TerminalProgress progress, PrintStream out) {
        long t0 = System.nanoTime();
        progress.begin("load", rows);
        try {
            for (long first = 1; first <= rows; first += BATCH_ROWS) {
                long last = Math.min(rows, first + BATCH_ROWS - 1);
                try (Transaction tx = db.begin()) {
                    for (long id = first; id <= last; id++) {
                        tx.insertValues(TYPE, id, "owner-" + id, (id * 37) % 10_000, "open");
                        if (id % 1000 == 0) {
                            progress.advance(1000);
                        }
                    }
                    tx.commit();
                }
                progress.advance(last % 1000);
                if (!progress.drawing()) {
                    out.printf(Locale.ROOT, "  committed rows %,d to %,d%n", first, last);
                }
            }
        } finally {
            progress.end();
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
