package dev.powdb.cli;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb dump}: PowQL syntax of schema and values, and a deterministic order. */
class DumpTest {
    @TempDir
    Path tmp;

    private static final TableSchema USER = new TableSchema("User", List.of(
            ColumnDef.required("name", ColumnType.STR),
            ColumnDef.optional("email", ColumnType.STR),
            ColumnDef.optional("age", ColumnType.INT),
            new ColumnDef("status", ColumnType.STR, false, "new"),
            ColumnDef.optional("score", ColumnType.FLOAT),
            ColumnDef.optional("admin", ColumnType.BOOL),
            ColumnDef.optional("photo", ColumnType.BYTES),
            ColumnDef.optional("joined", ColumnType.DATETIME)),
            List.of(new IndexDef("email", true), new IndexDef("age", false)));
    private static final TableSchema ACCOUNT = new TableSchema("Account",
            List.of(new ColumnDef("id", ColumnType.INT, true, 0L)), List.of());

    private static List<Map<String, Object>> users() {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> ada = new HashMap<>();
        ada.put("name", "Ada \"the\" \\first\\\nline\ttab");
        ada.put("email", "ada@example.com");
        ada.put("age", 36L);
        ada.put("score", 1e10);
        ada.put("admin", true);
        ada.put("photo", new byte[] {0x00, 0x7f, (byte) 0xff});
        ada.put("joined", Instant.parse("1843-07-01T12:00:00.000001Z"));
        rows.add(ada);
        rows.add(Map.of("name", "Bob", "age", 36L, "status", "old", "score", -0.1, "admin", false));
        for (int i = 0; i < 50; i++) {
            rows.add(Map.of("name", "user" + i, "age", (long) (i % 7), "email", "u" + i + "@x"));
        }
        return rows;
    }

    private void load(Path dir, long seed) {
        List<Map<String, Object>> rows = users();
        Collections.shuffle(rows, new Random(seed));
        try (Database db = Database.open(dir)) {
            if (seed % 2 == 0) {
                db.createTable(USER);
                db.createTable(ACCOUNT);
            } else {
                db.createTable(ACCOUNT);
                db.createTable(USER);
            }
            rows.forEach(r -> db.insert("User", r));
            for (long id = 3; id > 0; id--) {
                db.insert("Account", Map.of("id", seed % 2 == 0 ? id : 4 - id));
            }
        }
    }

    private String dump(Path dir) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (Database db = Database.open(dir)) {
            Dumper.dump(db, new PrintStream(b, true, StandardCharsets.UTF_8));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sameContentInAnyInsertOrderDumpsIdentically() {
        load(tmp.resolve("a"), 1);
        load(tmp.resolve("b"), 2);
        String a = dump(tmp.resolve("a"));
        assertEquals(a, dump(tmp.resolve("b")));
        assertEquals(a, dump(tmp.resolve("a")), "dumping twice gives the same text");
    }

    @Test
    void differentContentDumpsDifferently() {
        load(tmp.resolve("a"), 1);
        load(tmp.resolve("b"), 2);
        try (Database db = Database.open(tmp.resolve("b"))) {
            db.updateBy("User", "email", "u7@x", Map.of("age", 99L));
        }
        assertNotEquals(dump(tmp.resolve("a")), dump(tmp.resolve("b")));
    }

    @Test
    void scriptUsesPowqlSyntax() {
        load(tmp.resolve("a"), 1);
        List<String> lines = dump(tmp.resolve("a")).lines().toList();
        assertEquals("type Account { required id: int default 0 };", lines.get(0));
        assertEquals("type User { required name: str, unique email: str, age: int, status: str default \"new\","
                + " score: float, admin: bool, photo: bytes, joined: datetime };", lines.get(1));
        assertEquals("insert Account { id := 1 };", lines.get(2));
        assertEquals("insert Account { id := 2 };", lines.get(3));
        assertEquals("insert Account { id := 3 };", lines.get(4));
        assertEquals("insert User { name := \"Ada \\\"the\\\" \\\\first\\\\\\nline\\ttab\", email := \"ada@example.com\","
                + " age := 36, status := \"new\", score := 10000000000.0, admin := true, photo := b\"007fff\","
                + " joined := datetime \"1843-07-01T12:00:00.000001Z\" };", lines.get(5));
        assertEquals("insert User { name := \"Bob\", age := 36, status := \"old\", score := -0.1, admin := false };",
                lines.get(6));
        assertEquals("alter User add index .age;", lines.get(lines.size() - 1));
        assertEquals(2 + 3 + 52 + 1, lines.size());
        List<String> inserts = lines.subList(5, lines.size() - 1);
        List<String> sorted = new ArrayList<>(inserts);
        Collections.sort(sorted);
        assertEquals(sorted, inserts, "rows are sorted by the text of their insert");
    }

    @Test
    void floatLiteralsRoundTripWithoutExponent() {
        for (double d : new double[] {0.1, -0.0, 1e-300, 1.7976931348623157e308, 123456789.125, 3, -2.5e-7}) {
            String s = Dumper.floatLiteral(d);
            assertFalse(s.contains("E"), s);
            assertTrue(s.contains("."), s);
            assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits(Double.parseDouble(s)), s);
        }
        assertEquals("3.0", Dumper.floatLiteral(3));
        assertEquals("-0.0", Dumper.floatLiteral(-0.0));
    }

    @Test
    void rowOfNullsOmitsEveryColumn() {
        TableSchema t = new TableSchema("T", List.of(ColumnDef.optional("a", ColumnType.INT)));
        assertEquals("insert T { };", Dumper.insert(t, new dev.powdb.storage.Row(t, 1, new Object[] {null})));
    }

    @Test
    void dumpCommandWritesStdoutOrAFile() throws Exception {
        load(tmp.resolve("a"), 3);
        String expected = dump(tmp.resolve("a"));
        String dir = tmp.resolve("a").toString();
        CliRun r = CliRun.of("--data-dir", dir, "dump");
        assertEquals(0, r.exit, r.err());
        assertEquals(expected, r.out());
        Path file = tmp.resolve("out.pql");
        CliRun f = CliRun.of("--data-dir", dir, "dump", "-o", file.toString());
        assertEquals(0, f.exit, f.err());
        assertEquals("", f.out());
        assertEquals(expected, Files.readString(file));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp file left");
        }
        CliRun bad = CliRun.of("--data-dir", dir, "dump", "-o", tmp.resolve("no/such/x.pql").toString());
        assertEquals(1, bad.exit);
        assertTrue(bad.err().startsWith("Error: no such directory"), bad.err());
    }
}
