package dev.powdb.storage.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One open file of a data directory. All engine I/O goes through this interface so that tests can replace the
 * operating system's file layer with one that injects faults and simulates crashes.
 *
 * <p>Positions and sizes are in bytes. Implementations must be safe for concurrent positional reads and writes to
 * distinct ranges.
 */
public interface StorageFile extends Closeable {

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code position}.
     *
     * @return the number of bytes read, or -1 at end of file
     * @throws IOException on an I/O error
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes all of {@code src} at {@code position}, extending the file if needed. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Current size of the file in bytes. */
    long size() throws IOException;

    /** Shortens the file to {@code sizeBytes}; does nothing if it is already that short. */
    void truncate(long sizeBytes) throws IOException;

    /** Forces every write made so far to stable storage (fsync). */
    void sync() throws IOException;

    /**
     * Reads exactly {@code dst.remaining()} bytes unless the file ends first.
     *
     * @return the number of bytes read (less than requested only at end of file)
     */
    default int readFully(ByteBuffer dst, long position) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = read(dst, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
