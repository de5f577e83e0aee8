package dev.powdb.storage.spi;

import java.nio.file.Path;

/**
 * What a finished backup wrote.
 *
 * @param directory      the backup directory
 * @param incremental    whether it is an increment on top of a parent backup
 * @param sourceLsn      LSN the backup is consistent at
 * @param files          files written, the manifest not counted
 * @param bytes          bytes written, the manifest not counted
 * @param manifestBlake3 the manifest's self-hash, which an increment on top of this backup names as its parent
 * @param millis         wall-clock duration
 * @param startLsn       LSN of the checkpoint the backup started at
 * @param walPieces      WAL segments kept for replay (0 when nothing was logged while it copied)
 * @param changeSource   for an increment, how changed pages were found: {@code "tracked"} (the engine's record),
 *                       {@code "scanned"} (every page's LSN read) or {@code "mixed"}; {@code "full"} otherwise
 * @param startedAtLastCheckpoint whether the backup started at the database's last checkpoint (see
 *                       {@link BackupStart}) instead of running a new one
 */
public record BackupSummary(Path directory, boolean incremental, long sourceLsn, int files, long bytes,
                            String manifestBlake3, long millis, long startLsn, int walPieces, String changeSource,
                            boolean startedAtLastCheckpoint) {
}
