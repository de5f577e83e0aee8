/**
 * The schema as stored: immutable {@link dev.powdb.storage.catalog.Catalog} versions, their serialisation and the
 * atomically replaced {@code catalog.bin}. Imports {@code io}, {@code page} (byte helpers), {@code util} and the
 * public schema types.
 */
package dev.powdb.storage.catalog;
