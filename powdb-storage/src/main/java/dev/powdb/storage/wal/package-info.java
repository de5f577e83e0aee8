/**
 * The write-ahead log: record framing, segment files, the group-committing writer and the recovery scanner that
 * tells a torn tail from damage. Imports {@code io}, {@code page} (byte helpers and the flush gate) and the error
 * types.
 */
package dev.powdb.storage.wal;
