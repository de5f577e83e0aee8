package dev.powdb.backup;

/**
 * Receives the progress of a long backup, restore or verify, for a progress bar. Calls come from the thread running
 * the task; implementations need not be thread-safe.
 */
public interface BackupProgress {
    /** Reports nothing. */
    BackupProgress NONE = new BackupProgress() {
        @Override
        public void begin(String task, long totalBytes) {
        }

        @Override
        public void advance(long bytes) {
        }

        @Override
        public void end() {
        }
    };

    /**
     * A task starts.
     *
     * @param task       what runs, for a label ({@code "backup"}, {@code "restore"}, {@code "verify"}, ...)
     * @param totalBytes bytes the task will process (an estimate; 0 when unknown)
     */
    default void begin(String task, long totalBytes) {
    }

    /** {@code bytes} more bytes were processed. */
    void advance(long bytes);

    /** The task ended (successfully or not). */
    default void end() {
    }
}
