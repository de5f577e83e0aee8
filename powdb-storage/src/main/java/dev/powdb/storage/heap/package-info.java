/**
 * Table storage: slotted heap pages, overflow chains for large values, the row encoding and order-preserving index
 * keys. Imports {@code page}, {@code util} and the public value types.
 */
package dev.powdb.storage.heap;
