package dev.powdb.cli;

import dev.powdb.query.PowQL;
import dev.powdb.query.ResultSink;
import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableSchema;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dump round trips on randomized databases: build a database through the storage API, dump it, run the dump
 * through PowQL into an empty database, dump again. The two scripts must be identical, and the two databases must
 * hold the same rows (compared value by value, independently of the dump's literal syntax).
 *
 * <p>Rerun one seed: {@code mvn -B -pl powdb-cli test -Dtest=DumpRoundTripTest -Dpowdb.seed=7}; add
 * {@code -Dpowdb.printDump=true} to print the dump (in target/surefire-reports/*-output.txt).
 *
 * <p>Nulls are also stored in columns that have a default: the dump must write them as {@code := null}, or loading
 * would give the default instead (and a unique column with a default could then reject the load).
 */
class DumpRoundTripTest {
    @TempDir
    Path tmp;

    static LongStream seeds() {
        String one = System.getProperty("powdb.seed");
        return one != null ? LongStream.of(Long.parseLong(one)) : LongStream.range(1, 21);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void dumpLoadDumpIsIdentical(long seed) {
        try {
            roundTrip(seed);
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + " (rerun with -Dpowdb.seed=" + seed + "): " + t.getMessage(),
                    t);
        }
    }

    private void roundTrip(long seed) {
        Random rnd = new Random(seed);
        String first;
        Map<String, List<String>> rowsBefore = new HashMap<>();
        try (Database db = Database.open(tmp.resolve("a" + seed))) {
            new RandomDatabase(rnd).fill(db);
            first = dump(db);
            if (Boolean.getBoolean("powdb.printDump")) {
                System.out.println(first);
            }
            for (TableSchema t : db.tables()) {
                rowsBefore.put(t.name(), canonicalRows(db, t.name()));
            }
        }
        String second;
        try (Database db2 = Database.open(tmp.resolve("b" + seed)); PowQL q = new PowQL(db2)) {
            q.run(first, new IgnoreResults());
            second = dump(db2);
            assertEquals(rowsBefore.keySet(), names(db2), "tables");
            for (TableSchema t : db2.tables()) {
                List<String> after = canonicalRows(db2, t.name());
                assertEquals(rowsBefore.get(t.name()).size(), after.size(), "row count of " + t.name());
                assertEquals(rowsBefore.get(t.name()), after, "rows of " + t.name());
            }
        }
        assertEquals(first, second, "second dump differs from the first");
        assertTrue(first.startsWith("type "), first);
    }

    private static Set<String> names(Database db) {
        Set<String> out = new HashSet<>();
        db.tables().forEach(t -> out.add(t.name()));
        return out;
    }

    private static String dump(Database db) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Dumper.dump(db, out);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Every row as a string that tells apart all values (doubles by their bits), sorted. */
    private static List<String> canonicalRows(Database db, String table) {
        List<String> out = new ArrayList<>();
        db.scan(table, null, row -> out.add(canonical(row)));
        out.sort(null);
        return out;
    }

    private static String canonical(Row row) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            Object v = row.get(i);
            String s;
            if (v == null) {
                s = "null";
            } else if (v instanceof byte[]) {
                s = "bytes:" + HexFormat.of().formatHex((byte[]) v);
            } else if (v instanceof Double) {
                s = "double:" + Long.toHexString(Double.doubleToRawLongBits((Double) v)) + "(" + v + ")";
            } else if (v instanceof String) {
                s = "str:" + ((String) v).length() + ":" + v;
            } else {
                s = v.getClass().getSimpleName() + ":" + v;
            }
            b.append(i > 0 ? " | " : "").append(s);
        }
        return b.toString();
    }

    /** Builds 1-3 tables with random columns, indexes and rows through the storage API. */
    private static final class RandomDatabase {
        private static final String[] TABLE_NAMES = {"User", "Post", "t_1", "_x", "Order", "type", "insert",
            "count", "filter", "A23456789012345678901234567890123456789012345678901234567890123"};
        private static final String[] COLUMN_NAMES = {"name", "age", "email", "score", "photo", "joined", "ok",
            "required", "unique", "default", "true", "null", "datetime", "index", "_", "c9", "order", "limit"};
        private static final String[] STRING_PIECES = {"", "a", "\"", "\\", "\\\"", "\n", "\r\n", "\t", "\0",
            "é", "日本", "\uD83D\uDE00", "#", ";", "}", "{", " ", "  ", "\\u0041", "b\"00\"", "datetime", "'",
            "\u0001", "\u007f", "\u2028", "\uFEFF"};
        private static final ColumnType[] TYPES = ColumnType.values();

        private final Random rnd;

        RandomDatabase(Random rnd) {
            this.rnd = rnd;
        }

        void fill(Database db) {
            List<String> tableNames = pick(TABLE_NAMES, 1 + rnd.nextInt(3));
            for (String name : tableNames) {
                TableSchema schema = schema(name);
                db.createTable(schema);
                // Non-unique indexes are sometimes created after the rows (as the dump does), sometimes before.
                boolean indexFirst = rnd.nextBoolean();
                List<IndexDef> later = new ArrayList<>();
                for (ColumnDef c : schema.columns()) {
                    if (schema.index(c.name()) == null && rnd.nextInt(4) == 0) {
                        if (indexFirst) {
                            db.createIndex(name, c.name(), false);
                        } else {
                            later.add(new IndexDef(c.name(), false));
                        }
                    }
                }
                int rows = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(60);
                Map<String, Set<Object>> usedKeys = new HashMap<>();
                for (int r = 0; r < rows; r++) {
                    db.insert(name, row(schema, usedKeys));
                }
                for (IndexDef i : later) {
                    db.createIndex(name, i.column(), false);
                }
                if (rows > 0 && rnd.nextInt(3) == 0) {
                    // Some deletes, so that row ids have gaps.
                    int[] n = {0};
                    db.delete(name, row -> n[0]++ % 3 == 0);
                }
            }
        }

        private TableSchema schema(String name) {
            List<String> columnNames = pick(COLUMN_NAMES, 1 + rnd.nextInt(7));
            List<ColumnDef> columns = new ArrayList<>();
            List<IndexDef> indexes = new ArrayList<>();
            for (String c : columnNames) {
                ColumnType type = TYPES[rnd.nextInt(TYPES.length)];
                boolean required = rnd.nextInt(4) == 0;
                Object def = rnd.nextInt(3) == 0 ? value(type) : null;
                columns.add(new ColumnDef(c, type, required, def));
                if (type != ColumnType.BOOL && rnd.nextInt(5) == 0) {
                    indexes.add(new IndexDef(c, true));
                }
            }
            return new TableSchema(name, columns, indexes);
        }

        private Map<String, Object> row(TableSchema schema, Map<String, Set<Object>> usedKeys) {
            Map<String, Object> values = new HashMap<>();
            for (ColumnDef c : schema.columns()) {
                IndexDef index = schema.index(c.name());
                boolean unique = index != null && index.unique();
                int roll = rnd.nextInt(10);
                if (roll == 0 && !c.required()) {
                    values.put(c.name(), null);
                } else if (roll == 1 && c.defaultValue() != null && !unique) {
                    continue; // left out: the default applies
                } else if (roll == 2 && !c.required() && c.defaultValue() == null) {
                    continue; // left out, no default: null
                } else {
                    Object v = value(c.type());
                    if (unique) {
                        Set<Object> used = usedKeys.computeIfAbsent(c.name(), k -> new HashSet<>());
                        for (int attempt = 0; !used.add(key(v)); attempt++) {
                            v = attempt < 20 ? value(c.type()) : null;
                            if (v == null) {
                                break;
                            }
                        }
                        if (v == null && c.required()) {
                            throw new IllegalStateException("test generator: no fresh unique value");
                        }
                    }
                    values.put(c.name(), v);
                }
            }
            return values;
        }

        private static Object key(Object v) {
            return v instanceof byte[] ? HexFormat.of().formatHex((byte[]) v) : v;
        }

        private Object value(ColumnType type) {
            switch (type) {
                case INT:
                    switch (rnd.nextInt(6)) {
                        case 0:
                            return new long[] {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}[rnd.nextInt(6)];
                        case 1:
                            return rnd.nextLong();
                        default:
                            return (long) (rnd.nextInt(2001) - 1000);
                    }
                case FLOAT:
                    switch (rnd.nextInt(8)) {
                        case 0:
                            return new double[] {0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, -Double.MIN_VALUE,
                                Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL, 0.1, 1e-300, -1e300,
                                123456789.125, 1e21, 1e22, 9007199254740993.0, Double.NaN, Double.POSITIVE_INFINITY,
                                Double.NEGATIVE_INFINITY}[rnd.nextInt(19)];
                        case 1:
                            return randomFiniteBits();
                        case 2:
                            return rnd.nextGaussian() * Math.pow(10, rnd.nextInt(600) - 300);
                        default:
                            return (rnd.nextInt(20001) - 10000) / 100.0;
                    }
                case STR:
                    StringBuilder b = new StringBuilder();
                    int pieces = rnd.nextInt(6);
                    for (int i = 0; i < pieces; i++) {
                        b.append(rnd.nextBoolean() ? STRING_PIECES[rnd.nextInt(STRING_PIECES.length)]
                                : Integer.toString(rnd.nextInt(1000), 36));
                    }
                    return b.toString();
                case BOOL:
                    return rnd.nextBoolean();
                case BYTES:
                    byte[] bytes = new byte[rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(40)];
                    rnd.nextBytes(bytes);
                    return bytes;
                case DATETIME:
                    switch (rnd.nextInt(5)) {
                        case 0:
                            return new Instant[] {Instant.EPOCH, Instant.ofEpochSecond(-1, 999_999_000),
                                Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999Z"),
                                Instant.parse("-0100-03-01T00:00:00Z"), Instant.parse("+12345-01-01T00:00:00Z"),
                                Instant.parse("2026-01-02T03:04:05.100Z")}[rnd.nextInt(7)];
                        default:
                            long micros = (long) (rnd.nextDouble() * 8_000_000_000_000_000L) - 4_000_000_000_000_000L;
                            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                                    Math.floorMod(micros, 1_000_000L) * 1000L);
                    }
                default:
                    throw new IllegalStateException(type.toString());
            }
        }

        /** A random finite double from random bits (NaN only as {@link Double#NaN}: other NaN bits are lost). */
        private double randomFiniteBits() {
            while (true) {
                double d = Double.longBitsToDouble(rnd.nextLong());
                if (Double.isFinite(d)) {
                    return d;
                }
            }
        }

        private List<String> pick(String[] from, int n) {
            List<String> all = new ArrayList<>(List.of(from));
            java.util.Collections.shuffle(all, rnd);
            return new ArrayList<>(all.subList(0, Math.min(n, all.size())));
        }
    }

    /** Results of the loaded script are not looked at: the database is. */
    private static final class IgnoreResults implements ResultSink {
        @Override
        public void rows(List<String> columns, List<List<Object>> rows) {
        }

        @Override
        public void scalar(Object value) {
        }

        @Override
        public void message(String text) {
        }
    }
}
