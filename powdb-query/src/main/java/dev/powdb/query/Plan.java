package dev.powdb.query;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.TableSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a query reads its table: a full scan, an index lookup (equality) or an index range. The whole filter is
 * still applied to every row the index yields, so the index only narrows what is read.
 *
 * <p>Choice: the filter, split at top-level {@code and}s, is searched for {@code .c = literal} on an indexed
 * column (first one wins, giving a lookup); failing that, for {@code < <= > >=} against literals on an indexed
 * column (the first such column; all its bounds are combined into one range). A literal that does not convert to
 * the column's type, or null, is not used.
 */
record Plan(Kind kind, String column, Object key, Object lo, boolean loInclusive, Object hi, boolean hiInclusive) {
    enum Kind { SCAN, LOOKUP, RANGE }

    private static final Set<String> RANGE_OPS = Set.of("<", "<=", ">", ">=");
    private static final Plan SCAN = new Plan(Kind.SCAN, null, null, null, false, null, false);

    /** What {@link PowQL#explain} reports: {@code scan}, {@code index lookup .c} or {@code index range .c}. */
    String describe() {
        switch (kind) {
            case LOOKUP:
                return "index lookup ." + column;
            case RANGE:
                return "index range ." + column;
            default:
                return "scan";
        }
    }

    static Plan choose(TableSchema schema, Expr filter) {
        if (filter == null) {
            return SCAN;
        }
        List<Expr> conjuncts = new ArrayList<>();
        flatten(filter, conjuncts);
        List<Bound> bounds = new ArrayList<>();
        for (Expr c : conjuncts) {
            Bound b = bound(schema, c);
            if (b == null) {
                continue;
            }
            if (b.op.equals("=")) {
                return new Plan(Kind.LOOKUP, b.column, b.value, null, false, null, false);
            }
            bounds.add(b);
        }
        if (bounds.isEmpty()) {
            return SCAN;
        }
        String column = bounds.get(0).column;
        Object lo = null;
        boolean loInc = false;
        Object hi = null;
        boolean hiInc = false;
        for (Bound b : bounds) {
            if (!b.column.equals(column)) {
                continue;
            }
            boolean inclusive = b.op.endsWith("=");
            if (b.op.startsWith(">")) {
                int cmp = lo == null ? 1 : Eval.compare(b.value, lo, null);
                if (cmp > 0 || (cmp == 0 && !inclusive)) {
                    lo = b.value;
                    loInc = inclusive;
                }
            } else {
                int cmp = hi == null ? -1 : Eval.compare(b.value, hi, null);
                if (cmp < 0 || (cmp == 0 && !inclusive)) {
                    hi = b.value;
                    hiInc = inclusive;
                }
            }
        }
        return new Plan(Kind.RANGE, column, null, lo, loInc, hi, hiInc);
    }

    private static void flatten(Expr e, List<Expr> out) {
        if (e instanceof Expr.Binary b && b.op().equals("and")) {
            flatten(b.left(), out);
            flatten(b.right(), out);
        } else {
            out.add(e);
        }
    }

    private record Bound(String column, String op, Object value) {
    }

    /** {@code .c op literal} (or mirrored) on an indexed column, with the literal in the column's type. */
    private static Bound bound(TableSchema schema, Expr e) {
        if (!(e instanceof Expr.Binary b) || !(b.op().equals("=") || RANGE_OPS.contains(b.op()))) {
            return null;
        }
        String op = b.op();
        Expr.Column col;
        Expr.Literal lit;
        if (b.left() instanceof Expr.Column c && b.right() instanceof Expr.Literal l) {
            col = c;
            lit = l;
        } else if (b.left() instanceof Expr.Literal l && b.right() instanceof Expr.Column c) {
            col = c;
            lit = l;
            op = mirror(op);
        } else {
            return null;
        }
        if (lit.value() == null || schema.index(col.name()) == null) {
            return null;
        }
        ColumnDef def = schema.column(col.name());
        if (lit.value() instanceof Double && def.type() == dev.powdb.storage.ColumnType.INT) {
            return null;
        }
        try {
            return new Bound(col.name(), op, def.type().coerce(lit.value(), "key"));
        } catch (PowDbException typeMismatch) {
            return null; // the filter itself reports the type error, or compares numerically
        }
    }

    private static String mirror(String op) {
        switch (op) {
            case "<": return ">";
            case "<=": return ">=";
            case ">": return "<";
            case ">=": return "<=";
            default: return op;
        }
    }
}
