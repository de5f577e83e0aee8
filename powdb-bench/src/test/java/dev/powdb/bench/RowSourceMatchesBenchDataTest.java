package dev.powdb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.powdb.bench.backup.RowSource;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The backup bench streams the storage bench's rows; both must yield the same sequence for the same seed. */
class RowSourceMatchesBenchDataTest {

    @Test
    void sameRowsAsBenchData() {
        int rows = 3_000;
        for (long seed : new long[] {42, 7}) {
            BenchData data = new BenchData(rows, 0, 0, seed);
            RowSource source = new RowSource(rows, seed);
            long ageSum = 0;
            for (int i = 0; i < rows; i++) {
                assertEquals(BenchData.id(i), source.next());
                assertEquals(data.names[i], source.name());
                assertEquals(data.names[i], new String(source.nameBytes(), StandardCharsets.US_ASCII));
                assertEquals(data.ages[i], source.age());
                ageSum += data.ages[i];
            }
            assertFalse(source.hasNext());
            assertThrows(IllegalStateException.class, source::next);
            assertEquals(ageSum, RowSource.ageSum(rows, seed));
        }
    }
}
