package dev.powdb.bench.backup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Every value measured, by data size, system, cache mode and metric, in the order the runs produced them; the
 * report reads medians. Sizes are the target sizes in MB given with {@code --sizes}.
 */
final class Results {
    /** Where one value belongs. */
    record Key(int sizeMb, String system, CacheMode mode, Metric metric) {
    }

    private final Map<Key, List<Double>> values = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    /** Rows loaded per size. */
    private final Map<Integer, Long> rowsBySize = new LinkedHashMap<>();
    /** describe() of each system, by name. */
    private final Map<String, String> descriptions = new LinkedHashMap<>();

    void add(int sizeMb, String system, CacheMode mode, Metric metric, double value) {
        values.computeIfAbsent(new Key(sizeMb, system, mode, metric), k -> new ArrayList<>()).add(value);
    }

    /** All values of one cell, in run order (empty when never measured). */
    List<Double> all(int sizeMb, String system, CacheMode mode, Metric metric) {
        return values.getOrDefault(new Key(sizeMb, system, mode, metric), List.of());
    }

    /** Median of one cell, or empty when it was never measured. */
    OptionalDouble median(int sizeMb, String system, CacheMode mode, Metric metric) {
        return median(all(sizeMb, system, mode, metric));
    }

    /** The middle value, or the mean of the two middle values of an even count; empty for no values. */
    static OptionalDouble median(List<Double> list) {
        if (list.isEmpty()) {
            return OptionalDouble.empty();
        }
        double[] sorted = list.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return OptionalDouble.of(sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
    }

    void failure(String message) {
        failures.add(message);
    }

    List<String> failures() {
        return failures;
    }

    void rows(int sizeMb, long rows) {
        rowsBySize.put(sizeMb, rows);
    }

    long rows(int sizeMb) {
        return rowsBySize.getOrDefault(sizeMb, 0L);
    }

    void describe(String system, String description) {
        descriptions.putIfAbsent(system, description);
    }

    Map<String, String> descriptions() {
        return descriptions;
    }
}
