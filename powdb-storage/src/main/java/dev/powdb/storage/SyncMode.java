package dev.powdb.storage;

/** When a commit reaches stable storage. */
public enum SyncMode {
    /** A commit returns only after its WAL record is fsynced; concurrent commits share one fsync (group commit). */
    FULL,
    /**
     * A commit returns once its WAL record is handed to the operating system; a background thread fsyncs at least
     * every {@link DatabaseOptions#normalSyncIntervalMillis()} ms. A process crash loses nothing; a power loss
     * loses at most that window.
     */
    NORMAL,
    /**
     * Commits never wait for fsync. Checkpoints still fsync before they finish, so the database stays
     * consistent after a power loss; only recent commits can be lost.
     */
    OFF;

    /** Parses {@code full}, {@code normal} or {@code off} (any case). */
    public static SyncMode parse(String s) {
        for (SyncMode m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "unknown sync mode '" + s
                + "': use full, normal or off");
    }
}
