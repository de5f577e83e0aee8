package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StealTimeTest {
    @Test
    void stealIsTheEighthValueOfTheAllCpusLineInTicksOfTenMilliseconds() {
        String stat = "cpu  3792578 83785 760886 7285061 214698 0 20456 7045 0 0\n"
                + "cpu0 1831561 37727 323922 3846800 41466 0 1777 3449 0 0\n"
                + "cpu1 1961016 46057 436963 3438260 173231 0 18679 3596 0 0\n"
                + "intr 1 2 3\n";
        assertEquals(70_450, StealTime.parse(stat));
    }

    @Test
    void missingLineOrValueIsUnknown() {
        assertEquals(-1, StealTime.parse("cpu0 1 2 3 4 5 6 7 8\nintr 1\n"), "no all-CPUs line");
        assertEquals(-1, StealTime.parse("cpu  1 2 3 4 5 6 7\n"), "a kernel without the steal column");
        assertEquals(-1, StealTime.parse("cpu  1 2 3 4 5 6 7 x\n"));
    }

    @Test
    void thisMachinesValueIsReadWhenItHasOne() {
        long now = StealTime.millisNow();
        if (Files.isReadable(Path.of("/proc/stat"))) {
            assertTrue(now >= 0, "a Linux /proc/stat has a steal column");
            assertTrue(StealTime.millisNow() >= now, "steal never goes back");
        } else {
            assertEquals(-1, now);
        }
    }
}
