package dev.powdb.storage;

import dev.powdb.storage.engine.Engine;
import dev.powdb.storage.engine.Operations;
import dev.powdb.storage.engine.Verifier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An open PowDB database: one data directory, owned by this process until {@link #close()}.
 *
 * <pre>{@code
 * try (Database db = Database.open(Path.of("powdb_data"))) {
 *     db.createTable(new TableSchema("users", List.of(ColumnDef.required("id", ColumnType.INT),
 *             ColumnDef.optional("name", ColumnType.STR)), List.of(new IndexDef("id", true))));
 *     db.insert("users", Map.of("id", 1L, "name", "Ada"));
 *     db.getBy("users", "id", 1L).ifPresent(System.out::println);
 * }
 * }</pre>
 *
 * <p>Each {@link TableOperations} method called on the database runs as its own transaction; use
 * {@link #begin()} to group several. The database is safe for use by many threads: reads run in parallel, writes
 * one transaction at a time. Opening runs crash recovery; a second process opening the same directory is refused
 * with {@link ErrorCode#LOCKED}.
 */
public final class Database implements TableOperations, AutoCloseable {
    private final Engine engine;
    private final Operations ops;

    private Database(Engine engine) {
        this.engine = engine;
        this.ops = new Operations(engine);
    }

    /** Opens or creates the database at {@code dir} with default options. */
    public static Database open(Path dir) {
        return open(dir, DatabaseOptions.defaults());
    }

    /**
     * Opens or creates the database at {@code dir}, recovering it after a crash.
     *
     * @throws PowDbException LOCKED if another process has it open, CORRUPT with the file and offset if stored
     *                        data is damaged beyond what recovery repairs, IO on an I/O error
     */
    public static Database open(Path dir, DatabaseOptions options) {
        return new Database(Engine.open(dir, options));
    }

    /**
     * Opens the existing database at {@code dir}; unlike {@link #open(Path, DatabaseOptions)} never creates one.
     *
     * @throws PowDbException NOT_FOUND if {@code dir} is not a directory holding a database, else as {@code open}
     */
    public static Database openExisting(Path dir, DatabaseOptions options) {
        if (!options.fs().isDirectory(dir)) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "no database at " + dir + ": no such directory");
        }
        if (!options.fs().exists(dir.resolve(dev.powdb.storage.engine.ControlFile.NAME))) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "no database at " + dir + ": it has no "
                    + dev.powdb.storage.engine.ControlFile.NAME);
        }
        return open(dir, options);
    }

    /**
     * Starts an online backup at a new checkpoint (see {@link dev.powdb.storage.spi.BackupSource}); writers keep
     * committing while it runs. For backup implementations; applications call {@link #backup(Path)}.
     *
     * @throws PowDbException ILLEGAL_STATE when called inside a transaction of this thread, POISONED when the
     *                        database refuses writes
     */
    public dev.powdb.storage.spi.BackupSource startBackup() {
        return startBackup(dev.powdb.storage.spi.BackupStart.NEW_CHECKPOINT);
    }

    /**
     * Starts an online backup at the checkpoint {@code where} chooses (see
     * {@link dev.powdb.storage.spi.BackupStart}).
     *
     * @throws PowDbException as {@link #startBackup()}
     */
    public dev.powdb.storage.spi.BackupSource startBackup(dev.powdb.storage.spi.BackupStart where) {
        return engine.startBackup(where);
    }

    /**
     * Takes a full backup into {@code dest} (which must not exist, or be an empty directory). Needs the
     * {@code powdb-backup} module on the class path.
     *
     * @throws PowDbException ILLEGAL_STATE when no backup implementation is on the class path; see the backup
     *                        module for the errors of the backup itself
     */
    public dev.powdb.storage.spi.BackupSummary backup(Path dest) {
        return backupService().backup(this, dest, null);
    }

    /**
     * Takes an incremental backup into {@code dest} holding what changed since the backup at {@code base} (a full
     * backup or an earlier increment of this database).
     */
    public dev.powdb.storage.spi.BackupSummary backup(Path dest, Path base) {
        return backupService().backup(this, dest, java.util.Objects.requireNonNull(base, "base"));
    }

    private static dev.powdb.storage.spi.BackupService backupService() {
        return java.util.ServiceLoader.load(dev.powdb.storage.spi.BackupService.class).findFirst()
                .orElseThrow(() -> new PowDbException(ErrorCode.ILLEGAL_STATE, "no backup implementation on the "
                        + "class path: add the powdb-backup module"));
    }

    /**
     * Checks a closed database without changing it: every page checksum, slot layouts, B+tree order, and that
     * each index matches its table.
     */
    public static VerifyReport verify(Path dir) {
        return verify(dir, DatabaseOptions.defaults());
    }

    /** Like {@link #verify(Path)}, reading through the file layer of {@code options}. */
    public static VerifyReport verify(Path dir, DatabaseOptions options) {
        return Verifier.verify(dir, options);
    }

    /** Starts a transaction on the calling thread; it must be committed or rolled back (or closed). */
    public Transaction begin() {
        return new Transaction(ops.beginTransaction());
    }

    /**
     * Records a named restore point in the WAL (durably). {@code powdb restore ... --until-point NAME} with a WAL
     * archive then restores every transaction committed before this call returned and none committed after it.
     *
     * @return the restore point's LSN
     * @throws PowDbException INVALID_ARGUMENT for an empty name, one longer than 200 UTF-8 bytes or with control
     *                        characters; POISONED when the database refuses writes
     */
    public long createRestorePoint(String name) {
        return engine.createRestorePoint(name);
    }

    /** Flushes all changes to the data files and truncates the WAL. */
    public void checkpoint() {
        engine.checkpoint();
    }

    /** LSN of the last WAL record written; every page LSN is at most this. */
    public long maxLsn() {
        return engine.maxLsn();
    }

    /** The data directory. */
    public Path dir() {
        return engine.dir();
    }

    /** The engine, for the backup system and tools in this project. Not a stable API. */
    public Engine engine() {
        return engine;
    }

    /** Checkpoints and releases the directory. */
    @Override
    public void close() {
        try {
            engine.close();
        } catch (IOException e) {
            throw new PowDbException(ErrorCode.IO, "closing " + engine.dir() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long insert(String table, Map<String, ?> values) {
        return ops.insert(table, values);
    }

    @Override
    public long insertValues(String table, Object... values) {
        return ops.insertValues(table, values);
    }

    @Override
    public Optional<Row> get(String table, long rowId) {
        return ops.get(table, rowId);
    }

    @Override
    public List<Row> lookup(String table, String column, Object key) {
        return ops.lookup(table, column, key);
    }

    @Override
    public void range(String table, String column, Object lo, boolean loInclusive, Object hi, boolean hiInclusive,
                      Predicate<Row> filter, Function<Row, Boolean> consumer) {
        ops.range(table, column, lo, loInclusive, hi, hiInclusive, filter, consumer);
    }

    @Override
    public void scan(String table, Predicate<Row> filter, Consumer<Row> consumer) {
        ops.scan(table, filter, consumer);
    }

    @Override
    public int update(String table, Predicate<Row> filter, Function<Row, Map<String, ?>> change) {
        return ops.update(table, filter, change);
    }

    @Override
    public int updateBy(String table, String column, Object key, Map<String, ?> changes) {
        return ops.updateBy(table, column, key, changes);
    }

    @Override
    public int updateRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter,
                          Function<Row, Map<String, ?>> change) {
        return ops.updateRows(table, rowIds, filter, change);
    }

    @Override
    public int deleteRows(String table, java.util.Collection<Long> rowIds, Predicate<Row> filter) {
        return ops.deleteRows(table, rowIds, filter);
    }

    @Override
    public int delete(String table, Predicate<Row> filter) {
        return ops.delete(table, filter);
    }

    @Override
    public int deleteBy(String table, String column, Object key) {
        return ops.deleteBy(table, column, key);
    }

    @Override
    public void createTable(TableSchema schema) {
        ops.createTable(schema);
    }

    @Override
    public void dropTable(String table) {
        ops.dropTable(table);
    }

    @Override
    public void addColumn(String table, ColumnDef column) {
        ops.addColumn(table, column);
    }

    @Override
    public void dropColumn(String table, String column) {
        ops.dropColumn(table, column);
    }

    @Override
    public void createIndex(String table, String column, boolean unique) {
        ops.createIndex(table, column, unique);
    }

    @Override
    public void dropIndex(String table, String column) {
        ops.dropIndex(table, column);
    }

    @Override
    public TableSchema table(String table) {
        return ops.table(table);
    }

    @Override
    public List<TableSchema> tables() {
        return ops.tables();
    }
}
