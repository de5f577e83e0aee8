package dev.powdb.storage;

import java.time.Instant;

/**
 * Column types and the Java classes that carry their values.
 *
 * <table>
 *   <caption>Types</caption>
 *   <tr><th>type</th><th>Java value</th></tr>
 *   <tr><td>INT</td><td>{@link Long} (Integer, Short and Byte are accepted and widened)</td></tr>
 *   <tr><td>FLOAT</td><td>{@link Double} (Float is widened)</td></tr>
 *   <tr><td>STR</td><td>{@link String}, stored as UTF-8</td></tr>
 *   <tr><td>BOOL</td><td>{@link Boolean}</td></tr>
 *   <tr><td>BYTES</td><td>{@code byte[]}</td></tr>
 *   <tr><td>DATETIME</td><td>{@link Instant}, stored as microseconds since the Unix epoch (finer precision is
 *   truncated)</td></tr>
 * </table>
 */
public enum ColumnType {
    INT("int"), FLOAT("float"), STR("str"), BOOL("bool"), BYTES("bytes"), DATETIME("datetime");

    private final String keyword;

    ColumnType(String keyword) {
        this.keyword = keyword;
    }

    /** The PowQL spelling of the type ({@code int}, {@code str}, ...). */
    public String keyword() {
        return keyword;
    }

    /** Looks a type up by its PowQL spelling; returns null when unknown. */
    public static ColumnType fromKeyword(String word) {
        for (ColumnType t : values()) {
            if (t.keyword.equals(word)) {
                return t;
            }
        }
        return null;
    }

    /** Stable on-disk code of the type. */
    public int code() {
        return ordinal() + 1;
    }

    /** Inverse of {@link #code()}; returns null for an unknown code. */
    public static ColumnType fromCode(int code) {
        ColumnType[] all = values();
        return code >= 1 && code <= all.length ? all[code - 1] : null;
    }

    /**
     * Converts {@code value} to this type's canonical Java class.
     *
     * @throws PowDbException with {@link ErrorCode#INVALID_ARGUMENT} naming {@code what} when it does not fit
     */
    public Object coerce(Object value, String what) {
        if (value == null) {
            return null;
        }
        switch (this) {
            case INT:
                if (value instanceof Long) {
                    return value;
                }
                if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
                    return ((Number) value).longValue();
                }
                break;
            case FLOAT:
                if (value instanceof Double) {
                    return value;
                }
                if (value instanceof Float || value instanceof Long || value instanceof Integer) {
                    return ((Number) value).doubleValue();
                }
                break;
            case STR:
                if (value instanceof String) {
                    return value;
                }
                break;
            case BOOL:
                if (value instanceof Boolean) {
                    return value;
                }
                break;
            case BYTES:
                if (value instanceof byte[]) {
                    return value;
                }
                break;
            case DATETIME:
                if (value instanceof Instant) {
                    Instant i = (Instant) value;
                    return Instant.ofEpochSecond(i.getEpochSecond(), (i.getNano() / 1000) * 1000L);
                }
                break;
            default:
                break;
        }
        throw new PowDbException(ErrorCode.INVALID_ARGUMENT, what + ": expected a " + keyword + " value, got "
                + value.getClass().getSimpleName() + " " + abbreviate(value));
    }

    private static String abbreviate(Object v) {
        String s = v instanceof byte[] ? ((byte[]) v).length + " bytes" : String.valueOf(v);
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
