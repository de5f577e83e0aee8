package dev.powdb.storage.heap;

import dev.powdb.storage.ColumnType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Index keys whose unsigned byte order equals the order of the values: {@code 0x00} for null (nulls sort first),
 * else {@code 0x01} followed by int/datetime as 8 bytes big-endian with the sign bit flipped, float as its IEEE bits
 * transformed so negative numbers sort below positive ones (-0.0 folded to 0.0), bool as one byte, str as UTF-8
 * bytes, bytes as they are.
 */
public final class KeyCodec {
    private static final byte[] NULL_KEY = {0};

    private KeyCodec() {
    }

    /** The key of {@code value} (canonical Java class of {@code type}, or null). */
    public static byte[] encode(ColumnType type, Object value) {
        if (value == null) {
            return NULL_KEY.clone();
        }
        switch (type) {
            case INT: return fixed(((Long) value) ^ Long.MIN_VALUE);
            case DATETIME: return fixed(RowCodec.toMicros((Instant) value) ^ Long.MIN_VALUE);
            case FLOAT: {
                double d = (Double) value;
                if (d == 0.0) {
                    d = 0.0;
                }
                long bits = Double.doubleToLongBits(d);
                bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
                return fixed(bits);
            }
            case BOOL: return new byte[] {1, (byte) ((Boolean) value ? 1 : 0)};
            case STR: return prefixed(((String) value).getBytes(StandardCharsets.UTF_8));
            case BYTES: return prefixed((byte[]) value);
            default: throw new IllegalStateException("unhandled type " + type);
        }
    }

    private static byte[] fixed(long v) {
        byte[] b = new byte[9];
        b[0] = 1;
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    private static byte[] prefixed(byte[] raw) {
        byte[] b = new byte[raw.length + 1];
        b[0] = 1;
        System.arraycopy(raw, 0, b, 1, raw.length);
        return b;
    }

    /** True for the key of a null value. */
    public static boolean isNull(byte[] key) {
        return key.length == 1 && key[0] == 0;
    }
}
