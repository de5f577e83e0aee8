package dev.powdb.storage.spi;

/**
 * Where an online backup starts (see {@link BackupSource#startLsn()}): at a checkpoint it runs itself, or at the
 * database's last checkpoint.
 *
 * <p>A new checkpoint writes every dirty page and fsyncs the data files before the copy starts, so the backup
 * carries only the WAL logged while it copies. Starting at the last checkpoint skips that work, but the backup then
 * carries (and a restore replays) all the WAL logged since that checkpoint. For a small increment, the start
 * checkpoint is most of the cost, so the choice matters there.
 */
public enum BackupStart {
    /** Always run a new checkpoint. */
    NEW_CHECKPOINT,
    /**
     * Start at the last checkpoint whenever the catalog is still the one it wrote (no schema change since); else
     * run a new one.
     */
    LAST_CHECKPOINT,
    /**
     * Start at the last checkpoint when, besides the catalog being unchanged, the WAL logged since it is at most
     * twice the bytes of the pages that are dirty now (what a new checkpoint would write) plus
     * {@link #CHEAPER_SLACK_BYTES}; else run a new checkpoint.
     */
    CHEAPER;

    /**
     * WAL bytes a {@link #CHEAPER} start accepts beyond twice the dirty pages' bytes, so that an increment of a
     * database with little written since its last checkpoint does not run one.
     */
    public static final long CHEAPER_SLACK_BYTES = 4L << 20;
}
