package dev.powdb.query;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Random scripts built from PowQL fragments: parsing either succeeds or throws QueryException, nothing else. */
class ParserFuzzTest {
    private static final String[] PIECES = {"User", "filter", "order", "limit", "offset", "update", "delete",
        "insert", "type", "alter", "add", "drop", "column", "index", "unique", "required", "default", "begin",
        "commit", "count", "(", ")", "{", "}", "[", "]", ",", ";", ":", ":=", ".", ".age", "=", "!=", "<", ">=",
        "+", "-", "*", "/", "++", "and", "or", "not", "in", "like", "is", "null", "true", "1", "2.5", "\"s\"",
        "\"", "b\"0f\"", "datetime", "\"2026-01-02T03:04:05Z\"", "int", "str", "#c\n", "\n", "\\", "@", "1e", "x",
        "backup", "to", "base", "restore", "point", "\"\""};

    @Test
    void randomScriptsFailOnlyWithQueryException() {
        long seed = 20260102L;
        Random rnd = new Random(seed);
        int parsed = 0;
        for (int n = 0; n < 5000; n++) {
            StringBuilder b = new StringBuilder();
            int len = rnd.nextInt(12);
            for (int i = 0; i < len; i++) {
                b.append(PIECES[rnd.nextInt(PIECES.length)]).append(rnd.nextInt(4) == 0 ? "" : " ");
            }
            String script = b.toString();
            try {
                for (Statement s : PowQL.parse(script)) {
                    Printer.print(s); // every parsed statement has a canonical form
                }
                parsed++;
            } catch (QueryException e) {
                if (e.line() < 1 || e.column() < 1) {
                    fail("bad position for " + script + ": " + e.getMessage());
                }
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", input #" + n + " [" + script + "]", e);
            }
        }
        assertTrue(parsed > 0, "some inputs should parse");
    }
}
