package dev.powdb.bench.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite through {@code org.xerial:sqlite-jdbc}, loaded like the storage benchmark (WAL journal,
 * {@code synchronous=NORMAL}, 256 MiB cache, {@code id INTEGER PRIMARY KEY}) and checkpointed
 * ({@code wal_checkpoint(TRUNCATE)}) after the load. Backup is the driver's {@code backup to FILE} command (SQLite's
 * online backup API into a new database file); restore is {@code restore from FILE} on a connection to a new, empty
 * database; the deep check is {@code PRAGMA integrity_check} on the backup file (structure only: SQLite keeps no
 * checksums of its pages).
 */
final class SqliteSystem implements BackupSystem {
    private static final String FILE = "bench.db";
    private static final int LOAD_BATCH_ROWS = 1000;

    private Path dataDir;
    private Connection conn;

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public String describe() throws SQLException {
        return "SQLite " + queryString(conn, "SELECT sqlite_version()") + " (sqlite-jdbc "
                + conn.getMetaData().getDriverVersion() + "), journal_mode=WAL, synchronous=NORMAL, page_size="
                + queryString(conn, "PRAGMA page_size") + "; backup: `backup to FILE`, restore: `restore from FILE`";
    }

    private static Connection open(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    @Override
    public void load(Path dataDir, RowSource rows) throws SQLException {
        this.dataDir = dataDir;
        conn = open(dataDir.resolve(FILE));
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=NORMAL");
            st.execute("PRAGMA cache_size=-262144");
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)");
        }
        conn.setAutoCommit(false);
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO users (id, name, age) VALUES (?, ?, ?)")) {
            int pending = 0;
            while (rows.hasNext()) {
                ins.setLong(1, rows.next());
                ins.setString(2, rows.name());
                ins.setInt(3, rows.age());
                ins.addBatch();
                if (++pending == LOAD_BATCH_ROWS) {
                    ins.executeBatch();
                    pending = 0;
                }
            }
            ins.executeBatch();
        }
        conn.commit();
        conn.setAutoCommit(true);
        checkpoint();
    }

    private void checkpoint() throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void fullBackup(Path dest) throws Exception {
        Files.createDirectory(dest);
        try (Statement st = conn.createStatement()) {
            st.executeUpdate("backup to " + dest.resolve(FILE).toAbsolutePath());
        }
    }

    @Override
    public String verifyMethod() {
        return "PRAGMA integrity_check on the backup file (b-tree structure; SQLite has no page checksums)";
    }

    @Override
    public void verify(Path backup) throws SQLException {
        try (Connection c = open(backup.resolve(FILE))) {
            String result = queryString(c, "PRAGMA integrity_check");
            if (!"ok".equals(result)) {
                throw new IllegalStateException("SQLite integrity_check of " + backup + ": " + result);
            }
        }
    }

    @Override
    public void restore(Path backup, Path dest) throws Exception {
        Files.createDirectory(dest);
        try (Connection c = open(dest.resolve(FILE)); Statement st = c.createStatement()) {
            st.executeUpdate("restore from " + backup.resolve(FILE).toAbsolutePath());
        }
    }

    @Override
    public long[] countAndAgeSum(Path dir) throws SQLException {
        try (Connection c = open(dir.resolve(FILE)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(age) FROM users")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    @Override
    public void change(long[] ids) throws SQLException {
        conn.setAutoCommit(false);
        try (PreparedStatement up = conn.prepareStatement("UPDATE users SET age = age + 1 WHERE id = ?")) {
            for (long id : ids) {
                up.setLong(1, id);
                if (up.executeUpdate() != 1) {
                    throw new IllegalStateException("SQLite: update of id " + id + " changed no row");
                }
            }
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
        checkpoint();
    }

    @Override
    public boolean supportsIncremental() {
        return false;
    }

    @Override
    public long incrementalBackup(Path base, Path dest) {
        throw new UnsupportedOperationException("SQLite's backup API has no incremental mode");
    }

    @Override
    public void restoreChain(Path base, Path increment, Path dest) {
        throw new UnsupportedOperationException("SQLite's backup API has no incremental mode");
    }

    @Override
    public void close() throws SQLException {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
