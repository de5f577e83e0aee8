package dev.powdb.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3 (unkeyed, 256-bit output): the BLAKE3 C library through JNI when it loads and passes its self-check
 * ({@link NativeBlake3}, several GB/s), else BouncyCastle's pure-Java {@link Blake3Digest}. Both give the same
 * digests; {@link #implementation()} says which one runs. Digests are reported as 64 lower-case hex characters, the
 * form used by {@code b3sum} and by backup manifests.
 *
 * <p>An instance is an incremental hasher: {@link #update} any number of times, then {@link #finishHex()} once. It is
 * not thread-safe. The static helpers hash a whole input in one call.
 */
public final class Blake3 {
    /** Digest length in bytes. */
    public static final int DIGEST_BYTES = 32;
    /** Digest length in hex characters. */
    public static final int HEX_CHARS = DIGEST_BYTES * 2;

    private static final int STREAM_BUFFER_BYTES = 64 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private final Blake3Digest digest;
    private final NativeBlake3 nativeDigest;
    private boolean finished;

    /** A fresh hasher over no bytes, native when available. */
    public Blake3() {
        this(NativeBlake3.available());
    }

    Blake3(boolean useNative) {
        this.nativeDigest = useNative ? new NativeBlake3() : null;
        this.digest = useNative ? null : new Blake3Digest();
    }

    /** Which implementation hashes ("native ..." or "pure Java ...") and why. */
    public static String implementation() {
        return NativeBlake3.status();
    }

    /** Adds {@code len} bytes of {@code data} starting at {@code off}. */
    public Blake3 update(byte[] data, int off, int len) {
        checkOpen();
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (nativeDigest != null) {
            nativeDigest.update(data, off, len);
        } else {
            digest.update(data, off, len);
        }
        return this;
    }

    /** Adds all of {@code data}. */
    public Blake3 update(byte[] data) {
        return update(data, 0, data.length);
    }

    /**
     * Adds the bytes between {@code buffer}'s position and limit, without moving its position (so the caller can
     * still write the same bytes).
     */
    public Blake3 update(ByteBuffer buffer) {
        checkOpen();
        if (buffer.hasArray()) {
            update(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        } else {
            byte[] chunk = new byte[Math.min(buffer.remaining(), STREAM_BUFFER_BYTES)];
            ByteBuffer view = buffer.duplicate();
            while (view.hasRemaining()) {
                int n = Math.min(chunk.length, view.remaining());
                view.get(chunk, 0, n);
                update(chunk, 0, n);
            }
        }
        return this;
    }

    /**
     * Finishes the hash and returns it as 64 lower-case hex characters.
     *
     * @throws IllegalStateException if called twice
     */
    public String finishHex() {
        checkOpen();
        finished = true;
        if (nativeDigest != null) {
            return HEX.formatHex(nativeDigest.finish());
        }
        byte[] out = new byte[DIGEST_BYTES];
        digest.doFinal(out, 0);
        return HEX.formatHex(out);
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("BLAKE3 hasher already finished");
        }
    }

    /** BLAKE3 of {@code data} as 64 lower-case hex characters. */
    public static String hex(byte[] data) {
        return new Blake3().update(data).finishHex();
    }

    /** BLAKE3 of {@code len} bytes of {@code data} from {@code off}, as 64 lower-case hex characters. */
    public static String hex(byte[] data, int off, int len) {
        return new Blake3().update(data, off, len).finishHex();
    }

    /**
     * BLAKE3 of everything {@code in} yields until end of stream (read in 64 KiB chunks; the stream is not closed).
     *
     * @throws IOException if reading fails
     */
    public static String hex(InputStream in) throws IOException {
        Blake3 hasher = new Blake3();
        byte[] buffer = new byte[STREAM_BUFFER_BYTES];
        int n;
        while ((n = in.read(buffer)) != -1) {
            hasher.update(buffer, 0, n);
        }
        return hasher.finishHex();
    }

    /**
     * BLAKE3 of a file's contents.
     *
     * @throws IOException if the file cannot be read
     */
    public static String hex(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return hex(in);
        }
    }

    /** Whether {@code s} is a well-formed digest: exactly 64 lower-case hex characters. */
    public static boolean isHex(String s) {
        if (s == null || s.length() != HEX_CHARS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
