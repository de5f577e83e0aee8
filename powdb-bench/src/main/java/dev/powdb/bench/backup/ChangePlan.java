package dev.powdb.bench.backup;

/**
 * Which rows the incremental workload updates: {@code count} distinct ids spread evenly over {@code 1..rows}, so that
 * in a heap file filled in id order each update lands on a different page (as long as the stride between two ids is
 * larger than the rows one page holds) and the changed pages are a known fraction of the file.
 */
public final class ChangePlan {
    private ChangePlan() {
    }

    /**
     * The number of rows to update so that about {@code percent} percent of {@code totalPages} pages change when every
     * update touches its own page: at least 1, at most {@code rows}.
     */
    public static int updatesFor(long totalPages, double percent, long rows) {
        if (totalPages < 1 || rows < 1 || !(percent > 0) || percent > 100) {
            throw new IllegalArgumentException("need totalPages >= 1, rows >= 1 and 0 < percent <= 100, got "
                    + totalPages + ", " + rows + ", " + percent);
        }
        long n = Math.round(totalPages * percent / 100.0);
        return (int) Math.max(1, Math.min(rows, Math.min(n, Integer.MAX_VALUE)));
    }

    /**
     * {@code count} distinct ids in ascending order, the k-th (0-based) at the middle of the k-th of {@code count}
     * equal slices of {@code 1..rows}.
     */
    public static long[] spreadIds(long rows, int count) {
        if (count < 1 || count > rows) {
            throw new IllegalArgumentException("count must be in 1.." + rows + ", got " + count);
        }
        long[] ids = new long[count];
        for (int k = 0; k < count; k++) {
            // (2k + 1) * rows / (2 * count): the slice's midpoint, computed without floating point.
            ids[k] = 1 + (2L * k + 1) * rows / (2L * count);
        }
        return ids;
    }
}
