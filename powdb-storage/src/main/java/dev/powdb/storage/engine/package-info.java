/**
 * The engine proper: opening and recovery, transactions with undo, checkpoints, schema changes, table operations
 * and offline verification. May import every other storage package; nothing outside the storage module should
 * import it except through {@link dev.powdb.storage.Database#engine()}.
 */
package dev.powdb.storage.engine;
