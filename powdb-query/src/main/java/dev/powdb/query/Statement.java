package dev.powdb.query;

import dev.powdb.storage.ColumnType;

import java.util.List;

/**
 * A parsed PowQL statement. {@link PowQL#parse} returns these; {@link Printer#print(Statement)} gives a canonical
 * S-expression form, used by tests and for debugging.
 */
public sealed interface Statement {
    /** Where the statement starts. */
    Pos pos();

    /** One field of a type: {@code [required] [unique] name: type [default literal]}. */
    record Field(Pos pos, String name, ColumnType type, boolean required, boolean unique,
                 Expr.Literal defaultValue) {
    }

    /** {@code column := expr} in an insert or update. */
    record Assign(Pos pos, String column, Expr value) {
    }

    /** One sort key of {@code order}. */
    record OrderKey(Expr expr, boolean descending) {
    }

    /** One projected column: {@code .name}, or {@code alias := expr}; alias is null when not given. */
    record ProjItem(String alias, Expr expr) {
    }

    /** {@code type Name { fields }}. */
    record CreateType(Pos pos, String name, List<Field> fields) implements Statement {
    }

    /** {@code drop Name}. */
    record DropType(Pos pos, String name) implements Statement {
    }

    /** {@code alter T add column field}. */
    record AddColumn(Pos pos, String table, Field field) implements Statement {
    }

    /** {@code alter T drop column name}. */
    record DropColumn(Pos pos, String table, Pos columnPos, String column) implements Statement {
    }

    /** {@code alter T add index .c} or {@code alter T add unique .c}. */
    record AddIndex(Pos pos, String table, Pos columnPos, String column, boolean unique) implements Statement {
    }

    /** {@code alter T drop index .c}. */
    record DropIndex(Pos pos, String table, Pos columnPos, String column) implements Statement {
    }

    /** {@code insert T { a := 1 }, { ... }}. */
    record Insert(Pos pos, String table, List<List<Assign>> rows) implements Statement {
    }

    /**
     * {@code T [filter e] [order k, ...] [limit n] [offset n] [{ items }]}; absent parts are null (filter, limit,
     * offset, projection) or empty (order).
     */
    record Query(Pos pos, String table, Expr filter, List<OrderKey> order, Long limit, Long offset,
                 List<ProjItem> projection) implements Statement {
    }

    /** {@code count(q)}, {@code sum(q)}, {@code avg(q)}, {@code min(q)}, {@code max(q)}. */
    record Aggregate(Pos pos, String function, Query query) implements Statement {
    }

    /** {@code T [filter e] update { assigns }}. */
    record Update(Pos pos, Query query, List<Assign> assigns) implements Statement {
    }

    /** {@code T [filter e] delete}. */
    record Delete(Pos pos, Query query) implements Statement {
    }

    /** {@code begin}. */
    record Begin(Pos pos) implements Statement {
    }

    /** {@code commit}. */
    record Commit(Pos pos) implements Statement {
    }

    /** {@code rollback}. */
    record Rollback(Pos pos) implements Statement {
    }

    /**
     * {@code backup to "DIR"} (a full backup) or {@code backup to "DIR" base "PREV"} (an incremental one); the
     * directories are the strings as written, resolved when the statement runs. {@code base} and {@code basePos}
     * are null for a full backup.
     */
    record Backup(Pos pos, Pos destinationPos, String destination, Pos basePos, String base) implements Statement {
    }

    /** {@code restore point "NAME"}; the name is checked by the storage engine when the statement runs. */
    record RestorePoint(Pos pos, String name) implements Statement {
    }
}
