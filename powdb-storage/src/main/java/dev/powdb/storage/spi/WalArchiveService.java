package dev.powdb.storage.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens WAL archives. Implemented by the backup module and found with {@link java.util.ServiceLoader} when a
 * database is opened with {@link dev.powdb.storage.DatabaseOptions#withArchive(Path)}.
 */
public interface WalArchiveService {
    /**
     * Opens (creating if needed) the archive at {@code dir} for the database whose id is {@code databaseId}.
     *
     * @throws dev.powdb.storage.PowDbException INVALID_ARGUMENT when {@code dir} is not an archive or holds
     *                                          another database's WAL
     */
    Target open(Path dir, String databaseId) throws IOException;

    /** An open archive; {@link #close()} releases what it holds (not the archive's contents). */
    interface Target extends AutoCloseable {
        /** Whether the segment starting at {@code firstLsn} is archived completely (copied and listed). */
        boolean contains(long firstLsn) throws IOException;

        /**
         * Archives a sealed segment holding exactly the records {@code firstLsn} to {@code lastLsn}: checks it,
         * copies it durably with its BLAKE3, then lists it. Archiving a segment again is a no-op.
         */
        void archive(Path segment, long firstLsn, long lastLsn) throws IOException;

        @Override
        void close();
    }
}
