package dev.powdb.storage.util;

import java.nio.charset.StandardCharsets;

/**
 * Reads big-endian values from a byte array. Reading past the end throws {@link Underflow} so that parsers of
 * on-disk data can turn it into a corruption error naming the file.
 */
public final class ByteSource {
    private final byte[] buf;
    private int pos;
    private final int end;

    public ByteSource(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public ByteSource(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /** Thrown when a record is shorter than its contents claim. */
    public static final class Underflow extends RuntimeException {
        public Underflow(String msg) {
            super(msg);
        }
    }

    private void need(int n) {
        if (n < 0 || pos + n > end) {
            throw new Underflow("need " + n + " bytes at position " + pos + " but only " + (end - pos) + " remain");
        }
    }

    public int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public int u16() {
        need(2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int i32() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long i64() {
        long hi = i32();
        return (hi << 32) | (i32() & 0xFFFFFFFFL);
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    public byte[] blob() {
        return bytes(i32());
    }

    public String str() {
        int n = u16();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public byte[] array() {
        return buf;
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }
}
