package dev.powdb.query;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Golden tests: a script parses to the expected canonical form. */
class ParserTest {

    private static String printed(String script) {
        return PowQL.parse(script).stream().map(Printer::print).collect(Collectors.joining("\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        type User { required name: str, unique email: str, age: int, status: str default "new" } | (type User (field name str required) (field email str unique) (field age int) (field status str (default "new")))
        type T { required unique id: int, f: float default -1.5, } | (type T (field id int required unique) (field f float (default -1.5)))
        type T { b: bytes default b"00ff", d: datetime default datetime "2026-01-02T03:04:05Z", ok: bool default true } | (type T (field b bytes (default b"00ff")) (field d datetime (default datetime "2026-01-02T03:04:05Z")) (field ok bool (default true)))
        drop User | (drop User)
        alter User add column score: int | (alter User (add-column (field score int)))
        alter User add column required level: int default 1 | (alter User (add-column (field level int required (default 1))))
        alter User drop column score | (alter User (drop-column score))
        alter User add index .age | (alter User (add-index .age))
        alter User add unique .email | (alter User (add-unique .email))
        alter User drop index .age | (alter User (drop-index .age))
        insert User { name := "Ada", age := 36 } | (insert User (row (:= name "Ada") (:= age 36)))
        insert User { name := "A" }, { name := "B", age := null }, {} | (insert User (row (:= name "A")) (row (:= name "B") (:= age null)) (row))
        User | (query User)
        User filter .age > 30 and (.name = "Ada" or not .status = "new") order .age desc, .name limit 10 offset 5 { .name, .age } | (query User (filter (and (> .age 30) (or (= .name "Ada") (not (= .status "new"))))) (order (desc .age) (asc .name)) (limit 10) (offset 5) (project .name .age))
        User order .age asc | (query User (order (asc .age)))
        User { .name, next := .age + 1 } | (query User (project .name (as next (+ .age 1))))
        User filter .a = 1 or .b = 2 and .c = 3 | (query User (filter (or (= .a 1) (and (= .b 2) (= .c 3)))))
        User filter not not .ok | (query User (filter (not (not .ok))))
        User filter .a != 1 and .a <= 2 and .a >= 3 and .a < 4 | (query User (filter (and (and (and (!= .a 1) (<= .a 2)) (>= .a 3)) (< .a 4))))
        User filter .a + .b * 2 - 3 / .c > 0 | (query User (filter (> (- (+ .a (* .b 2)) (/ 3 .c)) 0)))
        User filter (.a + .b) * 2 = -.c | (query User (filter (= (* (+ .a .b) 2) (neg .c))))
        User filter .first ++ " " ++ .last = "Ada L" | (query User (filter (= (++ (++ .first " ") .last) "Ada L")))
        User filter .age in [1, 2, -3] | (query User (filter (in .age [1 2 -3])))
        User filter .age in [] | (query User (filter (in .age [])))
        User filter .name like "A%" | (query User (filter (like .name "A%")))
        User filter .age is null or .name is not null | (query User (filter (or (is-null .age) (is-not-null .name))))
        User filter .f = 1.5e3 and .g = 2.25 | (query User (filter (and (= .f 1500.0) (= .g 2.25))))
        User filter .ok = true and .no = false and .n = null | (query User (filter (and (and (= .ok true) (= .no false)) (= .n null))))
        User filter .b = b"DEADbeef" | (query User (filter (= .b b"deadbeef")))
        User filter .t < datetime "2026-01-02T03:04:05Z" | (query User (filter (< .t datetime "2026-01-02T03:04:05Z")))
        count(User filter .age > 1) | (count (query User (filter (> .age 1))))
        count(User) | (count (query User))
        sum(User { .age }) | (sum (query User (project .age)))
        avg(User filter .ok { .age }) | (avg (query User (filter .ok) (project .age)))
        min(User { .name }) | (min (query User (project .name)))
        max(User { .age * 2 }) | (max (query User (project (* .age 2))))
        User filter .id = 1 update { age := .age + 1 } | (update (query User (filter (= .id 1))) (:= age (+ .age 1)))
        User update { age := 0, name := "x" } | (update (query User) (:= age 0) (:= name "x"))
        User filter .age < 18 delete | (delete (query User (filter (< .age 18))))
        begin | (begin)
        commit | (commit)
        rollback | (rollback)
        backup to "backups/full" | (backup "backups/full")
        backup to "/srv/b 2\\\\x" base "backups/full" | (backup "/srv/b 2\\\\x" (base "backups/full"))
        restore point "before-migration ✓" | (restore-point "before-migration ✓")
        restore point "" | (restore-point "")
        insert T { a := -9223372036854775808, b := 9223372036854775807, f := -Infinity, g := Infinity, h := NaN } | (insert T (row (:= a -9223372036854775808) (:= b 9223372036854775807) (:= f -Infinity) (:= g Infinity) (:= h NaN)))
        type T { a: int default -9223372036854775808, f: float default -Infinity, g: float default NaN } | (type T (field a int (default -9223372036854775808)) (field f float (default -Infinity)) (field g float (default NaN)))
        """)
    void goldenStatement(String script, String expected) {
        assertEquals(expected, printed(script));
    }

    @Test
    void stringEscapes() {
        assertEquals("(query T (filter (= .s \"a\\\"b\\\\c\\nd\\te\\r\\0Aé\")))",
                printed("T filter .s = \"a\\\"b\\\\c\\nd\\te\\r\\0\\u0041\u00e9\""));
    }

    @Test
    void scriptsCommentsAndSeparators() {
        String script = """
                # a comment line
                begin;   # trailing comment
                insert T { a := 1 };;
                T filter .a = 1 # comment before the end
                ;commit;
                """;
        assertEquals("(begin)\n(insert T (row (:= a 1)))\n(query T (filter (= .a 1)))\n(commit)", printed(script));
    }

    @Test
    void emptyScriptHasNoStatements() {
        assertEquals(List.of(), PowQL.parse("  # only a comment\n ; ;"));
    }

    @Test
    void keywordsAreFineAsColumnNames() {
        assertEquals("(query T (filter (= .filter .order)) (project .limit))",
                printed("T filter .filter = .order { .limit }"));
        assertEquals("(type T (field required str) (field unique int))",
                printed("type T { required: str, unique: int }"));
    }

    @Test
    void backupAndRestorePointSpanLinesAndKeepPositions() {
        assertEquals("(begin)\n(backup \"x\" (base \"y\"))\n(restore-point \"p\")\n(commit)",
                printed("begin;\n  backup\n to \"x\" # where\n base \"y\";\nrestore point \"p\"; commit"));
        Statement.Backup b = (Statement.Backup) PowQL.parse("\n  backup to\n \"x\" base   \"y\"").get(0);
        assertEquals(new Pos(2, 3), b.pos());
        assertEquals(new Pos(3, 2), b.destinationPos());
        assertEquals(new Pos(3, 13), b.basePos());
        assertEquals(new Pos(1, 1), PowQL.parse("restore point \"p\"").get(0).pos());
    }

    @Test
    void backupAndRestoreStartStatementsButOtherwiseStayNames() {
        // Like the other statement words: a type named backup or restore cannot be queried bare, but works
        // everywhere a type name follows a keyword.
        assertEquals("(count (query backup (filter (= .a 1))))", printed("count(backup filter .a = 1)"));
        assertEquals("(insert restore (row (:= a 1)))", printed("insert restore { a := 1 }"));
        assertEquals("(query User (filter (= .to .base)) (project .point))",
                printed("User filter .to = .base { .point }"));
        // Keywords are case-sensitive, as everywhere in PowQL: BACKUP is a type name.
        assertEquals("(query BACKUP)", printed("BACKUP"));
    }

    @Test
    void positionsAreRecorded() {
        Statement s = PowQL.parse("\n  User filter\n    .age > 3").get(0);
        assertEquals(new Pos(2, 3), s.pos());
        Expr.Binary f = (Expr.Binary) ((Statement.Query) s).filter();
        assertEquals(new Pos(3, 10), f.pos());
        assertEquals(new Pos(3, 5), f.left().pos());
    }

    @Test
    void likeMatcher() {
        assertEquals(true, Eval.like("Ada", "A%"));
        assertEquals(true, Eval.like("Ada", "%d%"));
        assertEquals(true, Eval.like("Ada", "A_a"));
        assertEquals(false, Eval.like("Ada", "A_"));
        assertEquals(true, Eval.like("", "%"));
        assertEquals(false, Eval.like("", "_"));
        assertEquals(true, Eval.like("abcbc", "%bc"));
        assertEquals(false, Eval.like("abcbd", "%bc"));
        assertEquals(true, Eval.like("a%b", "a%b"));
        assertEquals(false, Eval.like("ada", "A%"));
    }
}
