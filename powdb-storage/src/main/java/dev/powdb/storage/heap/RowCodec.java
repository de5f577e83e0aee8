package dev.powdb.storage.heap;

import dev.powdb.storage.ColumnType;
import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.page.Page;
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
     * Decodes single values straight from a stored record, for rows that decode a column only when it is read.
     * One instance per table layout; it keeps no per-row state.
     */
    public static final class Decoder implements dev.powdb.storage.Row.ValueSource {
        private final ColumnType[] types;
        private final Object[] defaults;
        private final HeapFile heap;
        private final String resource;
        private final int[] live;

        /**
         * @param live physical position of each schema column
         */
        public Decoder(ColumnType[] types, Object[] defaults, HeapFile heap, String resource, int[] live) {
            this.types = types;
            this.defaults = defaults;
            this.heap = heap;
            this.resource = resource;
            this.live = live;
        }

        private CorruptionException damaged(long rowId, String what) {
            return new CorruptionException(resource, 0, "row " + Long.toHexString(rowId), "a well-formed row",
                    what, "damaged page");
        }

        /** Checks the record's header so that a damaged row fails when it is read, not later. */
        public void check(byte[] buf, int off, int len, long rowId) {
            if (len < 2) {
                throw damaged(rowId, "record of " + len + " bytes");
            }
            int stored = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
            if (2 + (stored + 7) / 8 > len) {
                throw damaged(rowId, "null bitmap runs past the end");
            }
        }

        @Override
        public Object value(byte[] buf, int off, int len, long rowId, int column) {
            return valueAt(buf, off, off + len, rowId, live[column]);
        }

        private Object valueAt(byte[] rec, int base, int end, long rowId, int pos) {
            int stored = ((rec[base] & 0xFF) << 8) | (rec[base + 1] & 0xFF);
            if (pos >= stored) {
                return defaults[pos];
            }
            int bitmapAt = base + 2;
            if ((rec[bitmapAt + pos / 8] & (1 << (pos % 8))) != 0) {
                return null;
            }
            int at = bitmapAt + (stored + 7) / 8;
            for (int i = 0; i < pos; i++) {
                if ((rec[bitmapAt + i / 8] & (1 << (i % 8))) != 0) {
                    continue;
                }
                switch (types[i]) {
                    case INT: case FLOAT: case DATETIME: at += 8; break;
                    case BOOL: at += 1; break;
                    default: {
                        if (at + 4 > end) {
                            throw damaged(rowId, "column " + i + " runs past the end");
                        }
                        int word = Page.readInt(rec, at);
                        at += 4 + ((word & OVERFLOW_BIT) != 0 ? 4 : word);
                    }
                }
            }
            ColumnType t = types[pos];
            int width = t == ColumnType.BOOL ? 1 : t == ColumnType.STR || t == ColumnType.BYTES ? 4 : 8;
            if (at < base || at + width > end) {
                throw damaged(rowId, "column " + pos + " runs past the end");
            }
            switch (t) {
                case INT: return Page.readLong(rec, at);
                case FLOAT: return Double.longBitsToDouble(Page.readLong(rec, at));
                case BOOL: return rec[at] != 0;
                case DATETIME: return fromMicros(Page.readLong(rec, at));
                default:
                    try {
                        return readValue(new ByteSource(rec, at, end - at), t, heap);
                    } catch (ByteSource.Underflow e) {
                        throw damaged(rowId, e.getMessage());
                    }
            }
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
