package dev.powdb.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DatabaseTest {
    @TempDir
    Path tmp;

    static TableSchema users() {
        return new TableSchema("users", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("name", ColumnType.STR), ColumnDef.optional("age", ColumnType.INT),
                ColumnDef.optional("score", ColumnType.FLOAT), ColumnDef.optional("active", ColumnType.BOOL),
                ColumnDef.optional("blob", ColumnType.BYTES), ColumnDef.optional("at", ColumnType.DATETIME)),
                List.of(new IndexDef("id", true), new IndexDef("age", false)));
    }

    @Test
    void insertLookupUpdateDeleteSurviveReopen() {
        Path dir = tmp.resolve("db");
        Instant at = Instant.parse("2026-01-02T03:04:05.123456Z");
        try (Database db = Database.open(dir)) {
            db.createTable(users());
            for (long i = 0; i < 1000; i++) {
                db.insertValues("users", i, "user" + i, i % 50, i / 3.0, i % 2 == 0, new byte[] {(byte) i}, at);
            }
            assertEquals(1000, db.count("users", null));
            assertEquals("user7", db.getBy("users", "id", 7L).orElseThrow().get("name"));
            assertEquals(20, db.lookup("users", "age", 3L).size());
            assertEquals(1, db.updateBy("users", "id", 7L, Map.of("name", "seven")));
            assertEquals(20, db.delete("users", r -> ((Long) r.get("age")) == 4L));
        }
        try (Database db = Database.open(dir)) {
            assertEquals(980, db.count("users", null));
            Row r = db.getBy("users", "id", 7L).orElseThrow();
            assertEquals("seven", r.get("name"));
            assertEquals(at, r.get("at"));
            assertTrue(db.lookup("users", "age", 4L).isEmpty());
            PowDbException e = assertThrows(PowDbException.class,
                    () -> db.insertValues("users", 7L, "dup", 1L, 0.0, true, null, null));
            assertEquals(ErrorCode.UNIQUE_VIOLATION, e.code());
            assertEquals(980, db.count("users", null));
        }
        VerifyReport report = Database.verify(dir);
        assertTrue(report.ok(), report.toString());
    }

    @Test
    void rollbackUndoesEverythingIncludingDdl() {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(users());
            db.insertValues("users", 1L, "a", 1L, null, null, null, null);
            try (Transaction tx = db.begin()) {
                tx.insertValues("users", 2L, "b", 2L, null, null, null, null);
                tx.updateBy("users", "id", 1L, Map.of("name", "changed"));
                tx.createTable(new TableSchema("other", List.of(ColumnDef.required("x", ColumnType.INT))));
                tx.insertValues("other", 5L);
                tx.dropTable("users");
                tx.rollback();
            }
            assertEquals(List.of("users"), db.tables().stream().map(TableSchema::name).toList());
            assertEquals(1, db.count("users", null));
            assertEquals("a", db.getBy("users", "id", 1L).orElseThrow().get("name"));
        }
        try (Database db = Database.open(dir)) {
            assertEquals(1, db.count("users", null));
        }
        assertTrue(Database.verify(dir).ok());
    }

    @Test
    void largeValuesUseOverflowPages() {
        Path dir = tmp.resolve("db");
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        String bigString = "x".repeat(1 << 20);
        try (Database db = Database.open(dir)) {
            db.createTable(users());
            db.insertValues("users", 1L, bigString, null, null, null, big, null);
            db.insertValues("users", 2L, "small", null, null, null, null, null);
        }
        try (Database db = Database.open(dir)) {
            Row r = db.getBy("users", "id", 1L).orElseThrow();
            assertEquals(bigString, r.get("name"));
            assertArrayEquals(big, (byte[]) r.get("blob"));
            db.deleteBy("users", "id", 1L);
            db.insertValues("users", 3L, bigString, null, null, null, null, null);
            assertEquals(bigString, db.getBy("users", "id", 3L).orElseThrow().get("name"));
        }
        assertTrue(Database.verify(dir).ok(), Database.verify(dir).toString());
    }

    @Test
    void statementFailureChangesNothing() {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(users());
            db.insertValues("users", 1L, "a", 1L, null, null, null, null);
            db.insertValues("users", 2L, "b", 1L, null, null, null, null);
            // Updating both rows to id 1 fails on the second: the first change must be undone too.
            assertThrows(PowDbException.class, () -> db.update("users", null, r -> Map.of("id", 3L)));
            assertEquals(List.of(1L, 2L), db.scan("users", null).stream().map(r -> (Long) r.get("id")).sorted()
                    .toList());
            assertThrows(PowDbException.class, () -> db.createIndex("users", "age", true));
            assertNull(db.table("users").index("age").unique() ? "unexpected" : null);
        }
        assertTrue(Database.verify(dir).ok());
    }

    @Test
    void schemaChanges() {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(new TableSchema("t", List.of(ColumnDef.required("a", ColumnType.INT),
                    ColumnDef.optional("b", ColumnType.STR))));
            db.insertValues("t", 1L, "x");
            db.addColumn("t", new ColumnDef("c", ColumnType.STR, true, "new"));
            assertEquals("new", db.scan("t", null).get(0).get("c"));
            db.dropColumn("t", "b");
            assertEquals(List.of(1L, "new"), Arrays.asList(db.scan("t", null).get(0).values()));
            db.createIndex("t", "c", false);
            assertEquals(1, db.lookup("t", "c", "new").size());
            PowDbException e = assertThrows(PowDbException.class, () -> db.insert("t", Map.of("zz", 1L)));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("zz"), e.getMessage());
        }
        try (Database db = Database.open(dir)) {
            assertEquals(List.of(1L, "new"), Arrays.asList(db.scan("t", null).get(0).values()));
            db.dropTable("t");
            assertTrue(db.tables().isEmpty());
        }
        assertFalse(dir.resolve("t.heap").toFile().exists());
    }

    @Test
    void rolledBackBulkInsertLeavesAVerifiableDatabase() {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(users());
            db.insertValues("users", 0L, "keep", 1L, null, null, null, null);
            try (Transaction tx = db.begin()) {
                for (long i = 1; i <= 5000; i++) {
                    tx.insertValues("users", i, "gone" + i, i % 7, null, null, null, null);
                }
                tx.rollback();
            }
            assertEquals(1, db.count("users", null));
            for (long i = 1; i <= 3000; i++) {
                db.insertValues("users", i, "again" + i, i % 5, null, null, null, null);
            }
        }
        VerifyReport report = Database.verify(dir);
        assertTrue(report.ok(), report.toString());
        try (Database db = Database.open(dir)) {
            assertEquals(3001, db.count("users", null));
            assertEquals(600, db.lookup("users", "age", 2L).size());
        }
    }

    @Test
    void ascendingInsertsStillCatchDuplicatesOfTheLastKeyAndSurviveRollback() {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(users());
            for (long i = 0; i < 3000; i++) {
                db.insertValues("users", i, "u", i % 3, null, null, null, null);
            }
            PowDbException e = assertThrows(PowDbException.class,
                    () -> db.insertValues("users", 2999L, "again", 0L, null, null, null, null));
            assertEquals(ErrorCode.UNIQUE_VIOLATION, e.code());
            try (Transaction tx = db.begin()) {
                for (long i = 3000; i < 6000; i++) {
                    tx.insertValues("users", i, "t", 0L, null, null, null, null);
                }
                tx.rollback();
            }
            for (long i = 3000; i < 4000; i++) {
                db.insertValues("users", i, "v", 1L, null, null, null, null);
            }
            assertEquals(4000, db.count("users", null));
            assertEquals(1, db.lookup("users", "id", 3999L).size());
            assertTrue(db.lookup("users", "id", 4000L).isEmpty());
        }
        VerifyReport report = Database.verify(dir);
        assertTrue(report.ok(), report.toString());
    }
}
