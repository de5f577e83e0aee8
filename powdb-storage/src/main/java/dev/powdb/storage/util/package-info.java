/** Small byte-buffer helpers for building and parsing records. Imports only the JDK. */
package dev.powdb.storage.util;
