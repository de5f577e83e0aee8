/**
 * The {@code powdb} command: one class per subcommand ({@code demo}, {@code info}, {@code verify},
 * {@code checkpoint}, {@code shell}, {@code dump}, {@code backup}, {@code restore}, {@code verify-backup},
 * {@code backup-info}), {@code -c}/{@code -f} script execution, result formatting
 * ({@link dev.powdb.cli.ResultPrinter}) and exit codes. Statements reach the query language only through
 * {@link dev.powdb.cli.StatementRunner}. May import the storage facade ({@code dev.powdb.storage}, and
 * {@code dev.powdb.storage.spi.BackupSummary}), the backup facade ({@code dev.powdb.backup}), picocli, Jackson, JLine
 * and progressbar; never storage internals.
 */
package dev.powdb.cli;
