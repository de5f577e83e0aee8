package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChangePlanTest {

    @Test
    void onePercentOfPages() {
        assertEquals(233, ChangePlan.updatesFor(23_268, 1.0, 721_501));
        assertEquals(1, ChangePlan.updatesFor(10, 1.0, 100), "never fewer than one update");
        assertEquals(5, ChangePlan.updatesFor(1_000, 100, 5), "never more updates than rows");
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.updatesFor(0, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.updatesFor(10, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.updatesFor(10, 101, 10));
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.updatesFor(10, Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.updatesFor(10, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.spreadIds(10, 0));
        assertThrows(IllegalArgumentException.class, () -> ChangePlan.spreadIds(10, 11));
    }

    @Test
    void idsAreDistinctInRangeAndEvenlySpaced() {
        long rows = 721_501;
        long[] ids = ChangePlan.spreadIds(rows, 233);
        assertEquals(233, ids.length);
        long stride = rows / 233;
        for (int k = 0; k < ids.length; k++) {
            assertTrue(ids[k] >= 1 && ids[k] <= rows, "in range: " + ids[k]);
            if (k > 0) {
                long gap = ids[k] - ids[k - 1];
                assertTrue(gap == stride || gap == stride + 1, "even gap, got " + gap);
            }
        }
        assertTrue(ids[0] > 1 && ids[ids.length - 1] < rows, "midpoints of slices, not the ends");
    }

    @Test
    void everyRowWhenCountEqualsRows() {
        long[] ids = ChangePlan.spreadIds(5, 5);
        assertEquals(5, ids.length);
        for (int k = 0; k < 5; k++) {
            assertEquals(k + 1, ids[k]);
        }
    }
}
