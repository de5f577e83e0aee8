package dev.powdb.query;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.Row;

import java.time.Instant;
import java.util.Arrays;

/**
 * Evaluates expressions against a row. Nulls propagate through arithmetic and comparisons; {@code and}, {@code or}
 * and {@code not} use three-valued logic (null is "unknown"); a filter keeps a row only when it evaluates to true.
 * Integer arithmetic is exact (overflow is an error); mixing int and float gives float.
 */
final class Eval {
    private Eval() {
    }

    static Object eval(Expr e, Row row) {
        if (e instanceof Expr.Literal l) {
            return l.value();
        }
        if (e instanceof Expr.Column c) {
            if (row == null) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, c.pos(), "column ." + c.name()
                        + " cannot be used here");
            }
            return row.get(c.name());
        }
        if (e instanceof Expr.Unary u) {
            Object v = eval(u.operand(), row);
            if (v == null) {
                return null;
            }
            if (u.op().equals("not")) {
                return !bool(v, u.operand().pos(), "not");
            }
            if (v instanceof Long x) {
                if (x == Long.MIN_VALUE) {
                    throw new QueryException(ErrorCode.INVALID_ARGUMENT, u.pos(), "integer overflow");
                }
                return -x;
            }
            if (v instanceof Double d) {
                return -d;
            }
            throw typeError(u.pos(), "cannot negate a " + typeName(v));
        }
        if (e instanceof Expr.Binary b) {
            return binary(b, row);
        }
        if (e instanceof Expr.In in) {
            Object v = eval(in.operand(), row);
            if (v == null) {
                return null;
            }
            boolean sawNull = false;
            for (Expr item : in.items()) {
                Object w = eval(item, row);
                if (w == null) {
                    sawNull = true;
                } else if (compare(v, w, in.pos()) == 0) {
                    return true;
                }
            }
            return sawNull ? null : Boolean.FALSE;
        }
        if (e instanceof Expr.Like l) {
            Object v = eval(l.operand(), row);
            Object pat = eval(l.pattern(), row);
            if (v == null || pat == null) {
                return null;
            }
            if (!(v instanceof String s) || !(pat instanceof String ps)) {
                throw typeError(l.pos(), "like needs str operands, got " + typeName(v) + " like " + typeName(pat));
            }
            return like(s, ps);
        }
        if (e instanceof Expr.IsNull n) {
            return (eval(n.operand(), row) == null) != n.negated();
        }
        throw new IllegalStateException("unknown expression " + e);
    }

    /** True when {@code e} evaluates to true for {@code row}; a non-bool result is an error. */
    static boolean test(Expr e, Row row) {
        Object v = eval(e, row);
        return v != null && bool(v, e.pos(), "filter");
    }

    private static Object binary(Expr.Binary b, Row row) {
        String op = b.op();
        if (op.equals("and") || op.equals("or")) {
            boolean isAnd = op.equals("and");
            Object l = eval(b.left(), row);
            if (l != null && bool(l, b.left().pos(), op) != isAnd) {
                return !isAnd; // false and x = false; true or x = true
            }
            Object r = eval(b.right(), row);
            if (r != null && bool(r, b.right().pos(), op) != isAnd) {
                return !isAnd;
            }
            return l == null || r == null ? null : isAnd;
        }
        Object l = eval(b.left(), row);
        Object r = eval(b.right(), row);
        if (l == null || r == null) {
            return null;
        }
        switch (op) {
            case "=": return compare(l, r, b.pos()) == 0;
            case "!=": return compare(l, r, b.pos()) != 0;
            case "<": return compare(l, r, b.pos()) < 0;
            case "<=": return compare(l, r, b.pos()) <= 0;
            case ">": return compare(l, r, b.pos()) > 0;
            case ">=": return compare(l, r, b.pos()) >= 0;
            case "++":
                if (l instanceof String ls && r instanceof String rs) {
                    return ls + rs;
                }
                throw typeError(b.pos(), "++ needs str operands, got " + typeName(l) + " ++ " + typeName(r));
            default:
                return arithmetic(op, l, r, b.pos());
        }
    }

    private static Object arithmetic(String op, Object l, Object r, Pos pos) {
        if (!(l instanceof Long || l instanceof Double) || !(r instanceof Long || r instanceof Double)) {
            throw typeError(pos, "cannot apply " + op + " to " + typeName(l) + " and " + typeName(r)
                    + (op.equals("+") && l instanceof String ? " (use ++ to join strings)" : ""));
        }
        if (l instanceof Long a && r instanceof Long c) {
            try {
                switch (op) {
                    case "+": return Math.addExact(a, c);
                    case "-": return Math.subtractExact(a, c);
                    case "*": return Math.multiplyExact(a, c);
                    default:
                        if (c == 0) {
                            throw typeError(pos, "division by zero");
                        }
                        if (a == Long.MIN_VALUE && c == -1) {
                            throw new ArithmeticException();
                        }
                        return a / c;
                }
            } catch (ArithmeticException ex) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, pos, "integer overflow");
            }
        }
        double a = ((Number) l).doubleValue();
        double c = ((Number) r).doubleValue();
        switch (op) {
            case "+": return a + c;
            case "-": return a - c;
            case "*": return a * c;
            default: return a / c;
        }
    }

    /**
     * Orders two non-null values of the same type (int and float compare numerically); bytes compare as unsigned
     * bytes, false before true.
     */
    static int compare(Object l, Object r, Pos pos) {
        if (l instanceof Long a && r instanceof Long c) {
            return Long.compare(a, c);
        }
        if ((l instanceof Long || l instanceof Double) && (r instanceof Long || r instanceof Double)) {
            return Double.compare(((Number) l).doubleValue(), ((Number) r).doubleValue());
        }
        if (l instanceof String a && r instanceof String c) {
            return a.compareTo(c);
        }
        if (l instanceof Boolean a && r instanceof Boolean c) {
            return Boolean.compare(a, c);
        }
        if (l instanceof Instant a && r instanceof Instant c) {
            return a.compareTo(c);
        }
        if (l instanceof byte[] a && r instanceof byte[] c) {
            return Arrays.compareUnsigned(a, c);
        }
        throw typeError(pos, "cannot compare " + typeName(l) + " with " + typeName(r));
    }

    /** Sort order: nulls first, then {@link #compare}. */
    static int compareNullsFirst(Object l, Object r, Pos pos) {
        if (l == null || r == null) {
            return l == null ? (r == null ? 0 : -1) : 1;
        }
        return compare(l, r, pos);
    }

    private static boolean bool(Object v, Pos pos, String what) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw typeError(pos, what + " needs a bool, got " + typeName(v));
    }

    /** SQL-style LIKE: % matches any run (also empty), _ exactly one character; case-sensitive. */
    static boolean like(String s, String pattern) {
        int si = 0;
        int pi = 0;
        int starP = -1;
        int starS = 0;
        while (si < s.length()) {
            if (pi < pattern.length() && (pattern.charAt(pi) == '_' || pattern.charAt(pi) == s.charAt(si))
                    && pattern.charAt(pi) != '%') {
                si++;
                pi++;
            } else if (pi < pattern.length() && pattern.charAt(pi) == '%') {
                starP = pi++;
                starS = si;
            } else if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < pattern.length() && pattern.charAt(pi) == '%') {
            pi++;
        }
        return pi == pattern.length();
    }

    static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof byte[]) {
            return "bytes";
        }
        if (v instanceof Instant) {
            return "datetime";
        }
        return v.getClass().getSimpleName();
    }

    private static QueryException typeError(Pos pos, String msg) {
        return new QueryException(ErrorCode.INVALID_ARGUMENT, pos, msg);
    }
}
