package dev.powdb.storage;

/**
 * Stored bytes failed a check. The message names the resource (file), the byte offset, what was expected and what
 * was found, and a likely cause.
 */
public class CorruptionException extends PowDbException {
    private final String resource;
    private final long offset;

    public CorruptionException(String resource, long offset, String what, String expected, String actual,
                               String likelyCause) {
        super(ErrorCode.CORRUPT, String.format("%s at offset %d: %s (expected %s, found %s)%s", resource, offset,
                what, expected, actual, likelyCause == null ? "" : "; " + likelyCause));
        this.resource = resource;
        this.offset = offset;
    }

    /** The file (or other resource) that is damaged. */
    public String resource() {
        return resource;
    }

    /** Byte offset of the damage inside {@link #resource()}. */
    public long offset() {
        return offset;
    }
}
