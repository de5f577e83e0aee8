package dev.powdb.query;

import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.TableSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs PowQL against a real database in a temporary directory. */
class ExecutionTest {
    @TempDir
    Path dir;
    Database db;
    PowQL q;

    static final String USERS = """
            type User { required id: int, required name: str, unique email: str, age: int, status: str default "new" };
            alter User add unique .id;
            insert User { id := 1, name := "Ada", email := "ada@x", age := 36, status := "active" },
                        { id := 2, name := "Bob", email := "bob@x", age := 17 },
                        { id := 3, name := "Cy", age := 52, status := "active" },
                        { id := 4, name := "Dee", email := "dee@x" },
                        { id := 5, name := "Abe", email := "abe@x", age := 30, status := "gone" };
            """;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("db"), DatabaseOptions.defaults().withSyncMode(SyncMode.OFF));
        q = new PowQL(db);
    }

    @AfterEach
    void close() {
        q.close();
        db.close();
    }

    String run(String script) {
        Recorder r = new Recorder();
        q.run(script, r);
        return r.text();
    }

    QueryException fails(String script) {
        return assertThrows(QueryException.class, () -> q.run(script, new Recorder()));
    }

    void users() {
        run(USERS);
    }

    // ---- DDL ----------------------------------------------------------------------------------------------------

    @Test
    void createTypeMakesColumnsAndUniqueIndexes() {
        assertEquals("> created type User\n> created unique index User.id\n> inserted 5", run(USERS));
        TableSchema s = db.table("User");
        assertEquals(List.of("id", "name", "email", "age", "status"),
                s.columns().stream().map(c -> c.name()).toList());
        assertTrue(s.column("name").required());
        assertFalse(s.column("age").required());
        assertEquals("new", s.column("status").defaultValue());
        assertTrue(s.index("email").unique());
        assertEquals(ColumnType.INT, s.column("age").type());
    }

    @Test
    void allTypesRoundTrip() {
        String out = run("""
                type T { s: str, i: int, f: float, b: bool, y: bytes, d: datetime };
                insert T { s := "x\\ty", i := -7, f := 2.5, b := true, y := b"00ff10", d := datetime "2026-01-02T03:04:05Z" };
                insert T { f := 3 };
                T order .i
                """);
        assertEquals("""
                > created type T
                > inserted 1
                > inserted 1
                columns s, i, f, b, y, d
                [null, null, 3.0, null, null, null]
                ["x\\ty", -7, 2.5, true, b"00ff10", datetime "2026-01-02T03:04:05Z"]""", out);
        Recorder r = new Recorder();
        q.run("T filter .i = -7", r);
        List<Object> row = r.rowSets.get(0).get(0);
        assertEquals(Long.valueOf(-7), row.get(1));
        assertArrayEquals(new byte[]{0, (byte) 0xff, 0x10}, (byte[]) row.get(4));
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), row.get(5));
    }

    @Test
    void alterAndDrop() {
        users();
        assertEquals("> added column User.score", run("alter User add column score: int"));
        assertEquals("columns name, score\n[\"Ada\", null]", run("User filter .id = 1 { .name, .score }"));
        assertEquals("> added column User.level", run("alter User add column required level: int default 3"));
        assertEquals("= 5", run("count(User filter .level = 3)"));
        assertEquals("> dropped column User.score", run("alter User drop column score"));
        assertEquals(ErrorCode.NOT_FOUND, fails("User { .score }").code());
        assertEquals("> created index User.age", run("alter User add index .age"));
        assertEquals("index range .age", q.explain("User filter .age > 3"));
        assertEquals("> dropped index User.age", run("alter User drop index .age"));
        assertEquals("scan", q.explain("User filter .age > 3"));
        assertEquals("> dropped type User", run("drop User"));
        assertEquals("line 1, column 1: unknown type User", fails("User").getMessage());
    }

    @Test
    void addUniqueColumnWithRepeatedDefaultChangesNothing() {
        users();
        QueryException e = fails("alter User add column unique code: int default 1");
        assertEquals(ErrorCode.UNIQUE_VIOLATION, e.code());
        assertEquals(-1, db.table("User").columnIndex("code"));
        run("begin");
        assertEquals(ErrorCode.UNIQUE_VIOLATION, fails("alter User add column unique code: int default 1").code());
        assertEquals(ErrorCode.NOT_FOUND, fails("User { .code }").code());
        run("commit");
        assertEquals(-1, db.table("User").columnIndex("code"));
        assertEquals("> added column User.code", run("alter User add column unique code: int"));
        assertTrue(db.table("User").index("code").unique());
    }

    @Test
    void ddlErrors() {
        users();
        assertEquals(ErrorCode.ALREADY_EXISTS, fails("type User { a: int }").code());
        assertEquals("line 1, column 1: unknown type Nope", fails("drop Nope").getMessage());
        assertEquals("line 1, column 22: type User has no column .nope",
                fails("alter User add index .nope").getMessage());
        assertEquals("line 1, column 24: type User has no column .nope",
                fails("alter User drop column nope").getMessage());
        assertEquals("line 1, column 23: type User has no index on .age",
                fails("alter User drop index .age").getMessage());
        QueryException e = fails("type T { a: int default \"x\" }");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals(10, e.column());
        assertEquals(ErrorCode.UNIQUE_VIOLATION, fails("alter User add unique .status").code());
    }

    // ---- insert and queries -----------------------------------------------------------------------------------

    @Test
    void projectionOrderLimitOffset() {
        users();
        assertEquals("""
                columns name, age
                ["Cy", 52]
                ["Ada", 36]
                ["Abe", 30]""", run("User filter .age > 20 order .age desc { .name, .age }"));
        assertEquals("""
                columns name
                ["Dee"]
                ["Bob"]""", run("User order .age, .name limit 2 { .name }"));
        assertEquals("""
                columns name
                ["Ada"]
                ["Bob"]""", run("User order .name limit 2 offset 1 { .name }"));
        assertEquals("columns name", run("User order .name offset 10 { .name }"));
        assertEquals("""
                columns id, name, email, age, status
                [4, "Dee", "dee@x", null, "new"]""", run("User filter .id = 4"));
        assertEquals("""
                columns tag, older, (/ .age 2)
                ["Ada!", 37, 18]""", run("User filter .id = 1 { tag := .name ++ \"!\", older := .age + 1, .age / 2 }"));
    }

    @Test
    void statusPrecedenceExample() {
        users();
        assertEquals("""
                columns name
                ["Cy"]
                ["Ada"]
                ["Abe"]""", run("User filter .age > 20 and (.name = \"Ada\" or not .status = \"new\") "
                + "order .age desc, .name limit 10 offset 0 { .name }"));
        assertEquals("columns name\n[\"Ada\"]",
                run("User filter .age > 30 and (.name = \"Ada\" or not .status = \"active\") { .name }"));
    }

    private List<String> namesOf(String filter) {
        Recorder r = new Recorder();
        q.run("User filter " + filter + " order .id { .name }", r);
        return r.rowSets.get(0).stream().map(row -> (String) row.get(0)).toList();
    }

    @Test
    void operators() {
        users();
        assertEquals(List.of("Ada"), namesOf(".age = 36"));
        assertEquals(List.of("Ada", "Bob", "Abe"), namesOf(".age != 52"));
        assertEquals(List.of("Bob", "Abe"), namesOf(".age <= 30"));
        assertEquals(List.of("Bob"), namesOf(".age < 30"));
        assertEquals(List.of("Ada", "Cy"), namesOf(".age > 30"));
        assertEquals(List.of("Ada", "Cy", "Abe"), namesOf(".age >= 30"));
        assertEquals(List.of("Ada", "Cy"), namesOf(".age * 2 - 10 > 50"));
        assertEquals(List.of("Ada"), namesOf(".age / 4 = 9"));
        assertEquals(List.of("Ada"), namesOf(".age / 4.0 = 9.0"));
        assertEquals(List.of("Ada", "Cy"), namesOf(".age + 0.5 > 31"));
        assertEquals(List.of("Bob"), namesOf("-.age = -17"));
        assertEquals(List.of("Ada", "Abe"), namesOf(".name like \"A%\""));
        assertEquals(List.of("Ada"), namesOf(".name like \"_d_\""));
        assertEquals(List.of("Bob", "Cy"), namesOf(".id in [2, 3, 99]"));
        assertEquals(List.of("Dee"), namesOf(".age is null"));
        assertEquals(List.of("Ada", "Bob", "Cy", "Abe"), namesOf(".age is not null"));
        assertEquals(List.of("Cy"), namesOf(".email is null"));
        assertEquals(List.of("Ada"), namesOf(".name ++ \"@x\" = \"Ada@x\""));
        assertEquals(List.of("Ada", "Cy"), namesOf(".status = \"active\" or .id = 99"));
        assertEquals(List.of("Bob", "Dee", "Abe"), namesOf("not .status = \"active\""));
        assertEquals(List.of(), namesOf("false"));
        assertEquals(List.of("Ada", "Bob", "Cy", "Dee", "Abe"), namesOf("true"));
    }

    @Test
    void nullsAreUnknown() {
        users();
        // Dee's age is null: neither the comparison nor its negation holds.
        assertEquals(List.of("Ada", "Cy", "Abe"), namesOf(".age >= 30"));
        assertEquals(List.of("Bob"), namesOf("not .age >= 30"));
        assertEquals(List.of(), namesOf(".age = null"));
        assertEquals(List.of("Dee"), namesOf(".age is null and (.age > 1 or true)"));
        assertEquals(List.of("Bob", "Dee"), namesOf(".age < 20 or .age is null"));
        assertEquals("""
                columns name
                ["Dee"]
                ["Bob"]""", run("User order .age limit 2 { .name }"));
    }

    @Test
    void aggregates() {
        users();
        assertEquals("= 5", run("count(User)"));
        assertEquals("= 2", run("count(User filter .status = \"active\")"));
        assertEquals("= 135", run("sum(User { .age })"));
        assertEquals("= 33.75", run("avg(User { .age })"));
        assertEquals("= 17", run("min(User { .age })"));
        assertEquals("= 52", run("max(User { .age })"));
        assertEquals("= \"Abe\"", run("min(User { .name })"));
        assertEquals("= 270.5", run("sum(User { .age * 2 + 0.1 * 5 / 4 })"));
        assertEquals("= 0", run("sum(User filter false { .age })"));
        assertEquals("= null", run("avg(User filter false { .age })"));
        assertEquals("= null", run("max(User filter .age is null { .age })"));
        assertEquals("= 2", run("count(User order .id limit 2)"));
        assertEquals("line 1, column 5: sum needs a query projecting exactly one column, e.g. sum(User { .column })",
                fails("sum(User)").getMessage());
        assertEquals("line 1, column 12: sum needs int or float values, got str",
                fails("sum(User { .name })").getMessage());
    }

    @Test
    void updateAndDelete() {
        users();
        assertEquals("> updated 1", run("User filter .id = 1 update { age := .age + 1 }"));
        assertEquals("= 37", run("max(User filter .id = 1 { .age })"));
        assertEquals("> updated 2", run("User filter .status = \"active\" update { status := \"vip\", name := .name ++ \"*\" }"));
        assertEquals("columns name\n[\"Ada*\"]\n[\"Cy*\"]", run("User filter .status = \"vip\" order .id { .name }"));
        assertEquals("> deleted 1", run("User filter .age < 18 delete"));
        assertEquals("= 4", run("count(User)"));
        assertEquals("> deleted 4", run("User delete"));
        assertEquals("= 0", run("count(User)"));
    }

    @Test
    void multiStatementScriptReportsInOrder() {
        assertEquals("""
                > created type T
                > inserted 2
                = 2
                > updated 2
                columns a
                [11]
                [12]""", run("type T { a: int }; insert T {a := 1}, {a := 2}; count(T); T update { a := .a + 10 }; T order .a"));
    }

    // ---- transactions -----------------------------------------------------------------------------------------

    @Test
    void beginCommitRollback() {
        users();
        assertEquals("> begin\n> inserted 1", run("begin; insert User { id := 6, name := \"Eve\" }"));
        assertTrue(q.inTransaction());
        assertEquals("= 6", run("count(User)"));
        assertEquals("> deleted 6\n> rollback", run("User delete; rollback"));
        assertFalse(q.inTransaction());
        assertEquals("= 5", run("count(User)"));
        run("begin; User filter .id = 2 update { age := 18 }; commit");
        assertEquals("= 18", run("min(User { .age })"));
        assertEquals("line 1, column 1: no transaction is open", fails("commit").getMessage());
        assertEquals("line 1, column 1: no transaction is open", fails("rollback").getMessage());
        run("begin");
        assertEquals("line 1, column 1: a transaction is already open", fails("begin").getMessage());
        assertTrue(q.inTransaction());
        run("rollback");
    }

    @Test
    void ddlInTransactionRollsBack() {
        run("begin; type T { a: int }; insert T { a := 1 }; rollback");
        assertEquals("line 1, column 7: unknown type T", fails("count(T)").getMessage());
    }

    @Test
    void failedStatementInTransactionKeepsEarlierOnes() {
        users();
        run("begin; insert User { id := 6, name := \"Eve\", email := \"eve@x\" }");
        QueryException e = fails("insert User { id := 7, name := \"F\" }, { id := 8, name := \"G\", email := \"ada@x\" }");
        assertEquals(ErrorCode.UNIQUE_VIOLATION, e.code());
        assertTrue(q.inTransaction());
        assertEquals("= 6", run("count(User)"));
        run("commit");
        assertEquals("columns name\n[\"Eve\"]", run("User filter .id >= 6 { .name }"));
    }

    @Test
    void closeRollsBackOpenTransaction() {
        run("type T { a: int }; begin; insert T { a := 1 }");
        q.close();
        assertFalse(q.inTransaction());
        assertEquals(0, db.count("T", null));
    }

    // ---- indexes ----------------------------------------------------------------------------------------------

    @Test
    void indexChoice() {
        users();
        assertEquals("index lookup .id", q.explain("User filter .id = 3"));
        assertEquals("index lookup .id", q.explain("User filter 3 = .id { .name }"));
        assertEquals("index lookup .email", q.explain("count(User filter .age > 1 and .email = \"ada@x\")"));
        assertEquals("index range .id", q.explain("User filter .id > 1 and .id <= 3"));
        assertEquals("index range .id", q.explain("User filter 2 < .id"));
        assertEquals("scan", q.explain("User filter .id > 1 or .id < 0"));
        assertEquals("scan", q.explain("User filter .id != 1"));
        assertEquals("scan", q.explain("User filter .age = 3"));
        assertEquals("scan", q.explain("User filter .id = .age"));
        assertEquals("scan", q.explain("User filter .id = 1.5"));
        assertEquals("scan", q.explain("User filter .id = null"));
        assertEquals("scan", q.explain("User"));
        assertEquals("index lookup .id", q.explain("User filter .id = 1 delete"));
        assertEquals("index range .id", q.explain("User filter .id > 1 update { age := 1 }"));
        assertEquals("scan", q.explain("User filter .age = 1 delete"));
        assertEquals("line 1, column 1: only queries, aggregates, updates and deletes can be explained",
                fails2(() -> q.explain("begin")));
    }

    @Test
    void updatesAndDeletesThroughAnIndexMatchTheScan() {
        run("type N { required unique id: int, v: int, w: int }; alter N add index .v");
        for (int i = 0; i < 200; i++) {
            run("insert N { id := " + i + ", v := " + (i % 10) + ", w := " + (i % 10) + " }");
        }
        // Same filters on an indexed column (v) and an unindexed twin (w) must change the same rows.
        run("N filter .v = 3 and .id < 100 update { v := .v + 100 }");
        run("N filter .w = 3 and .id < 100 update { w := .w + 100 }");
        run("N filter .v >= 5 and .v < 7 delete");
        assertEquals(0L, scalar("count(N filter .w >= 5 and .w < 7 and .v != .w)"));
        run("N filter .w >= 5 and .w < 7 delete");
        assertEquals(0L, scalar("count(N filter .v != .w)"));
        assertEquals(160L, scalar("count(N)"));
        assertEquals(10L, scalar("count(N filter .v = 103)"));
        assertEquals(10L, scalar("count(N filter .v = 3)"));
        assertEquals("index lookup .id", q.explain("N filter .id = 7 update { w := 0 }"));
        run("N filter .id = 7 update { w := 0, v := 0 }");
        assertEquals(0L, scalar("sum(N filter .id = 7 { .v })"));
        run("begin; N filter .id = 8 delete; rollback");
        assertEquals(1L, scalar("count(N filter .id = 8)"));
    }

    private Object scalar(String statement) {
        Recorder r = new Recorder();
        q.run(statement, r);
        return r.scalars.get(r.scalars.size() - 1);
    }

    private static String fails2(org.junit.jupiter.api.function.Executable ex) {
        return assertThrows(QueryException.class, ex).getMessage();
    }

    @Test
    void indexedQueriesGiveTheSameRowsAsScans() {
        run("type N { k: int, v: int }; alter N add index .k");
        StringBuilder ins = new StringBuilder("insert N ");
        for (int i = 0; i < 60; i++) {
            ins.append(i == 0 ? "" : ", ").append("{ k := ").append(i % 20).append(", v := ").append(i).append(" }");
        }
        run(ins.toString());
        String[] filters = {".k = 7", ".k > 15", ".k >= 15 and .k < 18", ".k < 3 and .v > 30", "3 >= .k",
            ".k > 5 and .k > 10 and .k <= 12 and .k < 20", ".k >= 4 and .k > 4 and .k < 6"};
        for (String f : filters) {
            assertTrue(q.explain("N filter " + f).startsWith("index"), f);
            String indexed = run("N filter " + f + " order .v { .v }");
            // The same condition written so that no index applies: a scan.
            String scanned = run("N filter (" + f + ") or false order .v { .v }");
            assertEquals("scan", q.explain("N filter (" + f + ") or false"));
            assertEquals(scanned, indexed, f);
        }
        assertEquals("= 3", run("count(N filter .k = 7)"));
        assertEquals("= 0", run("count(N filter .k > 5 and .k < 5)"));
    }

    @Test
    void indexRangesOnOtherTypes() {
        run("""
                type M { s: str, f: float, d: datetime };
                alter M add index .s; alter M add index .f; alter M add index .d;
                insert M { s := "apple", f := 1.5, d := datetime "2026-01-01T00:00:00Z" },
                         { s := "banana", f := -2.0, d := datetime "2026-03-01T00:00:00Z" },
                         { s := "cherry", f := 3.0, d := datetime "2025-12-31T23:59:59Z" },
                         { s := "date", f := 2, d := null }
                """);
        String[][] cases = {
            {".s >= \"b\" and .s < \"d\"", "[\"banana\"]\n[\"cherry\"]", "index range .s"},
            {".f > 1 and .f <= 2", "[\"apple\"]\n[\"date\"]", "index range .f"},
            {".f = 2", "[\"date\"]", "index lookup .f"},
            {".d >= datetime \"2026-01-01T00:00:00Z\"", "[\"apple\"]\n[\"banana\"]", "index range .d"},
            {".s like \"%an%\"", "[\"banana\"]", "scan"},
        };
        for (String[] c : cases) {
            assertEquals(c[2], q.explain("M filter " + c[0]), c[0]);
            assertEquals("columns s\n" + c[1], run("M filter " + c[0] + " order .s { .s }"), c[0]);
        }
    }

    // ---- errors leave data unchanged ----------------------------------------------------------------------------

    @Test
    void unknownNamesAreReportedWithPosition() {
        users();
        assertEquals("line 2, column 1: unknown type Usr", fails("count(User);\nUsr filter .a = 1").getMessage());
        assertEquals("line 1, column 13: type User has no column .agee", fails("User filter .agee > 1").getMessage());
        assertEquals("line 1, column 17: type User has no column .x", fails("User order .id, .x").getMessage());
        assertEquals("line 1, column 8: type User has no column .x", fails("User { .x }").getMessage());
        assertEquals(ErrorCode.NOT_FOUND, fails("User { .x }").code());
        assertEquals("line 1, column 15: type User has no column .nme",
                fails("insert User { nme := \"x\" }").getMessage());
        assertEquals("line 1, column 15: type User has no column .x",
                fails("User update { x := 1 }").getMessage());
        assertEquals("line 1, column 22: type User has no column .y",
                fails("User update { age := .y }").getMessage());
        assertEquals("line 1, column 13: type User has no column .y", fails("User filter .y = 1 delete").getMessage());
        assertEquals("line 1, column 1: unknown type Nope", fails("insert Nope { a := 1 }").getMessage());
        assertEquals("line 1, column 5: unknown type Nope", fails("max(Nope { .a })").getMessage());
    }

    @Test
    void typeErrorsAreReported() {
        users();
        assertEquals("line 1, column 18: cannot compare int with str", fails("User filter .age = \"x\"").getMessage());
        assertEquals("line 1, column 19: cannot apply + to str and int (use ++ to join strings)",
                fails("User filter .name + 1 = 2").getMessage());
        assertEquals("line 1, column 18: ++ needs str operands, got int ++ str",
                fails("User filter .age ++ \"x\" = \"y\"").getMessage());
        assertEquals("line 1, column 13: filter needs a bool, got int", fails("User filter .age").getMessage());
        assertEquals("line 1, column 13: and needs a bool, got int", fails("User filter .age and true").getMessage());
        assertEquals("line 1, column 18: like needs str operands, got int like str",
                fails("User filter .age like \"1%\"").getMessage());
        assertEquals("line 1, column 18: division by zero", fails("User filter .age / 0 = 1").getMessage());
        assertEquals("line 1, column 18: integer overflow",
                fails("User filter .age * 9223372036854775807 > 0").getMessage());
        assertEquals("line 1, column 21: column .id cannot be used here",
                fails("insert User { id := .id }").getMessage());
        assertEquals("line 1, column 31: column .age is int, cannot take a str value",
                fails("insert User { id := 9, age := \"x\", name := \"n\" }").getMessage());
        assertEquals("line 1, column 28: column name is assigned twice",
                fails("insert User { name := \"a\", name := \"b\" }").getMessage());
    }

    @Test
    void failingStatementsChangeNothing() {
        users();
        String before = run("User order .id");
        // Second row violates the unique email: the first row must not stay.
        assertEquals(ErrorCode.UNIQUE_VIOLATION,
                fails("insert User { id := 10, name := \"X\" }, { id := 11, name := \"Y\", email := \"ada@x\" }").code());
        // Required column missing in the last row.
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                fails("insert User { id := 10, name := \"X\" }, { id := 11 }").code());
        // Update that fails part way: division by zero at Cy, whose age is 52.
        assertEquals("line 1, column 33: division by zero",
                fails("User update { age := .age + 100 / (.age - 52) }").getMessage());
        // Update that makes a unique key repeat.
        assertEquals(ErrorCode.UNIQUE_VIOLATION, fails("User update { email := \"same\" }").code());
        // Update that sets a required column to null.
        assertEquals(ErrorCode.INVALID_ARGUMENT, fails("User filter .id > 2 update { name := null }").code());
        // Delete whose filter fails on some row.
        assertEquals(ErrorCode.INVALID_ARGUMENT, fails("User filter 10 / (.id - 3) > 0 delete").code());
        // A script stops at the first error; the statements before it stay.
        fails("insert User { id := 20, name := \"Z\" }; User update { age := 1 / 0 }; User delete");
        assertEquals("= 6", run("count(User)"));
        run("User filter .id = 20 delete");
        assertEquals(before, run("User order .id"));
    }

    @Test
    void syntaxErrorRunsNothing() {
        users();
        fails("User delete; User filter");
        assertEquals("= 5", run("count(User)"));
    }

    @Test
    void valuesSurviveReopen() {
        users();
        q.close();
        db.close();
        db = Database.open(dir.resolve("db"), DatabaseOptions.defaults().withSyncMode(SyncMode.OFF));
        q = new PowQL(db);
        assertEquals("= 5", run("count(User)"));
        assertEquals(List.of("User"), q.typeNames());
    }

    @Test
    void resultsBeforeAFailureAreDelivered() {
        users();
        Recorder r = new Recorder();
        assertThrows(QueryException.class, () -> q.run("count(User); User filter .id = 1 { .name }; count(Nope)", r));
        assertEquals("= 5\ncolumns name\n[\"Ada\"]", r.text());
    }
}
