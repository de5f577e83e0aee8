/**
 * Paged B+tree indexes: {@link dev.powdb.storage.index.BTree} maps {@code (key, rowId)} entries to sorted leaves in
 * one {@code <table>_<column>.idx} file, with a meta page holding the root and height.
 *
 * <p>Owns: the byte layout of B+tree meta, inner and leaf pages ({@code docs/formats/btree.md}), insertion with node
 * splits, deletion, point and range lookups, and the structural verifier.
 *
 * <p>May import: the JDK, {@code dev.powdb.storage.page} (pages, edits, paged files) and the error types of
 * {@code dev.powdb.storage}. It must not import the heap, WAL, catalog or the database facade: callers pass in the
 * {@link dev.powdb.storage.page.EditLog} that logs each page change and hold the writer lock around mutations.
 */
package dev.powdb.storage.index;
