package dev.powdb.storage.heap;

import dev.powdb.storage.ColumnType;
import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.util.ByteSink;
import dev.powdb.storage.util.ByteSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes rows for heap pages:
 * <pre>
 *   u16 column count n (physical columns when the row was written; later-added columns read as default)
 *   ceil(n / 8) bytes null bitmap (bit i set = column i is null)
 *   values of non-null columns in order:
 *     int, datetime (microseconds): 8 bytes; float: 8 bytes (IEEE 754 bits); bool: 1 byte
 *     str (UTF-8), bytes: u32 word; top bit clear = inline, low 31 bits = length, then the bytes;
 *                         top bit set = overflow, low 31 bits = length, then u32 first overflow page
 * </pre>
 */
public final class RowCodec {
    /** Values longer than this go to overflow pages regardless of the row's size. */
    static final int INLINE_LIMIT = 1000;
    private static final int OVERFLOW_BIT = 0x80000000;

    private RowCodec() {
    }

    /** Encodes {@code values} (canonical Java classes, nulls allowed), moving large values to overflow pages. */
    public static byte[] encode(ColumnType[] types, Object[] values, HeapFile heap, EditLog log) {
        int n = values.length;
        byte[][] raw = new byte[n][];
        int total = 2 + (n + 7) / 8;
        for (int i = 0; i < n; i++) {
            if (values[i] == null) {
                continue;
            }
            if (types[i] == ColumnType.STR) {
                raw[i] = ((String) values[i]).getBytes(StandardCharsets.UTF_8);
                total += 4 + raw[i].length;
            } else if (types[i] == ColumnType.BYTES) {
                raw[i] = (byte[]) values[i];
                total += 4 + raw[i].length;
            } else {
                total += types[i] == ColumnType.BOOL ? 1 : 8;
            }
        }
        boolean[] overflow = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (raw[i] != null && raw[i].length > INLINE_LIMIT) {
                overflow[i] = true;
                total -= raw[i].length - 4;
            }
        }
        while (total > HeapFile.MAX_RECORD) {
            int largest = -1;
            for (int i = 0; i < n; i++) {
                if (raw[i] != null && !overflow[i] && raw[i].length > 8
                        && (largest < 0 || raw[i].length > raw[largest].length)) {
                    largest = i;
                }
            }
            if (largest < 0) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "row of " + n + " columns needs " + total
                        + " bytes of fixed-size values; the limit is " + HeapFile.MAX_RECORD);
            }
            overflow[largest] = true;
            total -= raw[largest].length - 4;
        }
        ByteSink out = new ByteSink(total);
        out.u16(n);
        byte[] bitmap = new byte[(n + 7) / 8];
        for (int i = 0; i < n; i++) {
            if (values[i] == null) {
                bitmap[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        out.bytes(bitmap);
        for (int i = 0; i < n; i++) {
            Object v = values[i];
            if (v == null) {
                continue;
            }
            switch (types[i]) {
                case INT: out.i64((Long) v); break;
                case FLOAT: out.i64(Double.doubleToRawLongBits((Double) v)); break;
                case BOOL: out.u8((Boolean) v ? 1 : 0); break;
                case DATETIME: out.i64(toMicros((Instant) v)); break;
                default:
                    if (overflow[i]) {
                        out.i32(OVERFLOW_BIT | raw[i].length);
                        out.i32(heap.writeOverflow(log, raw[i]));
                    } else {
                        out.i32(raw[i].length);
                        out.bytes(raw[i]);
                    }
            }
        }
        return out.toByteArray();
    }

    /** Microseconds since the epoch of an instant (finer precision dropped). */
    public static long toMicros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    public static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /**
     * Decodes a record into values for {@code types.length} physical columns; columns the record does not have
     * take {@code defaults[i]}.
     */
    public static Object[] decode(byte[] record, ColumnType[] types, Object[] defaults, HeapFile heap,
                                  String resource, long rowId) {
        try {
            ByteSource in = new ByteSource(record);
            int n = in.u16();
            byte[] bitmap = in.bytes((n + 7) / 8);
            Object[] values = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                if (i >= n) {
                    values[i] = defaults[i];
                    continue;
                }
                if ((bitmap[i / 8] & (1 << (i % 8))) != 0) {
                    continue;
                }
                values[i] = readValue(in, types[i], heap);
            }
            return values;
        } catch (ByteSource.Underflow e) {
            throw new CorruptionException(resource, 0, "row " + Long.toHexString(rowId), "a well-formed row",
                    e.getMessage(), "damaged page");
        }
    }

    /**
     * A record parsed only as far as its column offsets; values are decoded one at a time on request.
     */
    public static final class Lazy {
        private final byte[] record;
        private final ColumnType[] types;
        private final Object[] defaults;
        private final HeapFile heap;
        private final int[] offsets;
        private final int stored;

        /** Parses the header and value offsets of {@code record} (no values are decoded). */
        public Lazy(byte[] record, ColumnType[] types, Object[] defaults, HeapFile heap, String resource,
                    long rowId) {
            this.record = record;
            this.types = types;
            this.defaults = defaults;
            this.heap = heap;
            try {
                ByteSource in = new ByteSource(record);
                int n = in.u16();
                int bitmapAt = in.position();
                in.skip((n + 7) / 8);
                stored = n;
                offsets = new int[Math.min(n, types.length)];
                for (int i = 0; i < offsets.length; i++) {
                    if ((record[bitmapAt + i / 8] & (1 << (i % 8))) != 0) {
                        offsets[i] = -1;
                        continue;
                    }
                    offsets[i] = in.position();
                    switch (types[i]) {
                        case INT: case FLOAT: case DATETIME: in.skip(8); break;
                        case BOOL: in.skip(1); break;
                        default: {
                            int word = in.i32();
                            in.skip((word & OVERFLOW_BIT) != 0 ? 4 : word);
                        }
                    }
                }
            } catch (ByteSource.Underflow e) {
                throw new CorruptionException(resource, 0, "row " + Long.toHexString(rowId), "a well-formed row",
                        e.getMessage(), "damaged page");
            }
        }

        /** The value of physical column {@code pos}. */
        public Object value(int pos) {
            if (pos >= stored) {
                return defaults[pos];
            }
            int off = offsets[pos];
            if (off < 0) {
                return null;
            }
            return readValue(new ByteSource(record, off, record.length - off), types[pos], heap);
        }
    }

    private static Object readValue(ByteSource in, ColumnType type, HeapFile heap) {
        switch (type) {
            case INT: return in.i64();
            case FLOAT: return Double.longBitsToDouble(in.i64());
            case BOOL: return in.u8() != 0;
            case DATETIME: return fromMicros(in.i64());
            default: {
                int word = in.i32();
                int len = word & ~OVERFLOW_BIT;
                byte[] b = (word & OVERFLOW_BIT) != 0 ? heap.readOverflow(in.i32(), len) : in.bytes(len);
                return type == ColumnType.STR ? new String(b, StandardCharsets.UTF_8) : b;
            }
        }
    }

    /** First pages of the overflow chains a record refers to (to free them when the row goes away). */
    public static List<Integer> overflowPages(byte[] record, ColumnType[] types) {
        List<Integer> pages = new ArrayList<>();
        ByteSource in = new ByteSource(record);
        int n = in.u16();
        byte[] bitmap = in.bytes((n + 7) / 8);
        for (int i = 0; i < n && i < types.length; i++) {
            if ((bitmap[i / 8] & (1 << (i % 8))) != 0) {
                continue;
            }
            switch (types[i]) {
                case INT: case FLOAT: case DATETIME: in.skip(8); break;
                case BOOL: in.skip(1); break;
                default: {
                    int word = in.i32();
                    if ((word & OVERFLOW_BIT) != 0) {
                        pages.add(in.i32());
                    } else {
                        in.skip(word);
                    }
                }
            }
        }
        return pages;
    }
}
