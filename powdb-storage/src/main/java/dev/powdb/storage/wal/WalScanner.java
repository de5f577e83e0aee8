package dev.powdb.storage.wal;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.io.StorageFs;
import dev.powdb.storage.page.Page;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the WAL back for recovery and tells a torn tail from damage.
 *
 * <p>A frame that fails its checks (length, CRC, LSN continuity) ends the log if it is a torn tail: no later valid
 * frame claims, through its durable horizon, that the bad record had already been fsynced. If a later frame does,
 * the bad record was durable and has been damaged since: the scan refuses with the segment, offset and expected
 * LSN. With {@code repair}, a torn tail is cut off (the segment truncated, later segments deleted) so appending can
 * continue. A segment other than the newest whose frames are followed only by zeros, and whose successor starts
 * at the LSN after its last frame, was switched away from and not sealed yet (see {@code Wal}); its frames count
 * and, with {@code repair}, the zeros are cut off.
 */
public final class WalScanner {
    private final StorageFs fs;
    private final Path dir;

    /** Where the valid log ends after a scan. */
    public static final class End {
        /** LSN the next record gets. */
        public long nextLsn;
        /** The last segment (null when there is none) and its first LSN and valid length. */
        public Path lastSegment;
        public long lastSegmentStart;
        public long lastSegmentLength;
        /** Bytes of torn tail that were (or would be) cut off. */
        public long tornBytes;
        /** Lowest LSN present in the log (the first segment's start), or -1 when there are no segments. */
        public long firstLsn = -1;
    }

    public WalScanner(StorageFs fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /** Segment start LSNs in ascending order. */
    public List<Long> segments() throws IOException {
        List<Long> starts = new ArrayList<>();
        if (!fs.exists(dir)) {
            return starts;
        }
        for (String name : fs.list(dir)) {
            long s = WalFormat.parseSegmentName(name);
            if (s >= 0) {
                starts.add(s);
            }
        }
        starts.sort(Long::compare);
        return starts;
    }

    /**
     * Reads every record with LSN at least {@code fromLsn} in order and gives it to {@code visitor}.
     *
     * @param repair cut off a torn tail on disk
     * @return where the log ends
     * @throws CorruptionException for damage before the tail, a gap between segments, or a log that starts after
     *                             {@code fromLsn}
     */
    public End scan(long fromLsn, boolean repair, Consumer<WalRecord> visitor) throws IOException {
        List<Long> starts = segments();
        End end = new End();
        end.nextLsn = fromLsn;
        if (starts.isEmpty()) {
            return end;
        }
        end.firstLsn = starts.get(0);
        int first = 0;
        for (int i = 0; i < starts.size(); i++) {
            if (starts.get(i) <= fromLsn) {
                first = i;
            }
        }
        if (starts.get(first) > fromLsn) {
            String name = WalFormat.segmentName(starts.get(0));
            throw new CorruptionException(dir.resolve(name).toString(), 0, "WAL start",
                    "a segment containing LSN " + fromLsn, "the oldest segment starting at LSN " + starts.get(0),
                    "WAL segments were deleted by hand?");
        }
        long expected = starts.get(first);
        for (int i = first; i < starts.size(); i++) {
            long start = starts.get(i);
            Path p = dir.resolve(WalFormat.segmentName(start));
            if (start != expected) {
                throw new CorruptionException(p.toString(), 0, "WAL continuity", "a segment starting at LSN "
                        + expected, "LSN " + start, "a WAL segment is missing");
            }
            byte[] data = readAll(p);
            long badAt = checkHeader(data, start);
            int pos = WalFormat.SEGMENT_HEADER_SIZE;
            if (badAt < 0) {
                while (pos < data.length) {
                    int len = frameAt(data, pos, expected);
                    if (len < 0) {
                        break;
                    }
                    if (expected >= fromLsn) {
                        visitor.accept(decode(data, pos, len, p));
                    }
                    expected++;
                    pos += len;
                }
                boolean last = i == starts.size() - 1;
                if (pos >= data.length || (last && allZero(data, pos))) {
                    // The end of the log; in the newest segment it may be followed by reserved zeroed space.
                    end.lastSegment = p;
                    end.lastSegmentStart = start;
                    end.lastSegmentLength = pos;
                    continue;
                }
                if (!last && starts.get(i + 1) == expected && allZero(data, pos)) {
                    // Switched away from but not sealed yet when the process stopped: its frames are followed by
                    // reserved zeros, and the next segment continues exactly after them. Not a torn tail.
                    if (repair) {
                        try (StorageFile f = fs.open(p, false)) {
                            f.truncate(pos);
                            f.sync();
                        }
                    }
                    continue;
                }
                badAt = pos;
            }
            // A bad header or frame: torn tail or damage?
            refuseIfDurableAfter(starts, i, data, (int) Math.max(badAt, 0), expected, p);
            end.tornBytes += data.length - badAt;
            for (int j = i + 1; j < starts.size(); j++) {
                end.tornBytes += fs.exists(dir.resolve(WalFormat.segmentName(starts.get(j))))
                        ? readAll(dir.resolve(WalFormat.segmentName(starts.get(j)))).length : 0;
            }
            if (repair) {
                cutTail(starts, i, p, badAt);
            }
            if (badAt >= WalFormat.SEGMENT_HEADER_SIZE) {
                end.lastSegment = p;
                end.lastSegmentStart = start;
                end.lastSegmentLength = badAt;
            }
            break;
        }
        end.nextLsn = Math.max(expected, fromLsn);
        return end;
    }

    private static boolean allZero(byte[] data, int from) {
        return java.util.Arrays.mismatch(data, from, data.length, new byte[data.length - from], 0,
                data.length - from) < 0;
    }

    private void cutTail(List<Long> starts, int i, Path p, long badAt) throws IOException {
        if (badAt >= WalFormat.SEGMENT_HEADER_SIZE) {
            try (StorageFile f = fs.open(p, false)) {
                f.truncate(badAt);
                f.sync();
            }
        } else {
            fs.deleteIfExists(p);
        }
        for (int j = i + 1; j < starts.size(); j++) {
            fs.deleteIfExists(dir.resolve(WalFormat.segmentName(starts.get(j))));
        }
        fs.syncDirectory(dir);
    }

    /** Returns -1 when the segment header is valid, else 0 (the header itself is bad). */
    private static long checkHeader(byte[] data, long start) {
        if (data.length < WalFormat.SEGMENT_HEADER_SIZE) {
            return 0;
        }
        byte[] expect = WalFormat.segmentHeader(start);
        return Arrays.equals(data, 0, 28, expect, 0, 28) ? -1 : 0;
    }

    /** Length of a valid frame with LSN {@code lsn} at {@code pos}, or -1. */
    static int frameAt(byte[] data, int pos, long lsn) {
        if (data.length - pos < WalFormat.FRAME_HEADER_SIZE) {
            return -1;
        }
        int len = Page.readInt(data, pos);
        if (len < WalFormat.FRAME_HEADER_SIZE || len > WalFormat.MAX_FRAME_BYTES || len > data.length - pos) {
            return -1;
        }
        if (Page.readLong(data, pos + 8) != lsn) {
            return -1;
        }
        if (Page.readInt(data, pos + 4) != WalFormat.frameCrc(data, pos, len)) {
            return -1;
        }
        return len;
    }

    static WalRecord decode(byte[] data, int pos, int len, Path segment) {
        long lsn = Page.readLong(data, pos + 8);
        long horizon = Page.readLong(data, pos + 16);
        long tx = Page.readLong(data, pos + 24);
        int type = data[pos + 32] & 0xFF;
        byte[] payload = Arrays.copyOfRange(data, pos + WalFormat.FRAME_HEADER_SIZE, pos + len);
        return new WalRecord(lsn, horizon, tx, type, payload, segment.getFileName().toString(), pos);
    }

    /**
     * Looks past a bad frame for any valid frame whose durable horizon covers {@code badLsn}; finding one means
     * synced data was damaged.
     */
    private void refuseIfDurableAfter(List<Long> starts, int segIndex, byte[] data, int from, long badLsn, Path p)
            throws IOException {
        long witness = findWitness(data, from + 1, badLsn);
        Path witnessFile = p;
        for (int j = segIndex + 1; j < starts.size() && witness < 0; j++) {
            witnessFile = dir.resolve(WalFormat.segmentName(starts.get(j)));
            witness = findWitness(readAll(witnessFile), 0, badLsn);
        }
        if (witness >= 0) {
            throw new CorruptionException(p.toString(), from, "WAL record", "record LSN " + badLsn
                    + " with a valid length and CRC32C", "damaged bytes",
                    "record LSN " + witness + " in " + witnessFile.getFileName() + " shows it had been fsynced, so "
                            + "this is damage, not a torn tail (media problem?); restore from a backup");
        }
    }

    private static long findWitness(byte[] data, int from, long badLsn) {
        for (int pos = Math.max(from, 0); pos + WalFormat.FRAME_HEADER_SIZE <= data.length; pos++) {
            long lsn = Page.readLong(data, pos + 8);
            if (lsn <= badLsn || lsn - badLsn > (1L << 40)) {
                continue;
            }
            long horizon = Page.readLong(data, pos + 16);
            if (horizon < badLsn) {
                continue;
            }
            if (frameAt(data, pos, lsn) > 0) {
                return lsn;
            }
        }
        return -1;
    }

    private byte[] readAll(Path p) throws IOException {
        try (StorageFile f = fs.open(p, false)) {
            long size = f.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new PowDbException(ErrorCode.CORRUPT, p + ": WAL segment of " + size + " bytes is too large");
            }
            byte[] b = new byte[(int) size];
            f.readFully(ByteBuffer.wrap(b), 0);
            return b;
        }
    }
}
