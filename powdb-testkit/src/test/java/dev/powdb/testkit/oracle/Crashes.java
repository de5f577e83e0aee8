package dev.powdb.testkit.oracle;

import dev.powdb.storage.Database;

import java.io.IOException;

/** Helpers for simulating the death of the process that has a database open. */
public final class Crashes {
    private Crashes() {
    }

    /**
     * Lets go of {@code db} as if its process had been killed: nothing is flushed or checkpointed. Errors are
     * ignored: on a stopped machine even releasing the lock fails, and the crash that follows releases it.
     */
    public static void abandon(Database db) {
        try {
            db.engine().abandonForTesting();
        } catch (IOException | RuntimeException e) {
            // See above: the simulated crash that follows cleans up.
        }
    }
}
