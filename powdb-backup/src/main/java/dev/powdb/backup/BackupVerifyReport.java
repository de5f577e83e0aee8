package dev.powdb.backup;

import java.util.List;

/**
 * The outcome of {@link Backups#verify}: every problem found (empty when the backup is intact) and what was checked.
 *
 * @param backups       the backups checked, in chain order
 * @param level         how deep the check went
 * @param filesChecked  stored files checked
 * @param bytesHashed   bytes whose BLAKE3 was computed (0 for a quick check)
 * @param drill         the restore drill's result, or null when none was asked for
 * @param problems      what is wrong, in the order found
 * @param millis        wall-clock duration
 */
public record BackupVerifyReport(List<String> backups, VerifyLevel level, int filesChecked, long bytesHashed,
                                 RestoreSummary drill, List<Problem> problems, long millis) {
    /**
     * One defect.
     *
     * @param backup  the backup directory it was found in
     * @param file    the file (or {@code manifest.json}, or {@code (chain)})
     * @param check   the check that failed: {@code manifest}, {@code chain}, {@code presence}, {@code length},
     *                {@code blake3}, {@code page}, {@code delta}, {@code drill}
     * @param message what is wrong, with expected and actual values
     * @param remedy  what the operator can do
     */
    public record Problem(String backup, String file, String check, String message, String remedy) {
    }

    public BackupVerifyReport {
        backups = List.copyOf(backups);
        problems = List.copyOf(problems);
    }

    /** Whether nothing is wrong. */
    public boolean intact() {
        return problems.isEmpty();
    }
}
