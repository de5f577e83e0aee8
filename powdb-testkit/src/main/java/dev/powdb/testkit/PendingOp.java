package dev.powdb.testkit;

/**
 * One change to a file's contents that no successful sync has made durable yet: a write (position and bytes) or a
 * truncation (new size). A pending op is <em>lost</em> when a sync failed while it was queued: like Linux after an
 * fsync error, its data stays visible to readers but will never reach the disk, not even with a later sync.
 */
final class PendingOp {
    private final long position;
    private final byte[] bytes;
    private boolean lost;

    private PendingOp(long position, byte[] bytes) {
        this.position = position;
        this.bytes = bytes;
    }

    /** A write of {@code bytes} (kept, not copied) at {@code position}. */
    static PendingOp write(long position, byte[] bytes) {
        return new PendingOp(position, bytes);
    }

    /** A truncation to {@code sizeBytes}. */
    static PendingOp truncate(long sizeBytes) {
        return new PendingOp(sizeBytes, null);
    }

    /** A copy with the same lost flag. */
    PendingOp copy() {
        PendingOp op = new PendingOp(position, bytes);
        op.lost = lost;
        return op;
    }

    boolean isTruncate() {
        return bytes == null;
    }

    /** Write position, or the new size of a truncation. */
    long position() {
        return position;
    }

    /** The written bytes (shared; do not modify); null for a truncation. */
    byte[] bytes() {
        return bytes;
    }

    boolean isLost() {
        return lost;
    }

    void markLost() {
        lost = true;
    }

    /** Applies the op in full to {@code image}. */
    void applyTo(ByteImage image) {
        if (isTruncate()) {
            image.truncate(position);
        } else {
            image.write(position, bytes, 0, bytes.length);
        }
    }
}
