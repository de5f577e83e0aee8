package dev.powdb.query;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.powdb.storage.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Jazzer fuzz tests of the PowQL lexer and parser: whatever the input, {@link PowQL#parse} either returns
 * statements that all have a canonical form ({@link Printer#print}) or throws a {@link QueryException} with code
 * {@code INVALID_ARGUMENT} and a line and column inside the input (the column just past the end of a line is
 * allowed: that is where "end of input" is reported). Any other exception or error (e.g. a stack overflow) fails.
 *
 * <p>{@code mvn test} runs each method once per seed input under
 * {@code src/test/resources/dev/powdb/query/PowQLFuzzTestInputs/<method>/} (regression mode). Real fuzzing:
 * {@code JAZZER_FUZZ=1 mvn test -pl powdb-query -Dtest=PowQLFuzzTest#parseText} (see docs/testing.md).
 */
class PowQLFuzzTest {
    /** Words and symbols of the language, plus a few near misses. */
    private static final String[] PIECES = {"User", "Post", "filter", "order", "asc", "desc", "limit", "offset",
        "update", "delete", "insert", "type", "drop", "alter", "add", "column", "index", "unique", "required",
        "default", "begin", "commit", "rollback", "count", "sum", "avg", "min", "max", "and", "or", "not", "in",
        "like", "is", "null", "true", "false", "datetime", "str", "int", "float", "bool", "bytes", "(", ")", "{",
        "}", "[", "]", ",", ";", ":", ":=", ".", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "++", "#",
        "\n", " ", "\\", "\"", "b\"", "9223372036854775807", "9223372036854775808", "1e", "1e-", "0.5", "1.",
        "-", "@", "\t", "\r", "é", "٣", "\uD800", "backup", "to", "base", "restore", "point", "\"\""};

    /** Arbitrary text: the input bytes decoded as UTF-8 (so seed files are plain scripts). */
    @FuzzTest(maxDuration = "2m")
    void parseText(byte[] input) {
        check(new String(input, StandardCharsets.UTF_8));
    }

    /** Statement-like text: language pieces mixed with arbitrary identifiers, numbers and string contents. */
    @FuzzTest(maxDuration = "2m")
    void parseStatementLike(FuzzedDataProvider data) {
        StringBuilder b = new StringBuilder();
        int pieces = data.consumeInt(0, 64);
        for (int k = 0; k < pieces && data.remainingBytes() > 0; k++) {
            switch (data.consumeInt(0, 9)) {
                case 0:
                    b.append('"').append(data.consumeString(12)).append('"');
                    break;
                case 1:
                    b.append(data.consumeLong());
                    break;
                case 2:
                    b.append(data.consumeRegularDouble());
                    break;
                case 3:
                    b.append(data.consumeAsciiString(8));
                    break;
                case 4:
                    b.append('.').append(data.pickValue(new String[] {"age", "name", "x"}));
                    break;
                default:
                    b.append(data.pickValue(PIECES));
                    break;
            }
            if (data.consumeBoolean()) {
                b.append(' ');
            }
        }
        check(b.toString());
    }

    static void check(String script) {
        List<Statement> statements;
        try {
            statements = PowQL.parse(script);
        } catch (QueryException e) {
            checkPosition(script, e);
            return;
        }
        for (Statement s : statements) {
            if (Printer.print(s).isEmpty()) {
                throw new AssertionError("empty canonical form for " + s);
            }
        }
    }

    private static void checkPosition(String script, QueryException e) {
        if (e.code() != ErrorCode.INVALID_ARGUMENT) {
            throw new AssertionError("parse error with code " + e.code() + ": " + e.getMessage(), e);
        }
        String[] lines = script.split("\n", -1);
        if (e.line() < 1 || e.line() > lines.length) {
            throw new AssertionError("line " + e.line() + " outside the " + lines.length + " lines of the input: "
                    + e.getMessage(), e);
        }
        int width = lines[e.line() - 1].length();
        if (e.column() < 1 || e.column() > width + 1) {
            throw new AssertionError("column " + e.column() + " outside line " + e.line() + " (" + width
                    + " chars): " + e.getMessage(), e);
        }
        if (!e.getMessage().startsWith("line " + e.line() + ", column " + e.column() + ": ")) {
            throw new AssertionError("message does not start with the position: " + e.getMessage(), e);
        }
    }
}
