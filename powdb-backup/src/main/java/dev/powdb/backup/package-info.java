/**
 * Backups of a PowDB data directory. This package currently holds the foundations: {@link dev.powdb.backup.Blake3}
 * (content hashes), {@link dev.powdb.backup.HashingFileCopier} (durable, atomically published, hash-while-copying
 * file copies) and {@link dev.powdb.backup.BackupManifest} (the self-checked {@code manifest.json} of a backup,
 * specified in {@code docs/formats/backup.md}).
 *
 * <p>May import {@code dev.powdb.storage} (the engine's public API: errors, {@code DataDirectory}), BouncyCastle
 * and Jackson. Never imports engine internals ({@code dev.powdb.storage.*} sub-packages), the query layer or the
 * CLI; the backup itself will reach the engine only through the facade's backup SPI.
 */
package dev.powdb.backup;
