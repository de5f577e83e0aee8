package dev.powdb.query;

import java.time.Instant;
import java.util.List;

/**
 * Prints statements and expressions in a canonical, fully parenthesised S-expression form, e.g.
 * {@code (query User (filter (> .age 30)) (limit 10))}. Positions are left out, so two scripts that differ only
 * in spacing print the same.
 */
public final class Printer {
    private Printer() {
    }

    /** The canonical form of {@code s}. */
    public static String print(Statement s) {
        StringBuilder b = new StringBuilder();
        statement(s, b);
        return b.toString();
    }

    /** The canonical form of {@code e}. */
    public static String print(Expr e) {
        StringBuilder b = new StringBuilder();
        expr(e, b);
        return b.toString();
    }

    private static void statement(Statement s, StringBuilder b) {
        if (s instanceof Statement.CreateType t) {
            b.append("(type ").append(t.name());
            for (Statement.Field f : t.fields()) {
                b.append(' ');
                field(f, b);
            }
            b.append(')');
        } else if (s instanceof Statement.DropType d) {
            b.append("(drop ").append(d.name()).append(')');
        } else if (s instanceof Statement.AddColumn a) {
            b.append("(alter ").append(a.table()).append(" (add-column ");
            field(a.field(), b);
            b.append("))");
        } else if (s instanceof Statement.DropColumn d) {
            b.append("(alter ").append(d.table()).append(" (drop-column ").append(d.column()).append("))");
        } else if (s instanceof Statement.AddIndex a) {
            b.append("(alter ").append(a.table()).append(a.unique() ? " (add-unique ." : " (add-index .")
                    .append(a.column()).append("))");
        } else if (s instanceof Statement.DropIndex d) {
            b.append("(alter ").append(d.table()).append(" (drop-index .").append(d.column()).append("))");
        } else if (s instanceof Statement.Insert ins) {
            b.append("(insert ").append(ins.table());
            for (List<Statement.Assign> row : ins.rows()) {
                b.append(" (row");
                assigns(row, b);
                b.append(')');
            }
            b.append(')');
        } else if (s instanceof Statement.Query q) {
            query(q, b);
        } else if (s instanceof Statement.Aggregate a) {
            b.append('(').append(a.function()).append(' ');
            query(a.query(), b);
            b.append(')');
        } else if (s instanceof Statement.Update u) {
            b.append("(update ");
            query(u.query(), b);
            assigns(u.assigns(), b);
            b.append(')');
        } else if (s instanceof Statement.Delete d) {
            b.append("(delete ");
            query(d.query(), b);
            b.append(')');
        } else if (s instanceof Statement.Begin) {
            b.append("(begin)");
        } else if (s instanceof Statement.Commit) {
            b.append("(commit)");
        } else if (s instanceof Statement.Rollback) {
            b.append("(rollback)");
        } else if (s instanceof Statement.Backup bk) {
            b.append("(backup ").append(quote(bk.destination()));
            if (bk.base() != null) {
                b.append(" (base ").append(quote(bk.base())).append(')');
            }
            b.append(')');
        } else if (s instanceof Statement.RestorePoint r) {
            b.append("(restore-point ").append(quote(r.name())).append(')');
        } else {
            throw new IllegalArgumentException("unknown statement " + s);
        }
    }

    private static void field(Statement.Field f, StringBuilder b) {
        b.append("(field ").append(f.name()).append(' ').append(f.type().keyword());
        if (f.required()) {
            b.append(" required");
        }
        if (f.unique()) {
            b.append(" unique");
        }
        if (f.defaultValue() != null) {
            b.append(" (default ");
            expr(f.defaultValue(), b);
            b.append(')');
        }
        b.append(')');
    }

    private static void assigns(List<Statement.Assign> list, StringBuilder b) {
        for (Statement.Assign a : list) {
            b.append(" (:= ").append(a.column()).append(' ');
            expr(a.value(), b);
            b.append(')');
        }
    }

    private static void query(Statement.Query q, StringBuilder b) {
        b.append("(query ").append(q.table());
        if (q.filter() != null) {
            b.append(" (filter ");
            expr(q.filter(), b);
            b.append(')');
        }
        if (!q.order().isEmpty()) {
            b.append(" (order");
            for (Statement.OrderKey k : q.order()) {
                b.append(k.descending() ? " (desc " : " (asc ");
                expr(k.expr(), b);
                b.append(')');
            }
            b.append(')');
        }
        if (q.limit() != null) {
            b.append(" (limit ").append(q.limit()).append(')');
        }
        if (q.offset() != null) {
            b.append(" (offset ").append(q.offset()).append(')');
        }
        if (q.projection() != null) {
            b.append(" (project");
            for (Statement.ProjItem p : q.projection()) {
                b.append(' ');
                if (p.alias() != null) {
                    b.append("(as ").append(p.alias()).append(' ');
                    expr(p.expr(), b);
                    b.append(')');
                } else {
                    expr(p.expr(), b);
                }
            }
            b.append(')');
        }
        b.append(')');
    }

    private static void expr(Expr e, StringBuilder b) {
        if (e instanceof Expr.Literal l) {
            b.append(literal(l.value()));
        } else if (e instanceof Expr.Column c) {
            b.append('.').append(c.name());
        } else if (e instanceof Expr.Unary u) {
            b.append('(').append(u.op()).append(' ');
            expr(u.operand(), b);
            b.append(')');
        } else if (e instanceof Expr.Binary bin) {
            b.append('(').append(bin.op()).append(' ');
            expr(bin.left(), b);
            b.append(' ');
            expr(bin.right(), b);
            b.append(')');
        } else if (e instanceof Expr.In in) {
            b.append("(in ");
            expr(in.operand(), b);
            b.append(" [");
            for (int i = 0; i < in.items().size(); i++) {
                if (i > 0) {
                    b.append(' ');
                }
                expr(in.items().get(i), b);
            }
            b.append("])");
        } else if (e instanceof Expr.Like l) {
            b.append("(like ");
            expr(l.operand(), b);
            b.append(' ');
            expr(l.pattern(), b);
            b.append(')');
        } else if (e instanceof Expr.IsNull n) {
            b.append(n.negated() ? "(is-not-null " : "(is-null ");
            expr(n.operand(), b);
            b.append(')');
        } else {
            throw new IllegalArgumentException("unknown expression " + e);
        }
    }

    /** A value written as a PowQL literal. */
    public static String literal(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return quote(s);
        }
        if (v instanceof byte[] bytes) {
            StringBuilder b = new StringBuilder("b\"");
            for (byte x : bytes) {
                b.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
            }
            return b.append('"').toString();
        }
        if (v instanceof Instant t) {
            return "datetime \"" + t + "\"";
        }
        return String.valueOf(v);
    }

    /** {@code s} as a double-quoted PowQL string with escapes. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\t': b.append("\\t"); break;
                case '\r': b.append("\\r"); break;
                case '\0': b.append("\\0"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
