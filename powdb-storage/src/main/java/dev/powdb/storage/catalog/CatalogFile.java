package dev.powdb.storage.catalog;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.FormatVersionException;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.io.StorageFs;
import dev.powdb.storage.page.Page;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * {@code catalog.bin}: {@code 8 bytes "POWDBCAT", u32 format version (1), u32 payload length, payload
 * (a serialised {@link Catalog}), u32 CRC32C of everything before it}. Replaced atomically: written to
 * {@code catalog.bin.tmp}, fsynced, renamed over, and the directory fsynced.
 */
public final class CatalogFile {
    public static final String NAME = "catalog.bin";
    public static final String TEMP_NAME = "catalog.bin.tmp";
    static final byte[] MAGIC = "POWDBCAT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private CatalogFile() {
    }

    /** Writes {@code catalog} to {@code dir/catalog.bin} atomically. */
    public static void write(StorageFs fs, Path dir, Catalog catalog) throws IOException {
        byte[] payload = catalog.serialize();
        byte[] out = new byte[16 + payload.length + 4];
        System.arraycopy(MAGIC, 0, out, 0, 8);
        Page.writeInt(out, 8, VERSION);
        Page.writeInt(out, 12, payload.length);
        System.arraycopy(payload, 0, out, 16, payload.length);
        CRC32C crc = new CRC32C();
        crc.update(out, 0, 16 + payload.length);
        Page.writeInt(out, 16 + payload.length, (int) crc.getValue());
        Path tmp = dir.resolve(TEMP_NAME);
        try (StorageFile f = fs.open(tmp, true)) {
            f.truncate(0);
            f.write(ByteBuffer.wrap(out), 0);
            f.sync();
        }
        fs.rename(tmp, dir.resolve(NAME));
        fs.syncDirectory(dir);
    }

    /** Reads and checks {@code dir/catalog.bin}. */
    public static Catalog read(StorageFs fs, Path dir) throws IOException {
        Path p = dir.resolve(NAME);
        byte[] b;
        try (StorageFile f = fs.open(p, false)) {
            b = new byte[(int) Math.min(f.size(), Integer.MAX_VALUE - 16)];
            f.readFully(ByteBuffer.wrap(b), 0);
        }
        return parse(b, p.toString());
    }

    /** Parses the bytes of a catalog file; {@code resource} is named in errors. */
    public static Catalog parse(byte[] b, String resource) {
        if (b.length < 20 || !Arrays.equals(b, 0, 8, MAGIC, 0, 8)) {
            throw new CorruptionException(resource, 0, "catalog magic", "POWDBCAT",
                    b.length < 8 ? b.length + " bytes" : new String(b, 0, 8, StandardCharsets.ISO_8859_1),
                    "not a PowDB catalog or truncated");
        }
        int version = Page.readInt(b, 8);
        if (version != VERSION) {
            throw new FormatVersionException(resource, version, VERSION, VERSION);
        }
        int len = Page.readInt(b, 12);
        if (len < 0 || 16L + len + 4 != b.length) {
            throw new CorruptionException(resource, 12, "catalog length", (b.length - 20) + " bytes",
                    len + " bytes", "truncated file?");
        }
        CRC32C crc = new CRC32C();
        crc.update(b, 0, 16 + len);
        int stored = Page.readInt(b, 16 + len);
        if (stored != (int) crc.getValue()) {
            throw new CorruptionException(resource, 16 + len, "catalog checksum",
                    String.format("%08x", (int) crc.getValue()), String.format("%08x", stored), "damaged file");
        }
        return Catalog.deserialize(Arrays.copyOfRange(b, 16, 16 + len), resource);
    }
}
