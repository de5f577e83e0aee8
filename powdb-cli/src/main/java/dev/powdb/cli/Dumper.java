package dev.powdb.cli;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableOperations;
import dev.powdb.storage.TableSchema;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes a PowQL script that recreates a database: for each table (by name) its {@code type} declaration, then
 * for each table its rows as {@code insert} statements sorted by their text, then the non-unique indexes as
 * {@code alter T add index .c} (built once over the loaded rows). Each statement is one line ending with
 * {@code ;}. Equal contents give byte-identical scripts, whatever order the rows were inserted in.
 *
 * <p>Literals: strings in double quotes with {@code \"}, {@code \\}, {@code \n}, {@code \t}, {@code \r} escaped;
 * {@code true}/{@code false}; ints in decimal; floats as the shortest decimal that reads back as the same double,
 * always with a point and never with an exponent; bytes as {@code b"<hex>"}; datetimes as
 * {@code datetime "<ISO-8601>"}. Null values are left out of inserts. A unique index is written as the column's
 * {@code unique} modifier.
 */
final class Dumper {
    private Dumper() {
    }

    /** Writes the script for every table of {@code db} to {@code out}. */
    static void dump(TableOperations db, PrintStream out) {
        List<TableSchema> tables = new ArrayList<>(db.tables());
        tables.sort((a, b) -> a.name().compareTo(b.name()));
        for (TableSchema t : tables) {
            out.println(typeDeclaration(t));
        }
        for (TableSchema t : tables) {
            List<String> inserts = new ArrayList<>();
            db.scan(t.name(), null, row -> inserts.add(insert(t, row)));
            inserts.sort(null);
            inserts.forEach(out::println);
        }
        for (TableSchema t : tables) {
            for (IndexDef i : t.indexes()) {
                if (!i.unique()) {
                    out.println("alter " + t.name() + " add index ." + i.column() + ";");
                }
            }
        }
        out.flush();
    }

    /** {@code type T { required a: str, unique b: int, c: str default "x" };} */
    static String typeDeclaration(TableSchema t) {
        StringBuilder b = new StringBuilder("type ").append(t.name()).append(" { ");
        for (int i = 0; i < t.columns().size(); i++) {
            ColumnDef c = t.columns().get(i);
            IndexDef index = t.index(c.name());
            b.append(i > 0 ? ", " : "")
                    .append(c.required() ? "required " : "")
                    .append(index != null && index.unique() ? "unique " : "")
                    .append(c.name()).append(": ").append(c.type().keyword());
            if (c.defaultValue() != null) {
                b.append(" default ").append(literal(c.defaultValue()));
            }
        }
        return b.append(" };").toString();
    }

    /**
     * {@code insert T { a := 1, b := "x" };}. Null columns are left out, except where the column has a default:
     * there an explicit {@code := null} keeps the default from replacing the null when the dump is loaded.
     */
    static String insert(TableSchema t, Row row) {
        StringBuilder b = new StringBuilder("insert ").append(t.name()).append(" { ");
        boolean first = true;
        for (int i = 0; i < t.columns().size(); i++) {
            Object v = row.get(i);
            boolean hasDefault = t.columns().get(i).defaultValue() != null;
            if (v != null || hasDefault) {
                b.append(first ? "" : ", ").append(t.columns().get(i).name()).append(" := ")
                        .append(v == null ? "null" : literal(v));
                first = false;
            }
        }
        return b.append(first ? "};" : " };").toString();
    }

    /** The PowQL literal of a column value. */
    static String literal(Object v) {
        if (v instanceof String) {
            return quote((String) v);
        }
        if (v instanceof Double) {
            return floatLiteral((Double) v);
        }
        if (v instanceof byte[]) {
            return "b\"" + HexFormat.of().formatHex((byte[]) v) + "\"";
        }
        if (v instanceof Instant) {
            return "datetime \"" + v + "\"";
        }
        if (v instanceof Long || v instanceof Boolean) {
            return v.toString();
        }
        throw new IllegalArgumentException("no PowQL literal for a " + v.getClass().getSimpleName());
    }

    /** A string literal in double quotes, escaped as the PowQL lexer reads it back. */
    static String quote(String s) {
        return dev.powdb.query.Printer.quote(s);
    }

    /**
     * The shortest decimal that parses back to {@code d} ({@link Double#toString}), written without exponent and
     * with a point. NaN and the infinities have no literal and are written {@code NaN}, {@code Infinity},
     * {@code -Infinity}.
     */
    static String floatLiteral(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        String s = new BigDecimal(Double.toString(d)).toPlainString();
        if (d == 0 && 1 / d < 0) {
            s = "-0";
        }
        return s.contains(".") ? s : s + ".0";
    }
}
