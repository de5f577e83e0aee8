package dev.powdb.storage;

/**
 * Stable error categories. The command line maps them to exit codes and prints them in {@code --json} output, so
 * names are never changed once released.
 */
public enum ErrorCode {
    /** Stored data failed a check (checksum, magic, structure). */
    CORRUPT,
    /** A file was written by a format version older than this build reads. */
    FORMAT_TOO_OLD,
    /** A file was written by a format version newer than this build reads. */
    FORMAT_TOO_NEW,
    /** Another process holds the database's writer lock. */
    LOCKED,
    /** An operating-system I/O call failed. */
    IO,
    /** The database refuses writes after a failed fsync or a fatal write error. */
    POISONED,
    /** A named table, column or index does not exist. */
    NOT_FOUND,
    /** A table, column or index with that name already exists. */
    ALREADY_EXISTS,
    /** A value or argument is not acceptable (wrong type, missing required column, bad name). */
    INVALID_ARGUMENT,
    /** A unique index already holds the key. */
    UNIQUE_VIOLATION,
    /** The operation is not valid in the current state (closed database, finished transaction). */
    ILLEGAL_STATE
}
