package dev.powdb.bench.backup;

/** Everything measured per system, data size and cache mode; each run adds one value of each that applies. */
enum Metric {
    /** Bytes a backup of the system has to cover (the basis of MB/s), see {@link BackupSystem#sourceBytes()}. */
    DATA_BYTES,
    /** Bytes of everything in the system's data directory. */
    DIR_BYTES,
    /** Seconds of the untimed-for-results load, for the log. */
    LOAD_SECONDS,
    /** Seconds of a full backup, the {@code sync} after it included. */
    FULL_SECONDS,
    /** Seconds of the {@code sync} after the full backup (part of {@link #FULL_SECONDS}). */
    FULL_SYNC_SECONDS,
    /** Bytes of the full backup on disk. */
    FULL_BYTES,
    /** Seconds of the system's own deep check of the full backup. */
    VERIFY_SECONDS,
    /** Seconds of {@code b3sum} over every file of the full backup (native BLAKE3, all cores). */
    B3SUM_SECONDS,
    /** Seconds of a restore of the full backup, the {@code sync} after it included. */
    RESTORE_SECONDS,
    /** Seconds of the {@code sync} after the restore (part of {@link #RESTORE_SECONDS}). */
    RESTORE_SYNC_SECONDS,
    /** Rows the change updated. */
    CHANGED_ROWS,
    /** Pages of the data files that differ after the change (engines that write pages in place). */
    CHANGED_PAGES,
    /** Pages of the data files after the change, for the percentage. */
    TOTAL_PAGES,
    /** Seconds of the incremental backup after the change, the {@code sync} after it included. */
    INC_SECONDS,
    /** Bytes the incremental backup added. */
    INC_BYTES,
    /** Seconds of a restore of the full backup plus the increment, the {@code sync} after it included. */
    CHAIN_RESTORE_SECONDS
}
