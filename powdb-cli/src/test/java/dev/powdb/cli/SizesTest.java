package dev.powdb.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How amounts are written for people, and that progress stays off standard error when not on a terminal. */
class SizesTest {
    @Test
    void sizesUseBinaryUnitsWithOneDecimal() {
        assertEquals("0 B", Sizes.bytes(0));
        assertEquals("1023 B", Sizes.bytes(1023));
        assertEquals("1.0 KiB", Sizes.bytes(1024));
        assertEquals("104.3 MiB", Sizes.bytes(109_366_476));
        assertEquals("2.0 GiB", Sizes.bytes(2L << 30));
    }

    @Test
    void ratesAndDurations() {
        assertEquals("0.42 s", Sizes.seconds(420));
        assertEquals("248.3 MiB/s", Sizes.rate(260_360_601, 1000));
        assertNull(Sizes.rate(1000, 0));
        assertEquals("1.0 MiB in 0.00 s", Sizes.amountAndTime(1 << 20, 0));
        assertEquals("1.0 MiB in 0.50 s (2.0 MiB/s)", Sizes.amountAndTime(1 << 20, 500));
        assertEquals(2000, Sizes.bytesPerSecond(1000, 500));
        assertEquals(0, Sizes.bytesPerSecond(1000, 0));
        assertEquals("1.5%", Sizes.percent(3, 200));
        assertEquals("0.0%", Sizes.percent(3, 0));
        assertEquals("1 file", Sizes.count(1, "file", "files"));
        assertEquals("7 files", Sizes.count(7, "file", "files"));
    }

    @Test
    void decimalPointWhateverTheLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("1.5 KiB", Sizes.bytes(1536));
            assertEquals("0.42 s", Sizes.seconds(420));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void progressIsSilentOffATerminalAndDrawnOnOne() {
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        TerminalProgress off = new TerminalProgress(new PrintStream(quiet, true, StandardCharsets.UTF_8), false,
                "MiB", 1 << 20);
        off.begin("backup", 10 << 20);
        off.advance(5 << 20);
        off.end();
        assertEquals(0, quiet.size());

        ByteArrayOutputStream drawn = new ByteArrayOutputStream();
        TerminalProgress on = new TerminalProgress(new PrintStream(drawn, true, StandardCharsets.UTF_8), true,
                "MiB", 1 << 20);
        on.begin("restore", 10 << 20);
        on.advance(10 << 20);
        on.end();
        on.end();   // a second end is harmless
        String bar = drawn.toString(StandardCharsets.UTF_8);
        assertTrue(bar.contains("restore") && bar.contains("100%"), bar);
    }
}
