/**
 * The narrow interface the backup layer uses to reach the engine: a consistent view of the durable files
 * ({@link dev.powdb.storage.spi.BackupSource}), page-image checks ({@link dev.powdb.storage.spi.PageImages}) and
 * the hook through which {@link dev.powdb.storage.Database#backup} finds the backup implementation
 * ({@link dev.powdb.storage.spi.BackupService}). May import {@code dev.powdb.storage} and its internals; nothing
 * outside storage may reach those internals except through this package.
 */
package dev.powdb.storage.spi;
