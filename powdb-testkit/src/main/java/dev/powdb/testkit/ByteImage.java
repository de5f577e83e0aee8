package dev.powdb.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The bytes of one file image, growable, up to {@link Integer#MAX_VALUE} - 8 bytes. Not thread-safe. */
final class ByteImage {
    /** Largest file size supported, in bytes. */
    static final long MAX_SIZE_BYTES = Integer.MAX_VALUE - 8;

    private byte[] data;
    private int length;

    /** An empty image. */
    ByteImage() {
        data = new byte[0];
    }

    /** A copy of {@code other}. */
    ByteImage(ByteImage other) {
        data = Arrays.copyOf(other.data, other.length);
        length = other.length;
    }

    /** Size in bytes. */
    int length() {
        return length;
    }

    /** Throws when a write of {@code count} bytes at {@code position} would exceed {@link #MAX_SIZE_BYTES}. */
    static void checkRange(long position, long count) throws IOException {
        if (position < 0 || count < 0 || position + count > MAX_SIZE_BYTES) {
            throw new IOException("FaultyFs files are limited to " + MAX_SIZE_BYTES + " bytes; position " + position
                    + " count " + count);
        }
    }

    /** Copies {@code count} bytes of {@code src} from {@code srcOffset} to {@code position}; a gap reads as zeros. */
    void write(long position, byte[] src, int srcOffset, int count) {
        if (count == 0) {
            return;
        }
        int pos = Math.toIntExact(position);
        int end = Math.addExact(pos, count);
        ensureCapacity(end);
        System.arraycopy(src, srcOffset, data, pos, count);
        length = Math.max(length, end);
    }

    /** Shortens the image to {@code sizeBytes}; does nothing if it is not longer. */
    void truncate(long sizeBytes) {
        if (sizeBytes < length) {
            int newLength = (int) sizeBytes;
            Arrays.fill(data, newLength, length, (byte) 0);
            length = newLength;
        }
    }

    /** Reads into {@code dst} from {@code position}; returns the count, or -1 at or past the end. */
    int read(long position, ByteBuffer dst) {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int pos = (int) position;
        int n = Math.min(dst.remaining(), length - pos);
        dst.put(data, pos, n);
        return n;
    }

    /** XORs the byte at {@code offset} with {@code mask}. */
    void xor(int offset, int mask) {
        data[offset] ^= (byte) mask;
    }

    /** A copy of the contents. */
    byte[] toArray() {
        return Arrays.copyOf(data, length);
    }

    private void ensureCapacity(int needed) {
        if (needed > data.length) {
            long grown = Math.max(needed, Math.min(MAX_SIZE_BYTES, 2L * data.length + 64));
            data = Arrays.copyOf(data, (int) grown);
        }
    }
}
