package dev.powdb.bench;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * SQLite through {@code org.xerial:sqlite-jdbc}: WAL journal, {@code synchronous=NORMAL} (commits are not fsynced;
 * WAL checkpoints are) except in workload 2, which runs with {@code synchronous=FULL} (the WAL is fsynced on every
 * commit). The page cache is set to the same size as PowDB's buffer pool. {@code id} is declared
 * {@code INTEGER PRIMARY KEY}, so it is SQLite's rowid and the table itself is the key index.
 */
final class SqliteEngine extends JdbcEngine {

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public void open(Path dir, BenchOptions options) throws SQLException {
        conn = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bench.db").toAbsolutePath());
        execute("PRAGMA journal_mode=WAL");
        execute("PRAGMA synchronous=NORMAL");
        execute("PRAGMA cache_size=-" + options.cacheMib * 1024L);
    }

    @Override
    public String describe() throws SQLException {
        return "SQLite " + queryString("SELECT sqlite_version()") + " (sqlite-jdbc "
                + conn.getMetaData().getDriverVersion() + "), journal_mode=" + queryString("PRAGMA journal_mode")
                + ", synchronous=NORMAL (FULL in workload 2), cache_size=" + queryString("PRAGMA cache_size")
                + " (KiB when negative), page_size=" + queryString("PRAGMA page_size");
    }

    @Override
    protected String createTableSql(String table) {
        return "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)";
    }

    @Override
    protected void setDurableCommits(boolean durable) throws SQLException {
        execute("PRAGMA synchronous=" + (durable ? "FULL" : "NORMAL"));
    }
}
