package dev.powdb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Known-answer tests. The inputs are those of the official BLAKE3 test vectors (byte i = i mod 251, for the
 * listed lengths); every expected value was recomputed with Debian's {@code b3sum} 1.2.0 (the reference Rust
 * implementation), e.g. {@code python3 -c "..." | b3sum --no-names}.
 */
class Blake3Test {
    private static byte[] pattern(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i % 251);
        }
        return data;
    }

    @ParameterizedTest
    @CsvSource({
            "0, af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
            "1, 2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
            "1023, 10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
            "1024, 42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
            "1025, d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
            "2048, e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
            "31744, 62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47",
            "102400, bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085",
    })
    void officialVectors(int length, String expected) throws Exception {
        byte[] data = pattern(length);
        assertEquals(expected, Blake3.hex(data));
        assertEquals(expected, Blake3.hex(new ByteArrayInputStream(data)));
        // Incremental updates in odd pieces must give the same digest.
        Blake3 hasher = new Blake3();
        for (int off = 0; off < length; off += 97) {
            hasher.update(data, off, Math.min(97, length - off));
        }
        assertEquals(expected, hasher.finishHex());
        // Both implementations, whichever one Blake3() picked, give the published digest.
        assertEquals(expected, new Blake3(false).update(data).finishHex());
        if (NativeBlake3.available()) {
            Blake3 nat = new Blake3(true);
            for (int off = 0; off < length; off += 97) {
                nat.update(data, off, Math.min(97, length - off));
            }
            assertEquals(expected, nat.finishHex());
        }
    }

    @Test
    void nativeLibraryIsUsedOnThisPlatformAndSaysSo() {
        // The machines this project builds on (Linux x86-64) have the native library; if it failed to load or
        // failed its self-check, the status says why and hashing silently falls back to pure Java.
        String os = System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", "");
        if (os.startsWith("Linux/amd64")) {
            assertTrue(NativeBlake3.available(), Blake3.implementation());
            assertTrue(Blake3.implementation().startsWith("native"), Blake3.implementation());
        }
        assertEquals(NativeBlake3.available(), Blake3.implementation().startsWith("native"));
    }

    @Test
    void theLoadedLibraryLeavesNoCopyInTheTemporaryDirectory() throws Exception {
        // Loading happened (or failed) in NativeBlake3's static initializer; either way its copy is gone. (Only this
        // process's copy is checked: the SIGKILL tests' child processes may be killed while loading.)
        Blake3.implementation();
        if (NativeBlake3.available()) {
            Path copy = NativeBlake3.loadedFrom;
            assertTrue(copy != null && copy.getFileName().toString().startsWith(NativeBlake3.TEMP_PREFIX));
            assertFalse(Files.exists(copy), "the native library's copy is left at " + copy);
        }
    }

    @Test
    void aCopyLeftByAProcessKilledWhileLoadingIsSweptOnceStale(@TempDir Path tmp) throws Exception {
        Path stale = Files.write(tmp.resolve(NativeBlake3.TEMP_PREFIX + "1.so"), new byte[] {1});
        Path fresh = Files.write(tmp.resolve(NativeBlake3.TEMP_PREFIX + "2.so"), new byte[] {2});
        Path other = Files.write(tmp.resolve("libblake3-other.so"), new byte[] {3});
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 3_600_000L));
        Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.fromMillis(0));
        NativeBlake3.sweepStaleCopies(tmp);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh), "a copy that may be loading right now must stay");
        assertTrue(Files.exists(other), "only our own copies are swept");
    }

    @Test
    void textVectors() {
        assertEquals("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
                Blake3.hex("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("2f1514181aadccd913abd94cfa592701a5686ab23f8df1dff1b74710febc6d4a",
                Blake3.hex("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void sliceAndBuffersHashOnlyTheirBytes() {
        byte[] data = pattern(1025);
        byte[] padded = new byte[1035];
        System.arraycopy(data, 0, padded, 5, 1025);
        String expected = "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444";
        assertEquals(expected, Blake3.hex(padded, 5, 1025));
        ByteBuffer heap = ByteBuffer.wrap(padded, 5, 1025);
        assertEquals(expected, new Blake3().update(heap).finishHex());
        assertEquals(5, heap.position(), "update must not move the buffer position");
        ByteBuffer direct = ByteBuffer.allocateDirect(200_000);
        byte[] big = pattern(102400);
        direct.put(big).flip();
        assertEquals("bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085",
                new Blake3().update(direct).finishHex());
        assertEquals(0, direct.position());
    }

    @Test
    void fileDigest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f");
        Files.write(file, pattern(31744));
        assertEquals("62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47", Blake3.hex(file));
    }

    @Test
    void finishTwiceFails() {
        Blake3 hasher = new Blake3();
        hasher.finishHex();
        assertThrows(IllegalStateException.class, hasher::finishHex);
        assertThrows(IllegalStateException.class, () -> hasher.update(new byte[1]));
    }

    @Test
    void isHex() {
        assertTrue(Blake3.isHex("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"));
        assertFalse(Blake3.isHex("AF1349B9F5F9A1A6A0404DEA36DCC9499BCB25C9ADC112B7CC9A93CAE41F3262"));
        assertFalse(Blake3.isHex("af1349b9"));
        assertFalse(Blake3.isHex("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f326g"));
        assertFalse(Blake3.isHex(null));
    }
}
