package dev.powdb.bench.backup;

import java.util.Random;

/**
 * Streams the rows of the storage benchmark's {@code BenchData} one at a time, so a data set of several million rows
 * need not sit in the heap: row {@code i} (0-based) has {@code id = i + 1}, a name of exactly {@link #NAME_BYTES}
 * ASCII bytes that starts {@code user-<id>-} and continues with characters drawn from {@code java.util.Random(seed)},
 * and an age in 0..99 from the same generator. The sequence is the same as {@code BenchData}'s for the same seed (a
 * unit test compares them).
 *
 * <p>Not thread-safe; {@link #name()} and {@link #age()} describe the row of the last {@link #next()}.
 */
public final class RowSource {
    /** Bytes (and chars: ASCII) in every name. */
    public static final int NAME_BYTES = 80;

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
            .toCharArray();

    private final long rows;
    private final Random random;
    private final char[] name = new char[NAME_BYTES];
    private final byte[] nameBytes = new byte[NAME_BYTES];
    private long produced;
    private int age;

    /** The first {@code rows} rows of the sequence for {@code seed}. */
    public RowSource(long rows, long seed) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be positive: " + rows);
        }
        this.rows = rows;
        this.random = new Random(seed);
    }

    /** Number of rows this source yields. */
    public long rows() {
        return rows;
    }

    /** Whether another row follows. */
    public boolean hasNext() {
        return produced < rows;
    }

    /**
     * Advances to the next row and returns its id.
     *
     * @throws IllegalStateException after the last row
     */
    public long next() {
        if (!hasNext()) {
            throw new IllegalStateException("all " + rows + " rows were produced");
        }
        long id = ++produced;
        String prefix = "user-" + id + "-";
        prefix.getChars(0, prefix.length(), name, 0);
        for (int j = prefix.length(); j < NAME_BYTES; j++) {
            name[j] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        for (int j = 0; j < NAME_BYTES; j++) {
            nameBytes[j] = (byte) name[j];
        }
        age = random.nextInt(100);
        return id;
    }

    /** Name of the current row as a new string. */
    public String name() {
        return new String(name);
    }

    /** Name of the current row as ASCII bytes; the array is reused by the next call to {@link #next()}. */
    public byte[] nameBytes() {
        return nameBytes;
    }

    /** Age of the current row. */
    public int age() {
        return age;
    }

    /** Sum of the ages of all rows of a fresh source with these parameters (reads the whole sequence). */
    public static long ageSum(long rows, long seed) {
        RowSource source = new RowSource(rows, seed);
        long sum = 0;
        while (source.hasNext()) {
            source.next();
            sum += source.age();
        }
        return sum;
    }
}
