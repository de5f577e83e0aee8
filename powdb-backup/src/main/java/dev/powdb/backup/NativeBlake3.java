package dev.powdb.backup;

import org.alephium.blake3jni.Blake3Jni;
import org.bouncycastle.crypto.digests.Blake3Digest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The BLAKE3 C library (with its SSE4.1/AVX2/AVX-512 kernels) through the JNI binding
 * {@code org.alephium:blake3-jni_2.13}, used by {@link Blake3} only after it proved itself: at first use the library
 * is loaded and made to hash a set of inputs that cross every chunk and tree boundary up to 100 KiB, plus 1 MiB of
 * pseudo-random bytes, and each digest must equal BouncyCastle's. If loading fails or any digest differs, or the
 * system property {@code powdb.blake3} is {@code java}, every hash is computed in pure Java instead.
 *
 * <p>The binding's update reads a whole array from index 0, so ranges that do not start at 0 are copied into a
 * scratch array first. The native hasher state is freed when the owning {@link Blake3} finishes, or by a cleaner if
 * it never does.
 */
final class NativeBlake3 {
    /** Lengths of the published BLAKE3 test vectors: every boundary of a chunk (1 KiB) and of the tree. */
    static final int[] VECTOR_LENGTHS = {0, 1, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121,
            6144, 6145, 7168, 7169, 8192, 8193, 16384, 31744, 102400};
    private static final Cleaner CLEANER = Cleaner.create();
    private static final String STATUS;
    private static final boolean AVAILABLE;

    static {
        String status;
        boolean ok;
        if ("java".equalsIgnoreCase(System.getProperty("powdb.blake3", ""))) {
            status = "pure Java (powdb.blake3=java)";
            ok = false;
        } else {
            try {
                loadLibrary();
                String mismatch = selfCheck();
                ok = mismatch == null;
                status = ok ? "native (BLAKE3 C library through JNI, checked against pure Java)"
                        : "pure Java (the native library gave a wrong digest for " + mismatch + ")";
            } catch (Throwable e) {
                // Any failure to load or run the library (missing, wrong platform, noexec temp dir) means: do not use it.
                ok = false;
                status = "pure Java (native library unavailable: " + e + ")";
            }
        }
        STATUS = status;
        AVAILABLE = ok;
    }

    /** Prefix of the temporary copy of the library while it is loaded. */
    static final String TEMP_PREFIX = "powdb-blake3-";
    /** Age after which a copy is a leftover of a process killed while loading, not one being loaded. */
    private static final long STALE_MILLIS = 10 * 60_000L;
    /** The temporary copy this process loaded the library from (deleted since), or null. */
    static volatile Path loadedFrom;

    /**
     * Loads the binding's library from its jar. The binding's own loader leaves its extracted copy in the temporary
     * directory until the JVM exits normally, so every killed process left one behind; here the copy is deleted as
     * soon as it is loaded (the loaded code stays mapped). A process killed in that instant leaves a copy, which the
     * next process to load the library deletes once it is older than {@link #STALE_MILLIS}.
     */
    private static void loadLibrary() throws IOException {
        boolean mac = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
        String name = mac ? "libblake3.dylib" : "libblake3.so";
        Path lib = Files.createTempFile(TEMP_PREFIX, mac ? ".dylib" : ".so");
        loadedFrom = lib;
        sweepStaleCopies(lib.getParent());
        try (InputStream in = Blake3Jni.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new FileNotFoundException(name + " is not in the blake3-jni jar");
            }
            Files.copy(in, lib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.load(lib.toAbsolutePath().toString());
        } finally {
            Files.deleteIfExists(lib);
        }
    }

    /** Deletes copies left by processes killed while loading; never fails the load. */
    static void sweepStaleCopies(Path dir) {
        long cutoff = System.currentTimeMillis() - STALE_MILLIS;
        try (java.nio.file.DirectoryStream<Path> copies = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
            for (Path p : copies) {
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < cutoff) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException ignored) {
                    // Another user's file, or gone meanwhile: not ours to worry about.
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // An unreadable temporary directory only means leftovers stay.
        }
    }

    private final long handle;
    private final Cleaner.Cleanable cleanable;
    private byte[] scratch = new byte[0];

    NativeBlake3() {
        long h = Blake3Jni.allocate_hasher();
        Blake3Jni.blake3_hasher_init(h);
        this.handle = h;
        this.cleanable = CLEANER.register(this, () -> Blake3Jni.delete_hasher(h));
    }

    /** Whether the native library loaded and passed its self-check. */
    static boolean available() {
        return AVAILABLE;
    }

    /** Which implementation {@link Blake3} uses and why, for reports. */
    static String status() {
        return STATUS;
    }

    void update(byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        if (off == 0) {
            Blake3Jni.blake3_hasher_update(handle, data, len);
            return;
        }
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, 64 * 1024)];
        }
        System.arraycopy(data, off, scratch, 0, len);
        Blake3Jni.blake3_hasher_update(handle, scratch, len);
    }

    byte[] finish() {
        byte[] out = new byte[Blake3.DIGEST_BYTES];
        Blake3Jni.blake3_hasher_finalize(handle, out, out.length);
        cleanable.clean();
        return out;
    }

    /** Compares native and pure-Java digests; returns a description of the first mismatch, or null. */
    private static String selfCheck() {
        for (int len : VECTOR_LENGTHS) {
            byte[] input = new byte[len];
            for (int i = 0; i < len; i++) {
                input[i] = (byte) (i % 251);
            }
            if (!Arrays.equals(nativeDigest(input, 0, len), javaDigest(input))) {
                return len + " bytes of the test-vector pattern";
            }
        }
        byte[] big = new byte[1 << 20];
        new java.util.SplittableRandom(1).nextBytes(big);
        if (!Arrays.equals(nativeDigest(big, 0, big.length), javaDigest(big))) {
            return "1 MiB of pseudo-random bytes";
        }
        byte[] offset = Arrays.copyOfRange(big, 7, 5000);
        NativeBlake3 n = new NativeBlake3();
        n.update(big, 7, 4993);
        if (!Arrays.equals(n.finish(), javaDigest(offset))) {
            return "a range not starting at index 0";
        }
        return null;
    }

    private static byte[] nativeDigest(byte[] data, int off, int len) {
        NativeBlake3 n = new NativeBlake3();
        n.update(data, off, len);
        return n.finish();
    }

    private static byte[] javaDigest(byte[] data) {
        Blake3Digest d = new Blake3Digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[Blake3.DIGEST_BYTES];
        d.doFinal(out, 0);
        return out;
    }
}
