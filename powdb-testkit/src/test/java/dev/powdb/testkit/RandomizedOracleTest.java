package dev.powdb.testkit;

import dev.powdb.testkit.oracle.OracleWorkload;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeded random operation sequences against an in-memory oracle, on a fault-injecting file system with simulated
 * power losses (see {@link OracleWorkload} for what runs and what is checked). Each seed runs with one of four engine
 * configurations (seed mod 4): defaults; small pool, small WAL segments and background checkpoints; small pool; small
 * WAL segments and background checkpoints.
 *
 * <p>Rerun one seed with {@code mvn test -pl powdb-testkit -Dtest=RandomizedOracleTest -Dpowdb.seed=N}
 * (and optionally {@code -Dpowdb.steps=M}; {@code -Dpowdb.paranoid=true} checks every access path after every step
 * and {@code -Dpowdb.trace=true} prints each operation). A failure message names the seed, the step, the operation
 * and the operations before it. Seeds with background checkpoints reproduce the same operations, though the checkpoint's
 * timing (and so a crash's exact outcome) can vary from run to run.
 */
class RandomizedOracleTest {
    private static final int SEEDS = 10;
    private static final int STEPS = 500;

    @TestFactory
    Stream<DynamicTest> seededRuns() {
        String one = System.getProperty("powdb.seed");
        int steps = Integer.getInteger("powdb.steps", STEPS);
        LongStream seeds = one != null && !one.isBlank() ? LongStream.of(Long.parseLong(one.trim()))
                : LongStream.range(1, SEEDS + 1);
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            String summary = new OracleWorkload(seed, steps).run();
            System.out.println(summary);
        }));
    }
}
