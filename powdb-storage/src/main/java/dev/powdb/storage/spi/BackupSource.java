package dev.powdb.storage.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * An online backup of an open database, obtained from {@link dev.powdb.storage.Database#startBackup()}. Writers
 * keep committing while it runs.
 *
 * <p>A backup starts at a checkpoint, {@link #startLsn()}: a new one, or the database's last one (see
 * {@link BackupStart}). Every change with a lower LSN is in the data files, which the source opens at once (so
 * files dropped meanwhile stay readable); later changes may or may not be there, and the WAL from the start
 * covers them. The caller copies the listed files, passing each block it reads through {@link #stabilize}, which
 * replaces pages caught in the middle of a write by a stable image; pages may be newer than the start, never
 * older. {@link #end()} then fixes the end LSN and lists
 * the WAL from {@link #undoLsn()} to it; replaying that WAL over the copied files, as recovery does when it opens
 * the restored directory with {@link #controlImage()}, gives the database as of {@link #sourceLsn()}: every
 * transaction committed by then, none after, and nothing uncommitted.
 *
 * <p>When nothing was logged between the start and the end, no WAL is needed and the control image records a
 * clean stop. The source pins the WAL it needs until {@link #close()}, which must be called on the thread that
 * started the backup.
 */
public interface BackupSource extends AutoCloseable {
    /** The LSN of the start checkpoint: every change with a lower LSN is in the files as copied. */
    long startLsn();

    /** Whether the backup started at the database's last checkpoint instead of running a new one. */
    boolean startedAtLastCheckpoint();

    /** The first LSN of a transaction still open at the start ({@link #startLsn()} when none was). */
    long undoLsn();

    /**
     * The LSN the backup is consistent at: after {@link #end()}, the last LSN of the WAL it keeps; before, the
     * last LSN before the start.
     */
    long sourceLsn();

    /** Version of the catalog at the start. */
    long catalogVersion();

    /**
     * The database's id (32 hex characters): random, set when the database was created and anew when a backup of
     * it is restored. Backups carry it in {@code control.bin}; an increment's base must have the same.
     */
    String databaseId();

    /** Page size of the paged files, in bytes. */
    int pageSize();

    /** The data directory. */
    Path dataDirectory();

    /** {@code catalog.bin} and every heap and index file at the start, sorted by name, with their lengths then. */
    List<SourceFile> files();

    /**
     * The open channel of a file of the backup (opened at the start; owned by the source, which closes it). Read
     * at most {@link SourceFile#sizeBytes()} bytes with positional reads.
     */
    FileChannel open(SourceFile file) throws IOException;

    /**
     * Checks the pages of a block of a heap or index file read at byte {@code position} (bytes {@code [0, limit)}
     * of {@code block}, a heap buffer, whole pages) and replaces each page that fails its checks, because a write
     * of it was in flight, by a stable image of it. Does nothing for {@code catalog.bin}.
     *
     * @return the number of pages replaced
     */
    int stabilize(SourceFile file, long position, ByteBuffer block) throws IOException;

    /**
     * The pages of a heap or index file whose LSN may be above {@code sinceLsn}, increasing (a superset: compare
     * page LSNs), or null when the engine does not know and the caller must scan page LSNs.
     */
    int[] changedPages(SourceFile file, long sinceLsn);

    /**
     * Ends the copy: makes the WAL durable, fixes {@link #sourceLsn()} and returns the WAL to keep, in LSN order
     * (empty when nothing was logged since the start and no transaction was open then). Call once, after the
     * files were copied.
     */
    List<WalPiece> end();

    /** Opens a WAL piece returned by {@link #end()}; the caller closes it and reads {@code lengthBytes} bytes. */
    FileChannel openWal(WalPiece piece) throws IOException;

    /**
     * Bytes of the {@code control.bin} a restore installs: a clean stop when {@link #end()} returned no WAL, else
     * a checkpoint at {@link #startLsn()} / {@link #undoLsn()} whose WAL ends at {@link #sourceLsn()}.
     */
    byte[] controlImage();

    /** Releases the WAL pin and closes the files. Idempotent. */
    @Override
    void close();
}
