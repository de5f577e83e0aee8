package dev.powdb.storage.wal;

import dev.powdb.storage.CorruptionException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads one WAL segment that was copied out of a database (into a backup or a WAL archive) and must be whole:
 * a valid header for its first LSN, then frames with consecutive LSNs up to its end, nothing torn and nothing
 * after them. Unlike recovery's {@link WalScanner}, nothing here is a tolerated torn tail: a copy was written
 * completely before it was hashed and listed, so every bad byte is damage.
 */
public final class WalSegmentReader {
    /** What a whole segment holds. */
    public record Contents(long firstLsn, long lastLsn, int frames, int lengthBytes) {
    }

    private WalSegmentReader() {
    }

    /**
     * Checks the segment bytes {@code data}, which must start at LSN {@code firstLsn}, and gives each record to
     * {@code visitor} (may be null).
     *
     * @param resource names the segment in errors
     * @throws CorruptionException naming the offset and what was expected
     */
    public static Contents read(byte[] data, long firstLsn, String resource, Consumer<WalRecord> visitor) {
        if (data.length < WalFormat.SEGMENT_HEADER_SIZE
                || !Arrays.equals(data, 0, 28, WalFormat.segmentHeader(firstLsn), 0, 28)) {
            throw new CorruptionException(resource, 0, "WAL segment header", "a valid header for first LSN "
                    + firstLsn, "damaged or different bytes", "the copy is damaged; use another backup or archive");
        }
        int pos = WalFormat.SEGMENT_HEADER_SIZE;
        long lsn = firstLsn;
        int frames = 0;
        Path name = Path.of(resource).getFileName();
        while (pos < data.length) {
            int len = WalScanner.frameAt(data, pos, lsn);
            if (len < 0) {
                throw new CorruptionException(resource, pos, "WAL record", "record LSN " + lsn + " with a valid "
                        + "length and CRC32C", "damaged bytes", "the copy is damaged; use another backup or archive");
            }
            if (visitor != null) {
                visitor.accept(WalScanner.decode(data, pos, len, name == null ? Path.of(resource) : name));
            }
            pos += len;
            lsn++;
            frames++;
        }
        if (frames == 0) {
            throw new CorruptionException(resource, pos, "WAL segment", "at least one record", "none",
                    "an empty segment is never copied; the copy is damaged");
        }
        return new Contents(firstLsn, lsn - 1, frames, pos);
    }
}
