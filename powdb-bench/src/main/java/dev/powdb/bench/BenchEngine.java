package dev.powdb.bench;

import java.nio.file.Path;

/**
 * One database under test. {@link StorageBench} calls the methods in the order they are declared; only the
 * workload methods (those whose Javadoc says "timed") are inside the stopwatch.
 *
 * <p>The main table is {@code users(id int primary/unique key, name string not null, age int)}; workload 2 writes
 * to a second table of the same shape, {@code events}.
 */
interface BenchEngine {

    /** Short name used in tables: PowDB, SQLite, H2. */
    String name();

    /** Opens (creating) a database in {@code dir}, an empty directory owned by this engine. */
    void open(Path dir, BenchOptions options) throws Exception;

    /** Engine version and the settings that matter for reading the results, one line. */
    String describe() throws Exception;

    /**
     * Timed. Creates {@code users} with its key index, inserts every row of {@code data} and commits, all in one
     * transaction with the non-durable sync setting.
     */
    void bulkLoad(BenchData data) throws Exception;

    /** Untimed. Creates {@code events} and switches to the setting that makes each commit durable (fsync). */
    void prepareDurableInserts() throws Exception;

    /** Timed. Inserts rows {@code 0..count-1} of {@code data} into {@code events}, one transaction per row. */
    void durableInserts(BenchData data, int count) throws Exception;

    /** Untimed. Returns to the non-durable sync setting used by every other workload. */
    void finishDurableInserts() throws Exception;

    /**
     * Timed (after one untimed warm-up call with the same ids). Reads the row of each id through the key index.
     *
     * @return the sum of {@link BenchData#rowChecksum} over the rows read
     */
    long lookup(long[] ids) throws Exception;

    /** Timed. Counts the rows of {@code users} whose age equals {@code age} by a full scan (no index on age). */
    long countAge(int age) throws Exception;

    /**
     * Timed. Runs {@code age = age + 1} for the row of each id, committing every {@code batch} updates (and once
     * more at the end), with the non-durable sync setting.
     */
    void updateAgeByKey(long[] ids, int batch) throws Exception;

    /** Untimed check: the sum of {@code age} over all of {@code users}. */
    long sumAge() throws Exception;

    /**
     * Timed (after one untimed warm-up call with the same ids). Workload 6: reads {@code name, age} of each id through
     * the engine's query language: PowDB parses, plans and runs a PowQL statement with the id as a literal for
     * every id; the SQL engines prepare {@code SELECT name, age FROM users WHERE id = ?} once and bind each id.
     *
     * @return the sum of {@link BenchData#rowChecksum} over the rows read
     */
    long queryLookup(long[] ids) throws Exception;

    /**
     * Timed. Workload 7: counts the rows of {@code users} with {@code age} equal to {@code age} through the query
     * language (PowQL {@code count(users filter .age = N)} parsed, planned and run per call; the SQL engines'
     * {@code SELECT count(*) FROM users WHERE age = ?} prepared once per workload). No index on age.
     */
    long queryCountAge(int age) throws Exception;

    /** Closes the database; called once even if a workload failed. */
    void close() throws Exception;
}
