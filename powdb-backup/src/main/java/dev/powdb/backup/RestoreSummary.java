package dev.powdb.backup;

import java.nio.file.Path;

/**
 * What a finished restore produced.
 *
 * @param directory  the restored data directory
 * @param sourceLsn  LSN of the restored state (the last backup of the chain), proved by opening the result
 * @param files      data files restored
 * @param bytes      bytes of the restored data files
 * @param backups    backups applied (1 for a full backup alone)
 * @param millis     wall-clock duration
 */
public record RestoreSummary(Path directory, long sourceLsn, int files, long bytes, int backups, long millis) {
}
