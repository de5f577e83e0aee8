/**
 * Pages and paged files: the 4096-byte page with its LSN and CRC32C, logged edits ({@link
 * dev.powdb.storage.page.PageEdit}), the buffer pool and the write-ahead gate. Imports {@code io} and the error
 * types only.
 */
package dev.powdb.storage.page;
