package dev.powdb.testkit;

/**
 * What a simulated power loss ({@link FaultyFs#crash(CrashMode)}) does to data that was not yet durable. Data made
 * durable by a successful sync is never changed by any mode.
 */
public enum CrashMode {
    /** Every unsynced write, truncation and directory change is lost: only durable state survives. */
    DROP_ALL,
    /**
     * Everything reaches the disk, as when only the process dies and the operating system survives: every file keeps
     * what readers saw just before the crash (including writes whose fsync failed) and every directory change stays.
     */
    KEEP_ALL,
    /**
     * Each unsynced write is independently kept, dropped, zeroed (its range reads as zeros), cut to a random prefix,
     * or kept with a few bits flipped; each unsynced truncation is kept or dropped. Because the choices are
     * independent, a later write may survive while an earlier one is lost. Directory changes survive as a random
     * prefix of the order they were made in (like a metadata journal).
     */
    RANDOM,
    /**
     * Each unsynced write is split at the file's 512-byte sector boundaries and each piece independently survives or
     * is lost, so a page can end up part new, part old; nothing is zeroed or flipped and truncations are kept.
     * Directory changes survive as a random prefix of the order they were made in.
     */
    TORN
}
