package dev.powdb.query;

import java.util.List;

/** A PowQL expression. Every node records where it starts in the script, for error messages. */
public sealed interface Expr {
    /** Where the expression starts. */
    Pos pos();

    /** A constant: Long, Double, String, Boolean, byte[], Instant or null. */
    record Literal(Pos pos, Object value) implements Expr {
    }

    /** A column of the current row, written {@code .name}. */
    record Column(Pos pos, String name) implements Expr {
    }

    /** {@code not e} or {@code -e}; op is "not" or "neg". */
    record Unary(Pos pos, String op, Expr operand) implements Expr {
    }

    /** Binary operator: and or = != < <= > >= + - * / ++. */
    record Binary(Pos pos, String op, Expr left, Expr right) implements Expr {
    }

    /** {@code e in [a, b, ...]}. */
    record In(Pos pos, Expr operand, List<Expr> items) implements Expr {
    }

    /** {@code e like pattern}: % matches any run of characters, _ exactly one. */
    record Like(Pos pos, Expr operand, Expr pattern) implements Expr {
    }

    /** {@code e is null} or, with negated, {@code e is not null}. */
    record IsNull(Pos pos, Expr operand, boolean negated) implements Expr {
    }
}
