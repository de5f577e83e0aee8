package dev.powdb.storage.util;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable big-endian byte buffer for building records. Not thread-safe. */
public final class ByteSink {
    private byte[] buf;
    private int len;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public ByteSink() {
        this(256);
    }

    private void ensure(int extra) {
        int need = len + extra;
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    public ByteSink u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public ByteSink u16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public ByteSink i32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public ByteSink i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    public ByteSink bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    public ByteSink bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    /** A u32 length followed by the bytes. */
    public ByteSink blob(byte[] b) {
        i32(b.length);
        return bytes(b);
    }

    /** A UTF-8 string with a u16 length (strings here are identifiers and short texts). */
    public ByteSink str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string too long for a u16 length: " + b.length + " bytes");
        }
        u16(b.length);
        return bytes(b);
    }

    /** Overwrites 4 bytes at {@code pos}. */
    public void putI32At(int pos, int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
    }

    public int length() {
        return len;
    }

    public void reset() {
        len = 0;
    }

    /** The internal array (valid up to {@link #length()}). */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
