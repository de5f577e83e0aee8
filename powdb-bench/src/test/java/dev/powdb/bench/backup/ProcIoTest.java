package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcIoTest {
    private static final String SAMPLE = """
            rchar: 44871239
            wchar: 160342836
            syscr: 2160
            syscw: 10043
            read_bytes: 26722304
            write_bytes: 126099456
            cancelled_write_bytes: 0
            """;

    @Test
    void parsesTheFiveCounters() throws Exception {
        ProcIo io = ProcIo.parse(SAMPLE);
        assertEquals(new ProcIo(44_871_239, 160_342_836, 2160, 26_722_304, 126_099_456), io);
    }

    @Test
    void growthBetweenTwoReadings() throws Exception {
        ProcIo before = ProcIo.parse(SAMPLE);
        ProcIo after = ProcIo.parse(SAMPLE.replace("rchar: 44871239", "rchar: 45471982")
                .replace("syscr: 2160", "syscr: 12045").replace("read_bytes: 26722304", "read_bytes: 67268608"));
        assertEquals(new ProcIo(600_743, 0, 9885, 40_546_304, 0), after.since(before));
    }

    @Test
    void missingOrBadCountersAreErrors() {
        IOException missing = assertThrows(IOException.class,
                () -> ProcIo.parse(SAMPLE.replace("syscr: 2160\n", "")));
        assertTrue(missing.getMessage().contains("no 'syscr' line"), missing.getMessage());
        IOException bad = assertThrows(IOException.class, () -> ProcIo.parse(SAMPLE.replace("2160", "many")));
        assertTrue(bad.getMessage().contains("'syscr' is not a number"), bad.getMessage());
        assertThrows(IOException.class, () -> ProcIo.parse(""));
    }

    @Test
    void readsThisProcessWhereAvailable() throws Exception {
        if (ProcIo.available()) {
            ProcIo io = ProcIo.now();
            assertTrue(io.rcharBytes() > 0, "a JVM that loaded classes has read something");
        }
    }
}
