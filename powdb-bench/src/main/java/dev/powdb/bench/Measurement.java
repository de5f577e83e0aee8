package dev.powdb.bench;

/** One timed workload on one engine: how many operations, how long, and whether the answer was right. */
final class Measurement {
    final long ops;
    final long nanos;
    /** Null when the workload ran and returned the expected answer; otherwise what went wrong. */
    final String problem;

    private Measurement(long ops, long nanos, String problem) {
        this.ops = ops;
        this.nanos = nanos;
        this.problem = problem;
    }

    static Measurement ok(long ops, long nanos) {
        return new Measurement(ops, nanos, null);
    }

    /** The workload finished but produced a wrong answer; its time is kept but never compared. */
    static Measurement wrong(long ops, long nanos, String problem) {
        return new Measurement(ops, nanos, "WRONG: " + problem);
    }

    static Measurement failed(String problem) {
        return new Measurement(0, 0, problem);
    }

    /** Whether the timing may be reported and compared. */
    boolean valid() {
        return problem == null && nanos > 0;
    }

    double opsPerSecond() {
        return ops * 1e9 / nanos;
    }

    double seconds() {
        return nanos / 1e9;
    }
}
