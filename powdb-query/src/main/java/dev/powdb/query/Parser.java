package dev.powdb.query;

import dev.powdb.storage.ColumnType;
import dev.powdb.storage.ErrorCode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for PowQL. Operator precedence, loosest first: {@code or}, {@code and}, {@code not},
 * comparisons ({@code = != < <= > >= in like is}, not chained), {@code + - ++}, {@code * /}, unary {@code -}.
 */
final class Parser {
    /** Words that start a statement; a table cannot be queried under one of these names. */
    static final Set<String> STATEMENT_WORDS = Set.of("type", "drop", "alter", "insert", "begin", "commit",
            "rollback", "backup", "restore");
    static final Set<String> AGGREGATES = Set.of("count", "sum", "avg", "min", "max");
    private static final Set<String> COMPARISONS = Set.of("=", "!=", "<", "<=", ">", ">=");

    /** How deeply parentheses, {@code not} and unary minus may nest (a guard against stack overflow). */
    static final int MAX_DEPTH = 200;

    private final List<Token> tokens;
    private int p;
    private int depth;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Statement> parseScript(String script) {
        return new Parser(Lexer.tokenize(script)).script();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private Token peek() {
        return tokens.get(p);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(p + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(p);
        if (t.kind() != Token.Kind.EOF) {
            p++;
        }
        return t;
    }

    private boolean accept(String s) {
        if (peek().is(s)) {
            p++;
            return true;
        }
        return false;
    }

    private Token expect(String s) {
        if (!peek().is(s)) {
            throw expected("'" + s + "'");
        }
        return next();
    }

    private QueryException expected(String what) {
        Token t = peek();
        return new QueryException(ErrorCode.INVALID_ARGUMENT, t.pos().line(), t.pos().column(),
                "expected " + what + ", found " + t.describe(), t.kind() == Token.Kind.EOF, null);
    }

    private Token ident(String what) {
        if (peek().kind() != Token.Kind.IDENT) {
            throw expected(what);
        }
        return next();
    }

    /** {@code .name}; the returned token has the name as text and the position of the dot. */
    private Token dotColumn() {
        if (!peek().is(".")) {
            throw expected("a column (.name)");
        }
        Pos dot = next().pos();
        Token name = ident("a column name");
        return new Token(name.kind(), name.text(), null, dot);
    }

    // ---- statements ---------------------------------------------------------------------------------------------

    private List<Statement> script() {
        List<Statement> out = new ArrayList<>();
        while (true) {
            while (accept(";")) {
                // empty statement
            }
            if (peek().kind() == Token.Kind.EOF) {
                return out;
            }
            out.add(statement());
            if (peek().kind() != Token.Kind.EOF && !peek().is(";")) {
                throw expected("';' or end of input");
            }
        }
    }

    private Statement statement() {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENT) {
            throw expected("a statement");
        }
        switch (t.text()) {
            case "type":
                return createType();
            case "drop":
                next();
                return new Statement.DropType(t.pos(), ident("a type name").text());
            case "alter":
                return alter();
            case "insert":
                return insert();
            case "begin":
                next();
                return new Statement.Begin(t.pos());
            case "commit":
                next();
                return new Statement.Commit(t.pos());
            case "rollback":
                next();
                return new Statement.Rollback(t.pos());
            case "backup":
                return backup();
            case "restore":
                return restorePoint();
            default:
                break;
        }
        if (AGGREGATES.contains(t.text()) && peek(1).is("(")) {
            next();
            next();
            Statement.Query q = query();
            expect(")");
            return new Statement.Aggregate(t.pos(), t.text(), q);
        }
        Statement.Query q = query();
        Token verb = peek();
        if (verb.is("update") || verb.is("delete")) {
            if (!q.order().isEmpty() || q.limit() != null || q.offset() != null || q.projection() != null) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, verb.pos(),
                        verb.text() + " takes only a filter (no order, limit, offset or projection)");
            }
            next();
            if (verb.is("delete")) {
                return new Statement.Delete(t.pos(), q);
            }
            List<Statement.Assign> assigns = assignBlock();
            if (assigns.isEmpty()) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, verb.pos(), "update needs at least one column := value");
            }
            return new Statement.Update(t.pos(), q, assigns);
        }
        return q;
    }

    /** {@code backup to "DIR" [base "PREV"]}. */
    private Statement backup() {
        Pos pos = next().pos();
        expect("to");
        Token destination = directory("the backup directory", "to");
        if (!accept("base")) {
            if (peek().kind() != Token.Kind.EOF && !peek().is(";")) {
                throw expected("'base', ';' or end of input");
            }
            return new Statement.Backup(pos, destination.pos(), (String) destination.value(), null, null);
        }
        Token base = directory("the base backup's directory", "base");
        return new Statement.Backup(pos, destination.pos(), (String) destination.value(), base.pos(),
                (String) base.value());
    }

    /** A non-empty string naming a directory, after the word {@code after}. */
    private Token directory(String what, String after) {
        if (peek().kind() != Token.Kind.STRING) {
            throw expected("a string (" + what + ") after " + after);
        }
        Token t = next();
        if (((String) t.value()).isEmpty()) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, t.pos(), what + " is an empty string");
        }
        return t;
    }

    /** {@code restore point "NAME"}; restoring a backup is the {@code powdb restore} command, not a statement. */
    private Statement restorePoint() {
        Pos pos = next().pos();
        if (!peek().is("point")) {
            Token t = peek();
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, t.pos().line(), t.pos().column(),
                    "expected 'point', found " + t.describe() + " (PowQL only creates restore points; a backup is"
                            + " restored with the command powdb restore)", t.kind() == Token.Kind.EOF, null);
        }
        next();
        if (peek().kind() != Token.Kind.STRING) {
            throw expected("a string (the restore point's name) after point");
        }
        return new Statement.RestorePoint(pos, (String) next().value());
    }

    private Statement createType() {
        Pos pos = next().pos();
        String name = ident("a type name").text();
        expect("{");
        List<Statement.Field> fields = new ArrayList<>();
        do {
            if (peek().is("}")) {
                break;
            }
            fields.add(field());
        } while (accept(","));
        expect("}");
        if (fields.isEmpty()) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, pos, "type " + name + " needs at least one field");
        }
        return new Statement.CreateType(pos, name, fields);
    }

    private Statement.Field field() {
        Pos pos = peek().pos();
        boolean required = false;
        boolean unique = false;
        while (true) {
            if (peek().is("required") && !peek(1).is(":")) {
                next();
                required = true;
            } else if (peek().is("unique") && !peek(1).is(":")) {
                next();
                unique = true;
            } else {
                break;
            }
        }
        String name = ident("a field name").text();
        expect(":");
        Token typeTok = peek();
        ColumnType type = typeTok.kind() == Token.Kind.IDENT ? ColumnType.fromKeyword(typeTok.text()) : null;
        if (type == null) {
            throw expected("a type (str, int, float, bool, bytes, datetime)");
        }
        next();
        Expr.Literal def = null;
        if (accept("default")) {
            Expr e = unary();
            if (!(e instanceof Expr.Literal l)) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, e.pos(), "a default must be a literal");
            }
            def = l;
        }
        return new Statement.Field(pos, name, type, required, unique, def);
    }

    private Statement alter() {
        Pos pos = next().pos();
        String table = ident("a type name").text();
        if (accept("add")) {
            if (accept("column")) {
                return new Statement.AddColumn(pos, table, field());
            }
            if (peek().is("index") || peek().is("unique")) {
                boolean unique = next().is("unique");
                Token c = dotColumn();
                return new Statement.AddIndex(pos, table, c.pos(), c.text(), unique);
            }
            throw expected("'column', 'index' or 'unique'");
        }
        if (accept("drop")) {
            if (accept("column")) {
                Token c = peek().is(".") ? dotColumn() : ident("a column name");
                return new Statement.DropColumn(pos, table, c.pos(), c.text());
            }
            if (accept("index")) {
                Token c = dotColumn();
                return new Statement.DropIndex(pos, table, c.pos(), c.text());
            }
            throw expected("'column' or 'index'");
        }
        throw expected("'add' or 'drop'");
    }

    private Statement insert() {
        Pos pos = next().pos();
        String table = ident("a type name").text();
        List<List<Statement.Assign>> rows = new ArrayList<>();
        do {
            rows.add(assignBlock());
        } while (accept(","));
        return new Statement.Insert(pos, table, rows);
    }

    private List<Statement.Assign> assignBlock() {
        expect("{");
        List<Statement.Assign> out = new ArrayList<>();
        do {
            if (peek().is("}")) {
                break;
            }
            Token c = ident("a field name");
            expect(":=");
            out.add(new Statement.Assign(c.pos(), c.text(), expr()));
        } while (accept(","));
        expect("}");
        return out;
    }

    private Statement.Query query() {
        Token t = peek();
        if (t.kind() != Token.Kind.IDENT) {
            throw expected("a type name");
        }
        next();
        Expr filter = accept("filter") ? expr() : null;
        List<Statement.OrderKey> order = new ArrayList<>();
        if (accept("order")) {
            do {
                Expr e = expr();
                boolean desc = false;
                if (accept("desc")) {
                    desc = true;
                } else {
                    accept("asc");
                }
                order.add(new Statement.OrderKey(e, desc));
            } while (accept(","));
        }
        Long limit = accept("limit") ? count("limit") : null;
        Long offset = accept("offset") ? count("offset") : null;
        List<Statement.ProjItem> projection = null;
        if (accept("{")) {
            projection = new ArrayList<>();
            do {
                if (peek().kind() == Token.Kind.IDENT && peek(1).is(":=")) {
                    String alias = next().text();
                    next();
                    projection.add(new Statement.ProjItem(alias, expr()));
                } else {
                    projection.add(new Statement.ProjItem(null, expr()));
                }
            } while (accept(","));
            expect("}");
        }
        return new Statement.Query(t.pos(), t.text(), filter, order, limit, offset, projection);
    }

    private long count(String what) {
        if (peek().kind() != Token.Kind.INT) {
            throw expected("a non-negative integer after " + what);
        }
        Token t = next();
        if (t.text().equals(Lexer.MIN_LONG_MAGNITUDE)) {
            throw Lexer.outOfRange(t.text(), t.pos());
        }
        return (Long) t.value();
    }

    /** Enters one level of nesting at {@code pos}; pair with {@code depth--}. */
    private void nest(Pos pos) {
        if (++depth > MAX_DEPTH) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, pos, "expression nested too deeply (more than "
                    + MAX_DEPTH + " levels)");
        }
    }

    // ---- expressions ------------------------------------------------------------------------------------------

    Expr expr() {
        Expr left = and();
        while (peek().is("or")) {
            Pos pos = next().pos();
            left = new Expr.Binary(pos, "or", left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (peek().is("and")) {
            Pos pos = next().pos();
            left = new Expr.Binary(pos, "and", left, not());
        }
        return left;
    }

    private Expr not() {
        if (peek().is("not")) {
            Pos pos = next().pos();
            nest(pos);
            try {
                return new Expr.Unary(pos, "not", not());
            } finally {
                depth--;
            }
        }
        return comparison();
    }

    private Expr comparison() {
        Expr left = additive();
        Token t = peek();
        if (t.kind() == Token.Kind.SYMBOL && COMPARISONS.contains(t.text())) {
            next();
            return new Expr.Binary(t.pos(), t.text(), left, additive());
        }
        if (t.is("in")) {
            next();
            expect("[");
            List<Expr> items = new ArrayList<>();
            do {
                if (peek().is("]")) {
                    break;
                }
                items.add(additive());
            } while (accept(","));
            expect("]");
            return new Expr.In(t.pos(), left, items);
        }
        if (t.is("like")) {
            next();
            return new Expr.Like(t.pos(), left, additive());
        }
        if (t.is("is")) {
            next();
            boolean negated = accept("not");
            expect("null");
            return new Expr.IsNull(t.pos(), left, negated);
        }
        return left;
    }

    private Expr additive() {
        Expr left = multiplicative();
        while (peek().is("+") || peek().is("-") || peek().is("++")) {
            Token op = next();
            left = new Expr.Binary(op.pos(), op.text(), left, multiplicative());
        }
        return left;
    }

    private Expr multiplicative() {
        Expr left = unary();
        while (peek().is("*") || peek().is("/")) {
            Token op = next();
            left = new Expr.Binary(op.pos(), op.text(), left, unary());
        }
        return left;
    }

    private Expr unary() {
        if (peek().is("-")) {
            Pos pos = next().pos();
            Token t = peek();
            // Fold a negative number literal, so that defaults like -1 are literals.
            if (t.kind() == Token.Kind.INT || t.kind() == Token.Kind.FLOAT || t.is("Infinity")) {
                next();
                if (t.is("Infinity")) {
                    return new Expr.Literal(pos, Double.NEGATIVE_INFINITY);
                }
                Object v = t.value() instanceof Long l ? (Object) (-l) : (Object) (-(Double) t.value());
                return new Expr.Literal(pos, v);
            }
            nest(pos);
            try {
                return new Expr.Unary(pos, "neg", unary());
            } finally {
                depth--;
            }
        }
        return primary();
    }

    private Expr primary() {
        Token t = peek();
        switch (t.kind()) {
            case INT:
                if (t.text().equals(Lexer.MIN_LONG_MAGNITUDE)) {
                    throw Lexer.outOfRange(t.text(), t.pos());
                }
                next();
                return new Expr.Literal(t.pos(), t.value());
            case FLOAT:
            case STRING:
            case BYTES:
                next();
                return new Expr.Literal(t.pos(), t.value());
            case SYMBOL:
                if (t.is(".")) {
                    Token c = dotColumn();
                    return new Expr.Column(t.pos(), c.text());
                }
                if (t.is("(")) {
                    next();
                    nest(t.pos());
                    try {
                        Expr e = expr();
                        expect(")");
                        return e;
                    } finally {
                        depth--;
                    }
                }
                break;
            case IDENT:
                switch (t.text()) {
                    case "true":
                        next();
                        return new Expr.Literal(t.pos(), Boolean.TRUE);
                    case "false":
                        next();
                        return new Expr.Literal(t.pos(), Boolean.FALSE);
                    case "null":
                        next();
                        return new Expr.Literal(t.pos(), null);
                    case "NaN":
                        next();
                        return new Expr.Literal(t.pos(), Double.NaN);
                    case "Infinity":
                        next();
                        return new Expr.Literal(t.pos(), Double.POSITIVE_INFINITY);
                    case "datetime":
                        return datetime();
                    default:
                        break;
                }
                break;
            default:
                break;
        }
        throw expected("an expression");
    }

    private Expr datetime() {
        Pos pos = next().pos();
        Token s = peek();
        if (s.kind() != Token.Kind.STRING) {
            throw expected("a string after datetime");
        }
        next();
        try {
            return new Expr.Literal(pos, Instant.parse((String) s.value()));
        } catch (DateTimeParseException e) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, s.pos(), "invalid datetime "
                    + Printer.quote((String) s.value()) + " (use ISO-8601 UTC, e.g. \"2026-01-02T03:04:05Z\")");
        }
    }
}
