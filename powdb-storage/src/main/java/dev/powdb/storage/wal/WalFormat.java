package dev.powdb.storage.wal;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Byte layout of WAL segments and record frames (see {@code docs/formats/wal.md}).
 *
 * <p>Segment file {@code wal/<16 hex digits>.wal}, named by the LSN of its first record:
 * <pre>
 *   0  8 bytes magic "POWDBWAL"
 *   8  u32 format version (1)
 *  12  u32 reserved (0)
 *  16  u64 first LSN of the segment (equals the name)
 *  24  u32 CRC32C of bytes [0, 24)
 *  28  u32 reserved (0)
 *  32  frames...
 * </pre>
 * Frame:
 * <pre>
 *   0  u32 frame length in bytes, header included
 *   4  u32 CRC32C of bytes [8, length)
 *   8  u64 LSN (each record's LSN is the previous one's plus 1)
 *  16  u64 durable horizon: every record with a lower or equal LSN was fsynced when this one was written
 *  24  u64 transaction id
 *  32  u8  record type ({@link WalRecordType})
 *  33  payload
 * </pre>
 * All integers are big-endian.
 */
public final class WalFormat {
    public static final byte[] SEGMENT_MAGIC = "POWDBWAL".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int SEGMENT_HEADER_SIZE = 32;
    public static final int FRAME_HEADER_SIZE = 33;
    /** Largest frame accepted when reading; anything longer is damage. */
    public static final int MAX_FRAME_BYTES = 64 << 20;
    private static final Pattern SEGMENT_NAME = Pattern.compile("([0-9a-f]{16})\\.wal");

    private WalFormat() {
    }

    /** The file name of the segment whose first record has LSN {@code startLsn}. */
    public static String segmentName(long startLsn) {
        return String.format("%016x.wal", startLsn);
    }

    /** The first LSN encoded in a segment file name, or -1 when {@code name} is not a segment name. */
    public static long parseSegmentName(String name) {
        Matcher m = SEGMENT_NAME.matcher(name);
        if (!m.matches()) {
            return -1;
        }
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    /** Builds a segment header. */
    public static byte[] segmentHeader(long startLsn) {
        byte[] h = new byte[SEGMENT_HEADER_SIZE];
        System.arraycopy(SEGMENT_MAGIC, 0, h, 0, 8);
        dev.powdb.storage.page.Page.writeInt(h, 8, VERSION);
        dev.powdb.storage.page.Page.writeLong(h, 16, startLsn);
        CRC32C crc = new CRC32C();
        crc.update(h, 0, 24);
        dev.powdb.storage.page.Page.writeInt(h, 24, (int) crc.getValue());
        return h;
    }

    /** CRC of a frame: bytes [off + 8, off + len). */
    public static int frameCrc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off + 8, len - 8);
        return (int) crc.getValue();
    }
}
