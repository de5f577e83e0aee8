package dev.powdb.testkit;

import dev.powdb.testkit.oracle.CrashRound;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For each {@link CrashMode}, many small seeded rounds of {@link CrashRound}: durable FULL commits, then work a crash
 * may lose (an open transaction, commits cut off by a power-off, {@code normal}/{@code off} commits, a cut-off
 * checkpoint), a crash, and a reopen that must give back the state after some whole commit, never older than the
 * last durable one, with every row exactly as committed.
 *
 * <p>Round seeds are {@code mode.ordinal() * 10000 + round}; rerun one with {@code -Dpowdb.seed=N}.
 */
class CrashModeTest {
    private static final int ROUNDS = 120;

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void committedWorkSurvivesAndOnlyWholeCommitsComeBack(CrashMode mode) {
        String one = System.getProperty("powdb.seed");
        if (one != null && !one.isBlank()) {
            long seed = Long.parseLong(one.trim());
            if (seed / 10_000 == mode.ordinal()) {
                new CrashRound(seed, mode).run();
            }
            return;
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            String outcome = new CrashRound(mode.ordinal() * 10_000L + round, mode).run();
            String variant = outcome.substring(0, outcome.indexOf(' '));
            boolean newest = isNewest(outcome);
            outcomes.merge(variant + (newest ? " newest" : " older"), 1, Integer::sum);
        }
        System.out.println(mode + ": " + outcomes);
        for (CrashRound.Variant v : CrashRound.Variant.values()) {
            assertTrue(outcomes.keySet().stream().anyMatch(k -> k.startsWith(v.name())),
                    "no round of variant " + v + " ran: " + outcomes);
        }
    }

    /** Whether the recovered state was the newest one committed (outcome "#i of n"). */
    private static boolean isNewest(String outcome) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#(\\d+) of (\\d+)").matcher(outcome);
        return m.find() && Integer.parseInt(m.group(1)) == Integer.parseInt(m.group(2)) - 1;
    }
}
