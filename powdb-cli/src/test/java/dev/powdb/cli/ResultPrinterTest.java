package dev.powdb.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every output format of {@link ResultPrinter}, and that each result is flushed. */
class ResultPrinterTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** A printer over a stream that holds everything until flushed, so a missing flush shows as missing output. */
    private ResultPrinter printer(ResultPrinter.Format format) {
        PrintStream ps = new PrintStream(new BufferedOutputStream(bytes, 1 << 16), false, StandardCharsets.UTF_8);
        return new ResultPrinter(ps, format);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static final List<String> COLUMNS = List.of("id", "name", "data", "at", "ok", "score");
    private static final List<List<Object>> ROWS = List.of(
            Arrays.asList(1L, "Ada", new byte[] {0x0a, (byte) 0xff}, Instant.parse("2024-05-06T07:08:09.123456Z"),
                    true, 1.5),
            Arrays.asList(22L, "tab\there\nnew\\line", null, null, null, null));

    @Test
    void tableAlignsColumnsRightAlignsNumbersAndCountsRows() {
        printer(ResultPrinter.Format.TABLE).rows(COLUMNS, ROWS);
        assertEquals(String.join("\n",
                "id | name                 | data | at                          | ok   | score",
                "---+----------------------+------+-----------------------------+------+------",
                " 1 | Ada                  | 0aff | 2024-05-06T07:08:09.123456Z | true |   1.5",
                "22 | tab\\there\\nnew\\\\line | null | null                        | null |  null",
                "(2 rows)", ""), text());
    }

    @Test
    void tableWithOneOrNoRows() {
        ResultPrinter p = printer(ResultPrinter.Format.TABLE);
        p.rows(List.of("n"), List.of(List.of(7L)));
        p.rows(List.of("name"), List.of());
        assertEquals("n\n-\n7\n(1 row)\nname\n----\n(0 rows)\n", text());
    }

    @Test
    void tsvHasHeaderEscapesAndEmptyNulls() {
        printer(ResultPrinter.Format.TSV).rows(COLUMNS, ROWS);
        assertEquals("id\tname\tdata\tat\tok\tscore\n"
                + "1\tAda\t0aff\t2024-05-06T07:08:09.123456Z\ttrue\t1.5\n"
                + "22\ttab\\there\\nnew\\\\line\t\t\t\t\n", text());
    }

    @Test
    void tsvOfNoRowsIsTheHeaderAlone() {
        printer(ResultPrinter.Format.TSV).rows(List.of("a\tb", "c"), List.of());
        assertEquals("a\\tb\tc\n", text());
    }

    @Test
    void jsonIsOneObjectPerRowInColumnOrder() {
        printer(ResultPrinter.Format.JSON).rows(COLUMNS, ROWS);
        assertEquals("{\"id\":1,\"name\":\"Ada\",\"data\":\"0aff\",\"at\":\"2024-05-06T07:08:09.123456Z\","
                + "\"ok\":true,\"score\":1.5}\n"
                + "{\"id\":22,\"name\":\"tab\\there\\nnew\\\\line\",\"data\":null,\"at\":null,\"ok\":null,"
                + "\"score\":null}\n", text());
    }

    @Test
    void jsonWritesNonFiniteFloatsAsStrings() {
        printer(ResultPrinter.Format.JSON).rows(List.of("x"), List.of(List.of(Double.NaN)));
        assertEquals("{\"x\":\"NaN\"}\n", text());
    }

    @Test
    void scalarIsTheBareValueOnItsOwnLine() {
        ResultPrinter p = printer(ResultPrinter.Format.TABLE);
        p.scalar(42L);
        p.scalar(null);
        p.scalar(new byte[] {1, 2});
        p.scalar("two words");
        assertEquals("42\nnull\n0102\ntwo words\n", text());
    }

    @Test
    void scalarInTsvMatchesTable() {
        ResultPrinter p = printer(ResultPrinter.Format.TSV);
        p.scalar(2.5);
        p.scalar(Instant.parse("2024-01-01T00:00:00Z"));
        assertEquals("2.5\n2024-01-01T00:00:00Z\n", text());
    }

    @Test
    void scalarInJsonIsAJsonValue() {
        ResultPrinter p = printer(ResultPrinter.Format.JSON);
        p.scalar(42L);
        p.scalar("a\"b");
        p.scalar(null);
        p.scalar(new byte[] {(byte) 0xab});
        assertEquals("42\n\"a\\\"b\"\nnull\n\"ab\"\n", text());
    }

    @Test
    void messagesPrintAsGivenInEveryFormat() {
        for (ResultPrinter.Format f : ResultPrinter.Format.values()) {
            bytes.reset();
            printer(f).message("inserted 1 row\tok");
            assertEquals("inserted 1 row\tok\n", text(), f.name());
        }
    }

    @Test
    void formatChoice() {
        assertEquals(ResultPrinter.Format.JSON, ResultPrinter.Format.choose(true, true));
        assertEquals(ResultPrinter.Format.JSON, ResultPrinter.Format.choose(true, false));
        assertEquals(ResultPrinter.Format.TABLE, ResultPrinter.Format.choose(false, true));
        assertEquals(ResultPrinter.Format.TSV, ResultPrinter.Format.choose(false, false));
    }
}
