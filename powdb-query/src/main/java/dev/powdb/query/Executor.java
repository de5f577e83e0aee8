package dev.powdb.query;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableOperations;
import dev.powdb.storage.TableSchema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs one data or schema statement against a {@link TableOperations} (the database, or the open transaction).
 * Names are checked before anything is changed, so a statement with an unknown table or column changes nothing.
 */
final class Executor {
    private Executor() {
    }

    /** The schema of {@code table}, or NOT_FOUND naming it at {@code pos}. */
    static TableSchema schema(TableOperations ops, String table, Pos pos) {
        try {
            return ops.table(table);
        } catch (PowDbException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw new QueryException(ErrorCode.NOT_FOUND, pos, "unknown type " + table);
            }
            throw e;
        }
    }

    static void checkColumn(TableSchema schema, String column, Pos pos) {
        if (schema.columnIndex(column) < 0) {
            throw new QueryException(ErrorCode.NOT_FOUND, pos, "type " + schema.name() + " has no column ."
                    + column);
        }
    }

    /** Checks every {@code .column} in {@code e} (null allowed) against the schema. */
    static void checkColumns(TableSchema schema, Expr e) {
        if (e == null || e instanceof Expr.Literal) {
            return;
        }
        if (e instanceof Expr.Column c) {
            checkColumn(schema, c.name(), c.pos());
        } else if (e instanceof Expr.Unary u) {
            checkColumns(schema, u.operand());
        } else if (e instanceof Expr.Binary b) {
            checkColumns(schema, b.left());
            checkColumns(schema, b.right());
        } else if (e instanceof Expr.In in) {
            checkColumns(schema, in.operand());
            in.items().forEach(i -> checkColumns(schema, i));
        } else if (e instanceof Expr.Like l) {
            checkColumns(schema, l.operand());
            checkColumns(schema, l.pattern());
        } else if (e instanceof Expr.IsNull n) {
            checkColumns(schema, n.operand());
        }
    }

    private static void checkQuery(TableSchema schema, Statement.Query q) {
        checkColumns(schema, q.filter());
        q.order().forEach(k -> checkColumns(schema, k.expr()));
        if (q.projection() != null) {
            q.projection().forEach(p -> checkColumns(schema, p.expr()));
        }
    }

    private static Predicate<Row> predicate(Expr filter) {
        return filter == null ? null : r -> Eval.test(filter, r);
    }

    // ---- queries ------------------------------------------------------------------------------------------------

    /** The plan a query (or the query part of an aggregate) would use. */
    static Plan plan(TableOperations ops, Statement.Query q) {
        TableSchema schema = schema(ops, q.table(), q.pos());
        checkQuery(schema, q);
        return Plan.choose(schema, q.filter());
    }

    /** Number of rows passing {@code q}'s filter, counted as they stream by (no list of matches). */
    private static long countMatches(TableOperations ops, Statement.Query q) {
        TableSchema schema = schema(ops, q.table(), q.pos());
        checkQuery(schema, q);
        Plan plan = Plan.choose(schema, q.filter());
        Predicate<Row> pred = predicate(q.filter());
        long[] n = {0};
        switch (plan.kind()) {
            case LOOKUP:
                for (Row r : ops.lookup(q.table(), plan.column(), plan.key())) {
                    if (pred == null || pred.test(r)) {
                        n[0]++;
                    }
                }
                break;
            case RANGE:
                ops.range(q.table(), plan.column(), plan.lo(), plan.loInclusive(), plan.hi(), plan.hiInclusive(),
                        pred, r -> {
                            n[0]++;
                            return true;
                        });
                break;
            default:
                ops.scan(q.table(), pred, r -> n[0]++);
                break;
        }
        return n[0];
    }

    /** Rows of {@code q} after filter, order, offset and limit (before projection). */
    static List<Row> select(TableOperations ops, Statement.Query q) {
        TableSchema schema = schema(ops, q.table(), q.pos());
        checkQuery(schema, q);
        Plan plan = Plan.choose(schema, q.filter());
        Predicate<Row> pred = predicate(q.filter());
        List<Row> rows = new ArrayList<>();
        switch (plan.kind()) {
            case LOOKUP:
                for (Row r : ops.lookup(q.table(), plan.column(), plan.key())) {
                    if (pred == null || pred.test(r)) {
                        rows.add(r);
                    }
                }
                break;
            case RANGE:
                ops.range(q.table(), plan.column(), plan.lo(), plan.loInclusive(), plan.hi(), plan.hiInclusive(),
                        pred, r -> rows.add(r));
                break;
            default:
                ops.scan(q.table(), pred, rows::add);
                break;
        }
        List<Row> ordered = q.order().isEmpty() ? rows : sort(rows, q.order());
        int from = (int) Math.min(ordered.size(), q.offset() == null ? 0 : q.offset());
        long to = q.limit() == null ? ordered.size() : Math.min(ordered.size(), from + q.limit());
        return ordered.subList(from, (int) to);
    }

    private static List<Row> sort(List<Row> rows, List<Statement.OrderKey> keys) {
        List<Object[]> keyed = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Object[] k = new Object[keys.size() + 1];
            for (int i = 0; i < keys.size(); i++) {
                k[i] = Eval.eval(keys.get(i).expr(), r);
            }
            k[keys.size()] = r;
            keyed.add(k);
        }
        Comparator<Object[]> cmp = (a, b) -> {
            for (int i = 0; i < keys.size(); i++) {
                Statement.OrderKey key = keys.get(i);
                int c = Eval.compareNullsFirst(a[i], b[i], key.expr().pos());
                if (c != 0) {
                    return key.descending() ? -c : c;
                }
            }
            return 0;
        };
        keyed.sort(cmp);
        List<Row> out = new ArrayList<>(rows.size());
        for (Object[] k : keyed) {
            out.add((Row) k[keys.size()]);
        }
        return out;
    }

    static void query(TableOperations ops, Statement.Query q, ResultSink sink) {
        List<Row> rows = select(ops, q);
        TableSchema schema = ops.table(q.table());
        List<String> columns = new ArrayList<>();
        List<List<Object>> out = new ArrayList<>(rows.size());
        if (q.projection() == null) {
            schema.columns().forEach(c -> columns.add(c.name()));
            for (Row r : rows) {
                out.add(new ArrayList<>(java.util.Arrays.asList(r.values())));
            }
        } else {
            for (Statement.ProjItem p : q.projection()) {
                columns.add(columnName(p));
            }
            for (Row r : rows) {
                List<Object> values = new ArrayList<>(q.projection().size());
                for (Statement.ProjItem p : q.projection()) {
                    values.add(Eval.eval(p.expr(), r));
                }
                out.add(values);
            }
        }
        sink.rows(columns, out);
    }

    private static String columnName(Statement.ProjItem p) {
        if (p.alias() != null) {
            return p.alias();
        }
        if (p.expr() instanceof Expr.Column c) {
            return c.name();
        }
        return Printer.print(p.expr());
    }

    static Object aggregate(TableOperations ops, Statement.Aggregate a) {
        Statement.Query q = a.query();
        if (a.function().equals("count")) {
            if (q.order().isEmpty() && q.offset() == null && q.limit() == null) {
                return countMatches(ops, q);
            }
            return (long) select(ops, q).size();
        }
        if (q.projection() == null || q.projection().size() != 1) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, q.pos(), a.function()
                    + " needs a query projecting exactly one column, e.g. " + a.function() + "(" + q.table()
                    + " { .column })");
        }
        Expr e = q.projection().get(0).expr();
        Object acc = null;
        long n = 0;
        for (Row r : select(ops, q)) {
            Object v = Eval.eval(e, r);
            if (v == null) {
                continue;
            }
            n++;
            switch (a.function()) {
                case "sum":
                case "avg":
                    if (!(v instanceof Long) && !(v instanceof Double)) {
                        throw new QueryException(ErrorCode.INVALID_ARGUMENT, e.pos(), a.function()
                                + " needs int or float values, got " + Eval.typeName(v));
                    }
                    acc = acc == null ? v : add(acc, v, e.pos());
                    break;
                case "min":
                    acc = acc == null || Eval.compare(v, acc, e.pos()) < 0 ? v : acc;
                    break;
                default:
                    acc = acc == null || Eval.compare(v, acc, e.pos()) > 0 ? v : acc;
                    break;
            }
        }
        if (a.function().equals("sum")) {
            return acc == null ? (Object) 0L : acc;
        }
        if (a.function().equals("avg")) {
            return acc == null ? null : ((Number) acc).doubleValue() / n;
        }
        return acc;
    }

    private static Object add(Object a, Object b, Pos pos) {
        if (a instanceof Long x && b instanceof Long y) {
            try {
                return Math.addExact(x, y);
            } catch (ArithmeticException e) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, pos, "integer overflow in sum");
            }
        }
        return ((Number) a).doubleValue() + ((Number) b).doubleValue();
    }

    // ---- changes ----------------------------------------------------------------------------------------------

    /** Evaluates an insert's rows (no column may be read: there is no current row) after checking names. */
    static List<Map<String, Object>> insertValues(TableOperations ops, Statement.Insert ins) {
        TableSchema schema = schema(ops, ins.table(), ins.pos());
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Statement.Assign> row : ins.rows()) {
            out.add(assignments(schema, row, null));
        }
        return out;
    }

    private static Map<String, Object> assignments(TableSchema schema, List<Statement.Assign> assigns, Row row) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Statement.Assign a : assigns) {
            checkColumn(schema, a.column(), a.pos());
            if (values.containsKey(a.column())) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, a.pos(), "column " + a.column()
                        + " is assigned twice");
            }
            Object v = Eval.eval(a.value(), row);
            ColumnDef def = schema.column(a.column());
            try {
                v = def.type().coerce(v, "column " + a.column());
            } catch (PowDbException e) {
                throw new QueryException(e.code(), a.value().pos(), "column ." + a.column() + " is "
                        + def.type().keyword() + ", cannot take a " + Eval.typeName(v) + " value");
            }
            values.put(a.column(), v);
        }
        return values;
    }

    static int update(TableOperations ops, Statement.Update u) {
        Statement.Query q = u.query();
        TableSchema schema = schema(ops, q.table(), q.pos());
        checkColumns(schema, q.filter());
        Set<String> seen = new HashSet<>();
        for (Statement.Assign a : u.assigns()) {
            checkColumn(schema, a.column(), a.pos());
            checkColumns(schema, a.value());
            if (!seen.add(a.column())) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, a.pos(), "column " + a.column()
                        + " is assigned twice");
            }
        }
        Plan plan = Plan.choose(schema, q.filter());
        if (plan.kind() == Plan.Kind.SCAN) {
            return ops.update(q.table(), predicate(q.filter()), r -> assignments(schema, u.assigns(), r));
        }
        return ops.updateRows(q.table(), candidates(ops, q.table(), plan), predicate(q.filter()),
                r -> assignments(schema, u.assigns(), r));
    }

    /**
     * Row ids an index gives for {@code plan} (a superset of the matches; the caller applies the whole filter). The
     * caller runs this and the change in one transaction, so the ids cannot go stale in between.
     */
    private static List<Long> candidates(TableOperations ops, String table, Plan plan) {
        List<Long> ids = new ArrayList<>();
        if (plan.kind() == Plan.Kind.LOOKUP) {
            for (Row r : ops.lookup(table, plan.column(), plan.key())) {
                ids.add(r.rowId());
            }
        } else {
            ops.range(table, plan.column(), plan.lo(), plan.loInclusive(), plan.hi(), plan.hiInclusive(), null,
                    r -> ids.add(r.rowId()));
        }
        return ids;
    }

    static int delete(TableOperations ops, Statement.Delete d) {
        Statement.Query q = d.query();
        TableSchema schema = schema(ops, q.table(), q.pos());
        checkColumns(schema, q.filter());
        Plan plan = Plan.choose(schema, q.filter());
        if (plan.kind() == Plan.Kind.SCAN) {
            return ops.delete(q.table(), predicate(q.filter()));
        }
        return ops.deleteRows(q.table(), candidates(ops, q.table(), plan), predicate(q.filter()));
    }

    // ---- schema -----------------------------------------------------------------------------------------------

    static ColumnDef columnDef(Statement.Field f) {
        try {
            return new ColumnDef(f.name(), f.type(), f.required(),
                    f.defaultValue() == null ? null : f.defaultValue().value());
        } catch (PowDbException e) {
            throw new QueryException(e.code(), f.pos(), e.getMessage());
        }
    }

    static void createType(TableOperations ops, Statement.CreateType t) {
        List<ColumnDef> columns = new ArrayList<>();
        List<IndexDef> indexes = new ArrayList<>();
        for (Statement.Field f : t.fields()) {
            columns.add(columnDef(f));
            if (f.unique()) {
                indexes.add(new IndexDef(f.name(), true));
            }
        }
        TableSchema schema;
        try {
            schema = new TableSchema(t.name(), columns, indexes);
        } catch (PowDbException e) {
            throw new QueryException(e.code(), t.pos(), e.getMessage());
        }
        ops.createTable(schema);
    }
}
