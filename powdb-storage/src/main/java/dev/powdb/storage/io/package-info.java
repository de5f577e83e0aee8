/**
 * The file-system seam: {@link dev.powdb.storage.io.StorageFs} and {@link dev.powdb.storage.io.StorageFile}, with the
 * operating-system implementation. Every byte the engine reads or writes passes through here so tests can inject
 * faults. Imports only the JDK and the error types of {@code dev.powdb.storage}.
 */
package dev.powdb.storage.io;
