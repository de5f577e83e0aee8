package dev.powdb.query;

import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.TableOperations;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.spi.BackupSummary;

import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs PowQL scripts against a {@link Database}. The language is described in {@code docs/powql.md}.
 *
 * <p>An instance remembers one open transaction ({@code begin} ... {@code commit}/{@code rollback}); while it is
 * open, statements run inside it and must come from the thread that ran {@code begin}. Outside a transaction each
 * statement commits on its own. A statement that fails changes nothing; statements before it keep their effect.
 * {@code backup to} and {@code restore point} act on the whole database and are refused inside a transaction.
 * Not thread-safe: use one instance per session.
 */
public final class PowQL implements AutoCloseable {
    /** Columns of the one row a {@code backup to} statement returns. */
    public static final List<String> BACKUP_COLUMNS = List.of("kind", "destination", "base", "source_lsn", "files",
            "bytes", "millis", "manifest_blake3");
    /** Columns of the one row a {@code restore point} statement returns. */
    public static final List<String> RESTORE_POINT_COLUMNS = List.of("restore_point", "lsn");

    private final Database db;
    private Transaction tx;

    public PowQL(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Parses without running.
     *
     * @throws QueryException INVALID_ARGUMENT with the line and column of the first syntax error;
     *                        {@link QueryException#atEnd()} tells whether more input could complete it
     */
    public static List<Statement> parse(String script) {
        return Parser.parseScript(script);
    }

    /**
     * Runs the statements of {@code script} in order; each result goes to {@code sink} as soon as its statement
     * has committed (or ran, inside begin/commit). The whole script is parsed first, so a syntax error runs
     * nothing.
     *
     * @throws QueryException at the first failing statement, naming its line and column; earlier statements'
     *                        effects stay, the failing statement changed nothing
     */
    public void run(String script, ResultSink sink) {
        for (Statement s : parse(script)) {
            try {
                execute(s, sink);
            } catch (QueryException e) {
                throw e;
            } catch (PowDbException e) {
                throw new QueryException(e.code(), s.pos().line(), s.pos().column(), e.getMessage(), false, e);
            }
        }
    }

    /** True while a begin ... commit/rollback transaction is open in this instance. */
    public boolean inTransaction() {
        return tx != null;
    }

    /**
     * How the single query, aggregate, update or delete in {@code script} would read its table: {@code scan},
     * {@code index lookup .column} or {@code index range .column}, for queries, aggregates, updates and deletes
     * alike. Runs nothing.
     */
    public String explain(String script) {
        List<Statement> stmts = parse(script);
        if (stmts.size() != 1) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, 1, 1, "explain takes exactly one statement",
                    false, null);
        }
        Statement s = stmts.get(0);
        try {
            if (s instanceof Statement.Query q) {
                return Executor.plan(ops(), q).describe();
            }
            if (s instanceof Statement.Aggregate a) {
                return Executor.plan(ops(), a.query()).describe();
            }
            if (s instanceof Statement.Update u) {
                return Executor.plan(ops(), u.query()).describe();
            }
            if (s instanceof Statement.Delete d) {
                return Executor.plan(ops(), d.query()).describe();
            }
        } catch (QueryException e) {
            throw e;
        } catch (PowDbException e) {
            throw new QueryException(e.code(), s.pos().line(), s.pos().column(), e.getMessage(), false, e);
        }
        throw new QueryException(ErrorCode.INVALID_ARGUMENT, s.pos(), "only queries, aggregates, updates and "
                + "deletes can be explained");
    }

    /** Rolls back a transaction left open. */
    @Override
    public void close() {
        if (tx != null) {
            Transaction t = tx;
            tx = null;
            t.close();
        }
    }

    private TableOperations ops() {
        return tx != null ? tx : db;
    }

    private void execute(Statement s, ResultSink sink) {
        if (s instanceof Statement.Begin) {
            if (tx != null) {
                throw new QueryException(ErrorCode.ILLEGAL_STATE, s.pos(), "a transaction is already open");
            }
            tx = db.begin();
            sink.message("begin");
        } else if (s instanceof Statement.Commit || s instanceof Statement.Rollback) {
            boolean commit = s instanceof Statement.Commit;
            if (tx == null) {
                throw new QueryException(ErrorCode.ILLEGAL_STATE, s.pos(), "no transaction is open");
            }
            Transaction t = tx;
            tx = null;
            if (commit) {
                t.commit();
            } else {
                t.rollback();
            }
            sink.message(commit ? "commit" : "rollback");
        } else if (s instanceof Statement.Query q) {
            Executor.query(ops(), q, sink);
        } else if (s instanceof Statement.Aggregate a) {
            sink.scalar(Executor.aggregate(ops(), a));
        } else if (s instanceof Statement.Insert ins) {
            sink.message("inserted " + insert(ins));
        } else if (s instanceof Statement.Update u) {
            sink.message("updated " + inOneTransaction(t -> Executor.update(t, u)));
        } else if (s instanceof Statement.Delete d) {
            sink.message("deleted " + inOneTransaction(t -> Executor.delete(t, d)));
        } else if (s instanceof Statement.Backup b) {
            sink.rows(BACKUP_COLUMNS, List.of(backup(b)));
        } else if (s instanceof Statement.RestorePoint r) {
            refuseInTransaction(r, "restore point cannot be created inside a transaction: it marks a point between"
                    + " transactions");
            long lsn = withIoErrors(r, () -> db.createRestorePoint(r.name()));
            sink.rows(RESTORE_POINT_COLUMNS, List.of(List.of(r.name(), lsn)));
        } else {
            sink.message(ddl(s));
        }
    }

    /**
     * Takes the backup of {@code b} through {@link Database#backup}, relative directories resolved against the
     * process's working directory, and returns its result row ({@link #BACKUP_COLUMNS}).
     */
    private List<Object> backup(Statement.Backup b) {
        refuseInTransaction(b, "backup cannot run inside a transaction: a backup holds only committed work");
        Path destination = path(b.destination(), b.destinationPos());
        Path base = b.base() == null ? null : path(b.base(), b.basePos());
        BackupSummary summary = withIoErrors(b, () -> base == null ? db.backup(destination)
                : db.backup(destination, base));
        return Arrays.asList(summary.incremental() ? "incremental" : "full", summary.directory().toString(),
                base == null ? null : base.toString(), summary.sourceLsn(), (long) summary.files(), summary.bytes(),
                summary.millis(), summary.manifestBlake3());
    }

    private void refuseInTransaction(Statement s, String why) {
        if (tx != null) {
            throw new QueryException(ErrorCode.ILLEGAL_STATE, s.pos(), why + "; commit or rollback first");
        }
    }

    /** {@code text} as an absolute path (resolved against the working directory); INVALID_ARGUMENT at {@code pos}. */
    private static Path path(String text, Pos pos) {
        try {
            return Path.of(text).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, pos, "invalid path " + Printer.quote(text) + ": "
                    + e.getReason());
        }
    }

    /** Runs {@code call}, reporting an unchecked I/O error (which is not a PowDbException) at the statement. */
    private static <T> T withIoErrors(Statement s, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (UncheckedIOException e) {
            throw new QueryException(ErrorCode.IO, s.pos().line(), s.pos().column(), e.getMessage(), false, e);
        }
    }

    /**
     * Runs a change in the open transaction, or in one of its own: an update or delete that finds its rows through
     * an index reads and writes them in the same transaction.
     */
    private int inOneTransaction(java.util.function.ToIntFunction<TableOperations> change) {
        if (tx != null) {
            return change.applyAsInt(tx);
        }
        try (Transaction t = db.begin()) {
            int n = change.applyAsInt(t);
            t.commit();
            return n;
        }
    }

    private int insert(Statement.Insert ins) {
        List<Map<String, Object>> rows = Executor.insertValues(ops(), ins);
        if (rows.size() == 1) {
            ops().insert(ins.table(), rows.get(0));
        } else if (tx == null) {
            try (Transaction t = db.begin()) {
                for (Map<String, Object> r : rows) {
                    t.insert(ins.table(), r);
                }
                t.commit();
            }
        } else {
            // Inside an open transaction: undo this statement's rows if a later one fails.
            Set<Long> ids = new HashSet<>();
            try {
                for (Map<String, Object> r : rows) {
                    ids.add(tx.insert(ins.table(), r));
                }
            } catch (PowDbException e) {
                if (!ids.isEmpty()) {
                    tx.delete(ins.table(), r -> ids.contains(r.rowId()));
                }
                throw e;
            }
        }
        return rows.size();
    }

    private String ddl(Statement s) {
        if (s instanceof Statement.CreateType t) {
            Executor.createType(ops(), t);
            return "created type " + t.name();
        }
        if (s instanceof Statement.DropType d) {
            Executor.schema(ops(), d.name(), d.pos());
            ops().dropTable(d.name());
            return "dropped type " + d.name();
        }
        if (s instanceof Statement.AddColumn a) {
            addColumn(a);
            return "added column " + a.table() + "." + a.field().name();
        }
        if (s instanceof Statement.DropColumn d) {
            Executor.checkColumn(Executor.schema(ops(), d.table(), d.pos()), d.column(), d.columnPos());
            ops().dropColumn(d.table(), d.column());
            return "dropped column " + d.table() + "." + d.column();
        }
        if (s instanceof Statement.AddIndex a) {
            Executor.checkColumn(Executor.schema(ops(), a.table(), a.pos()), a.column(), a.columnPos());
            ops().createIndex(a.table(), a.column(), a.unique());
            return "created " + (a.unique() ? "unique index " : "index ") + a.table() + "." + a.column();
        }
        if (s instanceof Statement.DropIndex d) {
            TableSchema schema = Executor.schema(ops(), d.table(), d.pos());
            Executor.checkColumn(schema, d.column(), d.columnPos());
            if (schema.index(d.column()) == null) {
                throw new QueryException(ErrorCode.NOT_FOUND, d.columnPos(), "type " + d.table()
                        + " has no index on ." + d.column());
            }
            ops().dropIndex(d.table(), d.column());
            return "dropped index " + d.table() + "." + d.column();
        }
        throw new IllegalStateException("unknown statement " + s);
    }

    private void addColumn(Statement.AddColumn a) {
        Executor.schema(ops(), a.table(), a.pos());
        var def = Executor.columnDef(a.field());
        if (!a.field().unique()) {
            ops().addColumn(a.table(), def);
        } else if (tx == null) {
            try (Transaction t = db.begin()) {
                t.addColumn(a.table(), def);
                t.createIndex(a.table(), def.name(), true);
                t.commit();
            }
        } else {
            tx.addColumn(a.table(), def);
            try {
                tx.createIndex(a.table(), def.name(), true);
            } catch (PowDbException e) {
                tx.dropColumn(a.table(), def.name());
                throw e;
            }
        }
    }

    /** Names of all types, for shells (completion, listing). */
    public List<String> typeNames() {
        List<String> out = new ArrayList<>();
        ops().tables().forEach(t -> out.add(t.name()));
        return out;
    }
}
