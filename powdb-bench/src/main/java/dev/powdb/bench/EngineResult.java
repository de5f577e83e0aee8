package dev.powdb.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Everything measured in one run of the suite on one engine. */
final class EngineResult {
    static final String NOT_OPENED = "(not opened)";

    final String engine;
    String description = NOT_OPENED;
    /** Bytes of the engine's directory right after the bulk load committed, or -1 if unknown. */
    long bytesAfterLoad = -1;
    /** Bytes of the engine's directory after close, or -1 if unknown. */
    long bytesAfterClose = -1;
    final Map<Workload, Measurement> measurements = new EnumMap<>(Workload.class);
    /** Problems outside any workload (open, close); empty when there were none. */
    final List<String> otherProblems = new ArrayList<>();

    EngineResult(String engine) {
        this.engine = engine;
    }

    /** The measurement of {@code w}, or null if it did not run. */
    Measurement get(Workload w) {
        return measurements.get(w);
    }
}
