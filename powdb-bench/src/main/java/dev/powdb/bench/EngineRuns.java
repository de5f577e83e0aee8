package dev.powdb.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * All repetitions of the suite on one engine, and their summary: the median of each workload's ops/s, used only
 * when every repetition of that workload ran and was right.
 */
final class EngineRuns {
    final String engine;
    final List<EngineResult> runs = new ArrayList<>();

    EngineRuns(String engine) {
        this.engine = engine;
    }

    /** The description reported by the first run that opened the engine. */
    String description() {
        for (EngineResult r : runs) {
            if (!r.description.equals(EngineResult.NOT_OPENED)) {
                return r.description;
            }
        }
        return EngineResult.NOT_OPENED;
    }

    /** Whether every repetition ran {@code w} and got the right answer. */
    boolean allValid(Workload w) {
        if (runs.isEmpty()) {
            return false;
        }
        for (EngineResult r : runs) {
            Measurement m = r.get(w);
            if (m == null || !m.valid()) {
                return false;
            }
        }
        return true;
    }

    /** Median ops/s of {@code w} over the repetitions; NaN unless {@link #allValid(Workload)}. */
    double medianOpsPerSecond(Workload w) {
        return allValid(w) ? median(values(w, true)) : Double.NaN;
    }

    /** Median wall time of {@code w} in seconds; NaN unless {@link #allValid(Workload)}. */
    double medianSeconds(Workload w) {
        return allValid(w) ? median(values(w, false)) : Double.NaN;
    }

    /** ops/s of {@code w} in each repetition, in run order; NaN for a repetition where it was not valid. */
    double[] opsPerSecondByRun(Workload w) {
        double[] v = new double[runs.size()];
        for (int i = 0; i < v.length; i++) {
            Measurement m = runs.get(i).get(w);
            v[i] = m != null && m.valid() ? m.opsPerSecond() : Double.NaN;
        }
        return v;
    }

    /** Operations per repetition of {@code w} (the largest seen), 0 if it never ran. */
    long ops(Workload w) {
        long ops = 0;
        for (EngineResult r : runs) {
            Measurement m = r.get(w);
            if (m != null) {
                ops = Math.max(ops, m.ops);
            }
        }
        return ops;
    }

    private double[] values(Workload w, boolean rate) {
        double[] v = new double[runs.size()];
        for (int i = 0; i < v.length; i++) {
            Measurement m = runs.get(i).get(w);
            v[i] = rate ? m.opsPerSecond() : m.seconds();
        }
        return v;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
