package dev.powdb.query;

import dev.powdb.storage.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every syntax error names its line, column and what was expected. */
class ParserErrorTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        User filter                          | line 1, column 12: expected an expression, found end of input
        User filter .age >                   | line 1, column 19: expected an expression, found end of input
        User filter age > 1                  | line 1, column 13: expected an expression, found 'age'
        User filter . > 1                    | line 1, column 15: expected a column name, found '>'
        User filter (.a = 1                  | line 1, column 20: expected ')', found end of input
        User filter .a = 1 = 2               | line 1, column 20: expected ';' or end of input, found '='
        User filter .a in 1                  | line 1, column 19: expected '[', found '1'
        User filter .a in [1, 2              | line 1, column 24: expected ']', found end of input
        User filter .a is 1                  | line 1, column 19: expected 'null', found '1'
        User limit x                         | line 1, column 12: expected a non-negative integer after limit, found 'x'
        User offset -1                       | line 1, column 13: expected a non-negative integer after offset, found '-'
        User { .a, }                         | line 1, column 12: expected an expression, found '}'
        User { .a                            | line 1, column 10: expected '}', found end of input
        User order                           | line 1, column 11: expected an expression, found end of input
        User User                            | line 1, column 6: expected ';' or end of input, found 'User'
        type User                            | line 1, column 10: expected '{', found end of input
        type User { }                        | line 1, column 1: type User needs at least one field
        type User { name str }               | line 1, column 18: expected ':', found 'str'
        type User { name: string }           | line 1, column 19: expected a type (str, int, float, bool, bytes, datetime), found 'string'
        type User { name: str default .x }   | line 1, column 31: a default must be a literal
        type User { a: int b: int }          | line 1, column 20: expected '}', found 'b'
        type 1 { a: int }                    | line 1, column 6: expected a type name, found '1'
        drop                                 | line 1, column 5: expected a type name, found end of input
        alter User                           | line 1, column 11: expected 'add' or 'drop', found end of input
        alter User add age                   | line 1, column 16: expected 'column', 'index' or 'unique', found 'age'
        alter User add index age             | line 1, column 22: expected a column (.name), found 'age'
        alter User drop table                | line 1, column 17: expected 'column' or 'index', found 'table'
        insert User                          | line 1, column 12: expected '{', found end of input
        insert User { name = "x" }           | line 1, column 20: expected ':=', found '='
        insert User { name := }              | line 1, column 23: expected an expression, found '}'
        insert User { := 1 }                 | line 1, column 15: expected a field name, found ':='
        User update                          | line 1, column 12: expected '{', found end of input
        User update { }                      | line 1, column 6: update needs at least one column := value
        User limit 1 delete                  | line 1, column 14: delete takes only a filter (no order, limit, offset or projection)
        User { .a } update { a := 1 }        | line 1, column 13: update takes only a filter (no order, limit, offset or projection)
        count(User                           | line 1, column 11: expected ')', found end of input
        count()                              | line 1, column 7: expected a type name, found ')'
        ;;)                                  | line 1, column 3: expected a statement, found ')'
        User filter .a = "abc                | line 1, column 18: unterminated string
        User filter .a = "a\\qb"             | line 1, column 20: unknown escape \\q (use \\" \\\\ \\n \\t \\r \\0 or \\uXXXX)
        User filter .a = "\\u12"             | line 1, column 19: expected 4 hex digits after \\u
        User filter .a = b"abc"              | line 1, column 18: bytes literal must hold an even number of hex digits
        User filter .a = b"zz"               | line 1, column 18: bytes literal must hold an even number of hex digits
        User filter .a = datetime 5          | line 1, column 27: expected a string after datetime, found '5'
        User filter .a = datetime "yesterday" | line 1, column 27: invalid datetime "yesterday" (use ISO-8601 UTC, e.g. "2026-01-02T03:04:05Z")
        User filter .a = 99999999999999999999 | line 1, column 18: integer literal 99999999999999999999 is out of range (64-bit signed)
        User filter .a = 12ab                | line 1, column 20: expected a separator after number 12, found 'a'
        User filter .a @ 1                   | line 1, column 16: unexpected character '@'
        User filter .a = 9223372036854775808 | line 1, column 18: integer literal 9223372036854775808 is out of range (64-bit signed)
        User filter .a = 1 - 9223372036854775808 | line 1, column 22: integer literal 9223372036854775808 is out of range (64-bit signed)
        User limit 9223372036854775808       | line 1, column 12: integer literal 9223372036854775808 is out of range (64-bit signed)
        User filter .a = -9223372036854775809 | line 1, column 19: integer literal 9223372036854775809 is out of range (64-bit signed)
        User filter .a = 1٣             | line 1, column 19: unexpected character '٣'
        User filter .a = 1.٣            | line 1, column 20: unexpected character '٣'
        backup                               | line 1, column 7: expected 'to', found end of input
        backup into "b"                      | line 1, column 8: expected 'to', found 'into'
        backup filter .a = 1                 | line 1, column 8: expected 'to', found 'filter'
        backup to                            | line 1, column 10: expected a string (the backup directory) after to, found end of input
        backup to b                          | line 1, column 11: expected a string (the backup directory) after to, found 'b'
        backup to b"00"                      | line 1, column 11: expected a string (the backup directory) after to, found bytes literal
        backup to ""                         | line 1, column 11: the backup directory is an empty string
        backup to "b" base                   | line 1, column 19: expected a string (the base backup's directory) after base, found end of input
        backup to "b" base 5                 | line 1, column 20: expected a string (the base backup's directory) after base, found '5'
        backup to "b" base ""                | line 1, column 20: the base backup's directory is an empty string
        backup to "b" bse "a"                | line 1, column 15: expected 'base', ';' or end of input, found 'bse'
        backup to "b" "c"                    | line 1, column 15: expected 'base', ';' or end of input, found string "c"
        backup to "b" base "a" x             | line 1, column 24: expected ';' or end of input, found 'x'
        backup to "b" base "a" base "c"      | line 1, column 24: expected ';' or end of input, found 'base'
        BACKUP to "b"                        | line 1, column 8: expected ';' or end of input, found 'to'
        Backup to "b"                        | line 1, column 8: expected ';' or end of input, found 'to'
        restore                              | line 1, column 8: expected 'point', found end of input (PowQL only creates restore points; a backup is restored with the command powdb restore)
        restore to "x"                       | line 1, column 9: expected 'point', found 'to' (PowQL only creates restore points; a backup is restored with the command powdb restore)
        restore point                        | line 1, column 14: expected a string (the restore point's name) after point, found end of input
        restore point before                 | line 1, column 15: expected a string (the restore point's name) after point, found 'before'
        restore point "a" "b"                | line 1, column 19: expected ';' or end of input, found string "b"
        restore point "a" base "b"           | line 1, column 19: expected ';' or end of input, found 'base'
        """)
    void syntaxError(String script, String message) {
        QueryException e = assertThrows(QueryException.class, () -> PowQL.parse(script));
        assertEquals(message, e.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void lineAndColumnAcrossLines() {
        QueryException e = assertThrows(QueryException.class,
                () -> PowQL.parse("begin;\n# note\nUser filter\n  .age >> 3"));
        assertEquals(4, e.line());
        assertEquals(9, e.column());
        assertEquals("line 4, column 9: expected an expression, found '>'", e.getMessage());
    }

    @Test
    void multiLineStringKeepsLineCount() {
        QueryException e = assertThrows(QueryException.class,
                () -> PowQL.parse("insert T { s := \"a\nb\" } x"));
        assertEquals("line 2, column 6: expected ';' or end of input, found 'x'", e.getMessage());
    }

    @Test
    void backupErrorsAcrossLines() {
        QueryException e = assertThrows(QueryException.class,
                () -> PowQL.parse("count(User);\nbackup to\n  \"x\" base\n    7"));
        assertEquals("line 4, column 5: expected a string (the base backup's directory) after base, found '7'",
                e.getMessage());
        assertEquals(4, e.line());
        assertEquals(5, e.column());
        assertFalse(e.atEnd());
    }

    @Test
    void incompleteBackupAndRestorePointAreAtEnd() {
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("backup")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("backup to")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("backup to \"a\" base")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("backup to \"a")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("restore")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("restore point")).atEnd());
        assertFalse(assertThrows(QueryException.class, () -> PowQL.parse("backup to \"a\" bse")).atEnd());
        assertFalse(assertThrows(QueryException.class, () -> PowQL.parse("restore to")).atEnd());
        assertFalse(assertThrows(QueryException.class, () -> PowQL.parse("backup to \"\"")).atEnd());
    }

    @Test
    void atEndTellsIncompleteFromWrong() {
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("User filter .a >")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("insert T { s := \"ab")).atEnd());
        assertTrue(assertThrows(QueryException.class, () -> PowQL.parse("type T {\n a: int,\n")).atEnd());
        assertFalse(assertThrows(QueryException.class, () -> PowQL.parse("User filter > 1")).atEnd());
    }

    @Test
    void deepNestingIsASyntaxErrorNotAStackOverflow() {
        String deep = "User filter " + "(".repeat(100_000) + "1" + ")".repeat(100_000);
        QueryException e = assertThrows(QueryException.class, () -> PowQL.parse(deep));
        assertEquals("line 1, column " + (13 + Parser.MAX_DEPTH)
                + ": expression nested too deeply (more than " + Parser.MAX_DEPTH + " levels)", e.getMessage());
        assertThrows(QueryException.class, () -> PowQL.parse("User filter " + "not ".repeat(100_000) + "true"));
        assertThrows(QueryException.class, () -> PowQL.parse("User { " + "- ".repeat(100_000) + ".a }"));
        // Up to the limit nesting is fine.
        int ok = Parser.MAX_DEPTH;
        assertEquals(1, PowQL.parse("User filter " + "(".repeat(ok) + ".a = 1" + ")".repeat(ok)).size());
        assertEquals(1, PowQL.parse("User filter " + "not ".repeat(ok) + ".ok").size());
    }
}
