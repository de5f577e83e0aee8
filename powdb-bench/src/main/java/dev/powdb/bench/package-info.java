/**
 * Side-by-side storage benchmark: the same generated rows and the same five workloads (bulk load, durable
 * autocommit inserts, point lookups, a filtered full scan, updates by key) run on PowDB, SQLite (JDBC) and H2, each
 * in its own fresh directory under one work directory.
 *
 * <p>May import {@code dev.powdb.storage} (the public facade only, never its internals), {@code java.sql} and the
 * JDK. The peer engines are reached only through JDBC URLs, so no H2 or SQLite class is imported.
 */
package dev.powdb.bench;
