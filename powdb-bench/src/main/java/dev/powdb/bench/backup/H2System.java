package dev.powdb.bench.backup;

import org.h2.tools.Restore;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * H2 embedded file database (MVStore) through JDBC, loaded like the storage benchmark (256 MiB cache,
 * {@code id INTEGER PRIMARY KEY}). Backup is the SQL statement {@code BACKUP TO 'FILE.zip'} (a deflated zip of the
 * database file); restore is {@link Restore#execute}, H2's tool that unzips such a backup; the deep check reads every
 * zip entry through {@link ZipInputStream}, which compares each entry's CRC32 (what {@code unzip -t} does). Neither
 * H2 step fsyncs: the bench's {@code sync} after them does.
 */
final class H2System implements BackupSystem {
    private static final String DB = "bench";
    private static final String ZIP = "bench.zip";
    private static final int LOAD_BATCH_ROWS = 1000;
    private static final int COMMIT_EVERY_BATCHES = 100;

    private Path dataDir;
    private Connection conn;

    @Override
    public String name() {
        return "H2";
    }

    @Override
    public String describe() throws SQLException {
        return "H2 " + SqliteSystem.queryString(conn, "SELECT H2VERSION()") + " embedded file (MVStore), CACHE_SIZE="
                + "262144 KiB; backup: `BACKUP TO 'FILE.zip'`, restore: org.h2.tools.Restore";
    }

    private static Connection open(Path dir) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve(DB).toAbsolutePath()
                + ";CACHE_SIZE=262144", "sa", "");
    }

    @Override
    public void load(Path dataDir, RowSource rows) throws SQLException {
        this.dataDir = dataDir;
        conn = open(dataDir);
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, age INTEGER)");
        }
        conn.setAutoCommit(false);
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO users (id, name, age) VALUES (?, ?, ?)")) {
            int pending = 0;
            long batches = 0;
            while (rows.hasNext()) {
                ins.setLong(1, rows.next());
                ins.setString(2, rows.name());
                ins.setInt(3, rows.age());
                ins.addBatch();
                if (++pending == LOAD_BATCH_ROWS) {
                    ins.executeBatch();
                    pending = 0;
                    if (++batches % COMMIT_EVERY_BATCHES == 0) {
                        // H2 keeps an open transaction's changes in memory: the untimed load commits in slices
                        conn.commit();
                    }
                }
            }
            ins.executeBatch();
        }
        conn.commit();
        conn.setAutoCommit(true);
        try (Statement st = conn.createStatement()) {
            st.execute("CHECKPOINT SYNC");
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
            st.execute("BACKUP TO '" + dest.resolve(ZIP).toAbsolutePath() + "'");
        }
    }

    @Override
    public String verifyMethod() {
        return "read every zip entry (CRC32 of each entry checked, as unzip -t)";
    }

    @Override
    public void verify(Path backup) throws Exception {
        byte[] buffer = new byte[1 << 20];
        int entries = 0;
        try (InputStream file = new BufferedInputStream(Files.newInputStream(backup.resolve(ZIP)), 1 << 20);
             ZipInputStream zip = new ZipInputStream(file)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                entries++;
                while (zip.read(buffer) >= 0) {
                    // reading to the end of the entry makes ZipInputStream compare its CRC32
                }
            }
        }
        if (entries == 0) {
            throw new IllegalStateException("H2 backup " + backup + " holds no entries");
        }
    }

    @Override
    public void restore(Path backup, Path dest) throws Exception {
        Files.createDirectory(dest);
        Restore.execute(backup.resolve(ZIP).toAbsolutePath().toString(), dest.toAbsolutePath().toString(), DB);
    }

    @Override
    public long[] countAndAgeSum(Path dir) throws SQLException {
        try (Connection c = open(dir); Statement st = c.createStatement();
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
                    throw new IllegalStateException("H2: update of id " + id + " changed no row");
                }
            }
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
    }

    @Override
    public boolean supportsIncremental() {
        return false;
    }

    @Override
    public long incrementalBackup(Path base, Path dest) {
        throw new UnsupportedOperationException("H2's BACKUP TO has no incremental mode");
    }

    @Override
    public void restoreChain(Path base, Path increment, Path dest) {
        throw new UnsupportedOperationException("H2's BACKUP TO has no incremental mode");
    }

    @Override
    public void close() throws SQLException {
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }
}
