/**
 * Backup benchmark: full backup, deep verify, restore and a 1%-of-pages incremental of the same generated rows in
 * PowDB ({@code powdb-backup}'s {@code Backups} facade), next to {@code cp -r} + {@code sync}, SQLite's
 * {@code backup to} (JDBC), RocksDB's {@code BackupEngine} (Java binding) and H2's {@code BACKUP TO}; and, with
 * {@code --parts}, PowDB alone online: writer commit latency during a backup, increments after 0.1–10% changes with
 * the bytes they read, and WAL replay speed ({@link dev.powdb.bench.backup.OnlineBench}).
 *
 * <p>May import the PowDB storage facade and the backup module's public API, {@code java.sql}, the RocksDB Java
 * binding, H2's {@code org.h2.tools.Restore} (H2's documented way back from a {@code BACKUP TO} zip), BouncyCastle's
 * BLAKE3 digest and the native BLAKE3 binding (only in {@link dev.powdb.bench.backup.Blake3Probe}), HdrHistogram
 * (commit latencies), the storage engine's {@code Engine.abandonForTesting()} (the replay part's simulated crash),
 * and the JDK (with {@code com.sun.management}'s GC notifications, in {@link dev.powdb.bench.backup.GcRecorder}).
 * Nothing here runs in the test suite except the small helpers' unit tests.
 */
package dev.powdb.bench.backup;
