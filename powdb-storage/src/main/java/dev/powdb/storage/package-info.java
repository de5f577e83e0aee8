/**
 * The public API of the PowDB storage engine: {@link dev.powdb.storage.Database}, transactions, schemas, rows,
 * options and errors. Everything in sub-packages is internal. May import its sub-packages; never a layer above
 * storage (query, backup, CLI).
 */
package dev.powdb.storage;
