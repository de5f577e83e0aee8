/**
 * PowQL, PowDB's query language: a hand-written lexer ({@code Lexer}) and recursive-descent parser
 * ({@code Parser}) producing an AST ({@link dev.powdb.query.Statement}, {@link dev.powdb.query.Expr}), a planner
 * that picks an index lookup, an index range or a scan ({@code Plan}), and an executor over the storage facade.
 * The entry point is {@link dev.powdb.query.PowQL}.
 *
 * <p>May import {@code dev.powdb.storage} (the public facade only: Database, TableOperations, Transaction, schema
 * and value classes), {@code dev.powdb.storage.spi.BackupSummary} (what {@code Database.backup} returns) and the
 * JDK; never the engine's internal packages, and nothing from the CLI or backup layers ({@code backup to} reaches
 * the backup module only through {@code Database.backup} and its ServiceLoader lookup).
 */
package dev.powdb.query;
