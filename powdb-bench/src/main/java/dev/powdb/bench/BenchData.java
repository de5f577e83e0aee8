package dev.powdb.bench;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The rows and keys every engine receives, generated once from a seed so all engines see identical data, plus the
 * answers each workload must produce (so a fast wrong engine is caught, not celebrated).
 *
 * <p>Row {@code i} (0-based) has {@code id = i + 1}, a name of exactly {@link #NAME_BYTES} ASCII bytes and an age in
 * 0..99. Rows are loaded in id order.
 */
final class BenchData {
    /** Length in bytes (and chars: names are ASCII) of every generated name. */
    static final int NAME_BYTES = 80;
    /** The age the filtered scan counts. */
    static final int SCAN_AGE = 42;

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
            .toCharArray();

    final int rows;
    final String[] names;
    final int[] ages;
    /** Ids looked up in workload 3, uniformly random over 1..rows (repeats allowed). */
    final long[] lookupIds;
    /** Ids updated in workload 5, uniformly random over 1..rows (repeats allowed). */
    final long[] updateIds;

    /** Expected checksum of workload 3: see {@link #rowChecksum(String, long)}. */
    final long expectedLookupChecksum;
    /** Expected result of workload 4. */
    final long expectedScanCount;
    /** Sum of all ages after workload 5 (each update adds one). */
    final long expectedAgeSumAfterUpdates;
    /** Workload 3's checksum over the same ids once workload 5 has run (names are unchanged, ages moved). */
    final long expectedLookupChecksumAfterUpdates;
    /** Rows with {@code age = SCAN_AGE} once workload 5 has run. */
    final long expectedScanCountAfterUpdates;

    BenchData(int rows, int lookups, int updates, long seed) {
        this.rows = rows;
        this.names = new String[rows];
        this.ages = new int[rows];
        Random random = new Random(seed);
        char[] buf = new char[NAME_BYTES];
        long ageSum = 0;
        long scanCount = 0;
        for (int i = 0; i < rows; i++) {
            long id = i + 1;
            String prefix = "user-" + id + "-";
            prefix.getChars(0, prefix.length(), buf, 0);
            for (int j = prefix.length(); j < NAME_BYTES; j++) {
                buf[j] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            names[i] = new String(buf);
            ages[i] = random.nextInt(100);
            ageSum += ages[i];
            if (ages[i] == SCAN_AGE) {
                scanCount++;
            }
        }
        SplittableRandom keys = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.lookupIds = new long[lookups];
        long checksum = 0;
        for (int i = 0; i < lookups; i++) {
            lookupIds[i] = 1 + keys.nextInt(rows);
            int row = (int) lookupIds[i] - 1;
            checksum += rowChecksum(names[row], ages[row]);
        }
        this.updateIds = new long[updates];
        for (int i = 0; i < updates; i++) {
            updateIds[i] = 1 + keys.nextInt(rows);
        }
        this.expectedLookupChecksum = checksum;
        this.expectedScanCount = scanCount;
        this.expectedAgeSumAfterUpdates = ageSum + updates;

        int[] updated = ages.clone();
        for (long id : updateIds) {
            updated[(int) id - 1]++;
        }
        long checksumAfter = 0;
        for (long id : lookupIds) {
            checksumAfter += rowChecksum(names[(int) id - 1], updated[(int) id - 1]);
        }
        long scanAfter = 0;
        for (int age : updated) {
            if (age == SCAN_AGE) {
                scanAfter++;
            }
        }
        this.expectedLookupChecksumAfterUpdates = checksumAfter;
        this.expectedScanCountAfterUpdates = scanAfter;
    }

    /** Id of row {@code i}. */
    static long id(int i) {
        return i + 1L;
    }

    /** What one looked-up row adds to the lookup checksum; every engine must compute it from what it read. */
    static long rowChecksum(String name, long age) {
        return name.hashCode() * 101L + age;
    }
}
