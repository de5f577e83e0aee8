package dev.powdb.storage.spi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * A consistent view of an open database's durable state at {@link #sourceLsn()}, obtained from
 * {@link dev.powdb.storage.Database#startBackup()}.
 *
 * <p>While the source is open, write transactions of the owning process wait (reads go on); every committed
 * change up to the source LSN is on disk in the listed files and nothing newer is. {@link #close()} lets writers
 * go on and must be called on the thread that started the backup.
 *
 * <p>The WAL is not part of the view: the state is checkpointed, so {@link #controlImage()} describes a clean stop
 * at the source LSN and a restored directory opens without WAL.
 */
public interface BackupSource extends AutoCloseable {
    /** LSN of the last WAL record the view contains (0 for a database that never logged anything). */
    long sourceLsn();

    /** Version of the catalog in the view. */
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

    /** {@code catalog.bin} and every heap and index file, sorted by name. */
    List<SourceFile> files();

    /** Bytes of a {@code control.bin} that records a clean stop at the source LSN (what a restore installs). */
    byte[] controlImage();

    /**
     * Opens a file of the view for reading. The caller closes the channel and reads at most
     * {@link SourceFile#sizeBytes()} bytes.
     */
    FileChannel open(SourceFile file) throws IOException;

    /**
     * The pages of a heap or index file whose LSN may be above {@code sinceLsn}, increasing (a superset: compare
     * page LSNs), or null when the engine does not know (its change tracking starts at open, so a base older than
     * the last open must be found by scanning page LSNs).
     */
    int[] changedPages(SourceFile file, long sinceLsn);

    /** Ends the view: writers go on. Idempotent. */
    @Override
    void close();
}
