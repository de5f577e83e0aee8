package dev.powdb.bench;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * H2 embedded file database (MVStore) through JDBC with default durability settings in every workload, the
 * "durable" one included: measured with strace, H2 does not fsync per commit (docs/benchmarks/storage.md). The
 * cache is set to the same size as PowDB's buffer pool. {@code id} is the primary key, which H2 stores as the table's key.
 */
final class H2Engine extends JdbcEngine {

    @Override
    public String name() {
        return "H2";
    }

    @Override
    public void open(Path dir, BenchOptions options) throws SQLException {
        String file = dir.resolve("bench").toAbsolutePath().toString();
        conn = DriverManager.getConnection("jdbc:h2:file:" + file + ";CACHE_SIZE=" + options.cacheMib * 1024L,
                "sa", "");
    }

    @Override
    public String describe() throws SQLException {
        return "H2 " + queryString("SELECT H2VERSION()") + " embedded file (MVStore), default durability, "
                + "CACHE_SIZE=" + queryString("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                + "WHERE SETTING_NAME = 'CACHE_SIZE'") + " KiB";
    }

    @Override
    protected String createTableSql(String table) {
        return "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, age INTEGER)";
    }

    @Override
    protected void setDurableCommits(boolean durable) {
        // H2's default is used for every workload, the durable one included.
    }
}
