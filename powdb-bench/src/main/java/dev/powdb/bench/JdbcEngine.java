package dev.powdb.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The workloads in plain SQL over one JDBC connection with prepared statements; {@link SqliteEngine} and
 * {@link H2Engine} add the URL, the DDL and the sync settings. Both peers run exactly the same statements.
 */
abstract class JdbcEngine implements BenchEngine {
    /** Rows per {@code executeBatch} during the bulk load (the whole load is still one transaction). */
    static final int LOAD_BATCH_ROWS = 1000;

    private static final String INSERT_SUFFIX = "(id, name, age) VALUES (?, ?, ?)";

    protected Connection conn;
    /** Workload 7's statement, prepared on its first use and kept until {@link #close()}. */
    private PreparedStatement queryCount;

    /** DDL of a table with the benchmark's shape, {@code id} being the primary key. */
    protected abstract String createTableSql(String table);

    /** Switches between durable (fsync on every commit) and the engine's non-durable setting. */
    protected abstract void setDurableCommits(boolean durable) throws SQLException;

    @Override
    public void bulkLoad(BenchData data) throws SQLException {
        execute(createTableSql("users"));
        conn.setAutoCommit(false);
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO users " + INSERT_SUFFIX)) {
            for (int i = 0; i < data.rows; i++) {
                ins.setLong(1, BenchData.id(i));
                ins.setString(2, data.names[i]);
                ins.setInt(3, data.ages[i]);
                ins.addBatch();
                if ((i + 1) % LOAD_BATCH_ROWS == 0) {
                    ins.executeBatch();
                }
            }
            ins.executeBatch();
        }
        conn.commit();
        conn.setAutoCommit(true);
    }

    @Override
    public void prepareDurableInserts() throws SQLException {
        execute(createTableSql("events"));
        setDurableCommits(true);
    }

    @Override
    public void durableInserts(BenchData data, int count) throws SQLException {
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO events " + INSERT_SUFFIX)) {
            for (int i = 0; i < count; i++) {
                ins.setLong(1, BenchData.id(i));
                ins.setString(2, data.names[i]);
                ins.setInt(3, data.ages[i]);
                ins.executeUpdate();
            }
        }
    }

    @Override
    public void finishDurableInserts() throws SQLException {
        setDurableCommits(false);
    }

    /** Workload 6 is workload 3's prepared statement: PowQL's counterpart through JDBC. */
    @Override
    public long queryLookup(long[] ids) throws SQLException {
        return lookup(ids);
    }

    @Override
    public long queryCountAge(int age) throws SQLException {
        if (queryCount == null) {
            queryCount = conn.prepareStatement("SELECT count(*) FROM users WHERE age = ?");
        }
        queryCount.setInt(1, age);
        return singleLong(queryCount);
    }

    @Override
    public long lookup(long[] ids) throws SQLException {
        long checksum = 0;
        try (PreparedStatement q = conn.prepareStatement("SELECT name, age FROM users WHERE id = ?")) {
            for (long id : ids) {
                q.setLong(1, id);
                try (ResultSet rs = q.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException(name() + ": id " + id + " not found");
                    }
                    checksum += BenchData.rowChecksum(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return checksum;
    }

    @Override
    public long countAge(int age) throws SQLException {
        try (PreparedStatement q = conn.prepareStatement("SELECT COUNT(*) FROM users WHERE age = ?")) {
            q.setInt(1, age);
            return singleLong(q);
        }
    }

    @Override
    public void updateAgeByKey(long[] ids, int batch) throws SQLException {
        conn.setAutoCommit(false);
        try (PreparedStatement up = conn.prepareStatement("UPDATE users SET age = age + 1 WHERE id = ?")) {
            for (int i = 0; i < ids.length; i++) {
                up.setLong(1, ids[i]);
                if (up.executeUpdate() != 1) {
                    throw new IllegalStateException(name() + ": update of id " + ids[i] + " changed no row");
                }
                if ((i + 1) % batch == 0) {
                    conn.commit();
                }
            }
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
    }

    @Override
    public long sumAge() throws SQLException {
        try (PreparedStatement q = conn.prepareStatement("SELECT SUM(age) FROM users")) {
            return singleLong(q);
        }
    }

    @Override
    public void close() throws SQLException {
        if (queryCount != null) {
            queryCount.close();
            queryCount = null;
        }
        if (conn != null) {
            conn.close();
            conn = null;
        }
    }

    protected void execute(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    protected String queryString(String sql) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long singleLong(PreparedStatement q) throws SQLException {
        try (ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
