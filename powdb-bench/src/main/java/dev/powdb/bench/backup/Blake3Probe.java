package dev.powdb.bench.backup;

import org.alephium.blake3jni.Blake3Jni;
import org.alephium.blake3jni.Blake3LibLoader;
import org.bouncycastle.crypto.digests.Blake3Digest;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How fast BLAKE3 runs on this machine, pure Java against native, over one in-memory buffer of random bytes:
 * BouncyCastle's {@link Blake3Digest} (powdb-backup's pure-Java fallback), powdb-backup's own {@code Blake3} (native
 * when its JNI library loads and passes its self-check), the JNI binding
 * {@code org.alephium:blake3-jni_2.13} (the BLAKE3 C library with SSE4.1/AVX2/AVX-512 kernels, a Linux x86-64
 * {@code .so} inside the jar; its update takes a whole {@code byte[]}, so 1 MiB blocks are copied into a scratch
 * array first), and {@code b3sum} over a file of the same bytes from the page cache, on one thread and on all. Every
 * way must produce the same digest, and both libraries must give the published digest of the empty input.
 *
 * <p>Report only: this class decides nothing for the product; it measures.
 */
final class Blake3Probe {
    /** BLAKE3 of no bytes, as published with the reference implementation and printed by {@code b3sum}. */
    static final String EMPTY_DIGEST = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    private static final int BLOCK_BYTES = 1 << 20;
    private static final int ROUNDS = 3;

    private Blake3Probe() {
    }

    /**
     * Runs the probe on {@code mib} MiB and returns a Markdown table; writes a scratch file in {@code dir}. When
     * {@code otherBouncyCastleJar} is not null, that {@code bcprov} jar's {@code Blake3Digest} is measured too, loaded
     * in a class loader of its own so its version does not clash with the one on the class path.
     */
    static String run(int mib, Path dir, Path otherBouncyCastleJar, PrintStream out) throws IOException {
        byte[] data = new byte[mib << 20];
        new SplittableRandom(3).nextBytes(data);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "BLAKE3 over a %d MiB buffer (best of %d):%n%n", mib, ROUNDS));
        md.append("| implementation | seconds | MB/s | digest agrees |\n|---|---:|---:|---|\n");

        check("BouncyCastle empty input", bouncyCastle(new byte[0]));
        String reference = null;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            reference = bouncyCastle(data);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        row(md, "BouncyCastle " + version(Blake3Digest.class) + " Blake3Digest (on the class path), 1 MiB updates, "
                + "one thread", best, data.length, true);
        if (otherBouncyCastleJar != null) {
            measureOtherBouncyCastle(otherBouncyCastleJar, data, reference, md);
        }

        best = Double.MAX_VALUE;
        String ours = null;
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            ours = dev.powdb.backup.Blake3.hex(data);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        row(md, "powdb-backup's Blake3, whole buffer in one update: " + dev.powdb.backup.Blake3.implementation(),
                best, data.length, reference.equals(ours));

        String nativeResult;
        try {
            Blake3LibLoader.loadLibrary();
            check("native empty input", nativeDigest(new byte[0]));
            best = Double.MAX_VALUE;
            String digest = null;
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                digest = nativeDigest(data);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            row(md, "org.alephium:blake3-jni_2.13:0.3.0 (JNI, C BLAKE3), 1 MiB updates, one thread", best,
                    data.length, reference.equals(digest));
            nativeResult = "loaded";
        } catch (IOException | LinkageError e) {
            nativeResult = "native binding failed to load: " + e;
            md.append("| org.alephium:blake3-jni_2.13 | failed to load: ").append(e).append(" | | |\n");
        }

        Path file = dir.resolve("blake3-probe.bin");
        Files.write(file, data);
        for (String threads : List.of("1", "0")) {
            List<String> command = threads.equals("0") ? List.of("b3sum", "--no-names", file.toString())
                    : List.of("b3sum", "--no-names", "--num-threads", threads, file.toString());
            best = Double.MAX_VALUE;
            String digest = null;
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                digest = Disk.run(command).strip();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            String label = Disk.run(List.of("b3sum", "--version")).strip() + ", file in page cache, "
                    + (threads.equals("0") ? "default threads (" + Runtime.getRuntime().availableProcessors()
                    + " cores)" : "one thread") + ", process start included";
            row(md, label, best, data.length, reference.equals(digest));
        }
        Files.delete(file);
        out.println(md);
        out.println("native BLAKE3: " + nativeResult);
        return md.toString();
    }

    private static void check(String what, String digest) {
        if (!EMPTY_DIGEST.equals(digest)) {
            throw new IllegalStateException(what + ": BLAKE3 of no bytes is " + digest + ", expected " + EMPTY_DIGEST);
        }
    }

    static String bouncyCastle(byte[] data) {
        Blake3Digest digest = new Blake3Digest();
        for (int off = 0; off < data.length; off += BLOCK_BYTES) {
            digest.update(data, off, Math.min(BLOCK_BYTES, data.length - off));
        }
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }

    /** The version of the BouncyCastle that {@code type} belongs to, as its provider class reports it. */
    private static String version(Class<?> type) {
        try {
            Class<?> provider = Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider", true,
                    type.getClassLoader());
            Object instance = provider.getConstructor().newInstance();
            String v = (String) provider.getMethod("getVersionStr").invoke(instance);
            // Point releases report themselves as "1.7801" for 1.78.1.
            return v.matches("\\d+\\.\\d{4}")
                    ? v.substring(0, v.length() - 2) + "." + Integer.parseInt(v.substring(v.length() - 2)) : v;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return "(version unknown)";
        }
    }

    /** Blake3Digest of another BouncyCastle jar, reached by reflection through an isolated class loader. */
    private static void measureOtherBouncyCastle(Path jar, byte[] data, String reference, StringBuilder md)
            throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Class<?> type = Class.forName("org.bouncycastle.crypto.digests.Blake3Digest", true, loader);
            Method update = type.getMethod("update", byte[].class, int.class, int.class);
            Method doFinal = type.getMethod("doFinal", byte[].class, int.class);
            double best = Double.MAX_VALUE;
            String digest = null;
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = System.nanoTime();
                Object hasher = type.getConstructor().newInstance();
                for (int off = 0; off < data.length; off += BLOCK_BYTES) {
                    update.invoke(hasher, data, off, Math.min(BLOCK_BYTES, data.length - off));
                }
                byte[] out = new byte[32];
                doFinal.invoke(hasher, out, 0);
                digest = HexFormat.of().formatHex(out);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            row(md, "BouncyCastle " + version(type) + " Blake3Digest (" + jar.getFileName() + "), 1 MiB updates, "
                    + "one thread", best, data.length, reference.equals(digest));
        } catch (ReflectiveOperationException e) {
            md.append("| BouncyCastle from ").append(jar.getFileName()).append(" | failed: ").append(e)
                    .append(" | | |\n");
        }
    }

    private static String nativeDigest(byte[] data) {
        long hasher = Blake3Jni.allocate_hasher();
        try {
            Blake3Jni.blake3_hasher_init(hasher);
            byte[] block = new byte[BLOCK_BYTES];
            for (int off = 0; off < data.length; off += BLOCK_BYTES) {
                int n = Math.min(BLOCK_BYTES, data.length - off);
                System.arraycopy(data, off, block, 0, n);
                Blake3Jni.blake3_hasher_update(hasher, block, n);
            }
            byte[] out = new byte[32];
            Blake3Jni.blake3_hasher_finalize(hasher, out, out.length);
            return HexFormat.of().formatHex(out);
        } finally {
            Blake3Jni.delete_hasher(hasher);
        }
    }

    private static void row(StringBuilder md, String what, double seconds, long bytes, boolean agrees) {
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %.0f | %s |%n", what, seconds, bytes / 1e6 / seconds,
                agrees ? "yes" : "NO"));
    }
}
