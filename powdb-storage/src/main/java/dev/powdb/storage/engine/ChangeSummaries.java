package dev.powdb.storage.engine;

import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.page.ChangeTracker;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.util.ByteSink;
import dev.powdb.storage.util.ByteSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The change-tracking windows on disk: {@code track/<from>-<to>.pgs} (16 hex digits each) per closed window,
 * written by the checkpoint that closes it, before {@code control.bin} records that checkpoint.
 *
 * <pre>
 *   0  8 bytes magic "POWDBPGS"
 *   8  u32 format version (1)
 *  12  u64 from LSN, u64 to LSN
 *  28  u32 number of files, then per file: u32 file id, u32 n, n x u32 page number (increasing)
 *  ..  u32 CRC32C of everything before it
 * </pre>
 *
 * <p>Summaries are not fsynced: one lost or torn in a crash fails its CRC or leaves a gap in the run of windows,
 * and a gap only makes the next incremental backup scan page LSNs (see {@link ChangeTracker}). They are never
 * part of a backup.
 */
final class ChangeSummaries {
    /** Directory of the summaries inside the data directory. */
    static final String DIR = "track";
    private static final byte[] MAGIC = "POWDBPGS".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.pgs");

    private ChangeSummaries() {
    }

    static String name(long from, long to) {
        return String.format("%016x-%016x.pgs", from, to);
    }

    static byte[] encode(ChangeTracker.Window w) {
        ByteSink out = new ByteSink(64 + (int) Math.min(Integer.MAX_VALUE / 8, w.size() * 4));
        out.bytes(MAGIC).i32(VERSION).i64(w.from()).i64(w.to()).i32(w.pages().size());
        List<Integer> ids = new ArrayList<>(w.pages().keySet());
        ids.sort(Integer::compare);
        for (int id : ids) {
            int[] p = w.pages().get(id);
            out.i32(id).i32(p.length);
            for (int n : p) {
                out.i32(n);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.length());
        out.i32((int) crc.getValue());
        return out.toByteArray();
    }

    /** The window in {@code b}, or null when it is damaged or not a summary of {@code from}-{@code to}. */
    static ChangeTracker.Window decode(byte[] b, long from, long to) {
        if (b.length < 36 || !Arrays.equals(b, 0, 8, MAGIC, 0, 8)) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        if ((int) crc.getValue() != Page.readInt(b, b.length - 4)) {
            return null;
        }
        try {
            ByteSource in = new ByteSource(b, 8, b.length - 12);
            if (in.i32() != VERSION || in.i64() != from || in.i64() != to) {
                return null;
            }
            int files = in.i32();
            Map<Integer, int[]> pages = new HashMap<>();
            for (int i = 0; i < files; i++) {
                int id = in.i32();
                int n = in.i32();
                if (n < 0 || n > in.remaining() / 4) {
                    return null;
                }
                int[] p = new int[n];
                for (int j = 0; j < n; j++) {
                    p[j] = in.i32();
                }
                pages.put(id, p);
            }
            return in.remaining() == 0 ? new ChangeTracker.Window(from, to, pages) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Writes a closed window (not fsynced: see the class comment). */
    static void write(Engine e, ChangeTracker.Window w) throws IOException {
        Path dir = e.dir.resolve(DIR);
        e.fs.createDirectories(dir);
        byte[] b = encode(w);
        try (StorageFile f = e.fs.open(dir.resolve(name(w.from(), w.to())), true)) {
            f.truncate(0);
            f.write(ByteBuffer.wrap(b), 0);
        }
    }

    static void delete(Engine e, ChangeTracker.Window w) throws IOException {
        e.fs.deleteIfExists(e.dir.resolve(DIR).resolve(name(w.from(), w.to())));
    }

    /** Reads every intact summary; damaged ones and stray files are deleted. */
    static List<ChangeTracker.Window> load(Engine e) throws IOException {
        Path dir = e.dir.resolve(DIR);
        List<ChangeTracker.Window> out = new ArrayList<>();
        if (!e.fs.exists(dir)) {
            return out;
        }
        for (String n : e.fs.list(dir)) {
            Path p = dir.resolve(n);
            Matcher m = NAME.matcher(n);
            ChangeTracker.Window w = null;
            if (m.matches()) {
                try (StorageFile f = e.fs.open(p, false)) {
                    long size = f.size();
                    if (size <= 64L << 20) {
                        byte[] b = new byte[(int) size];
                        f.readFully(ByteBuffer.wrap(b), 0);
                        w = decode(b, Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16));
                    }
                }
            }
            if (w == null) {
                e.fs.deleteIfExists(p);
            } else {
                out.add(w);
            }
        }
        return out;
    }

    /** Deletes the summaries of windows not in {@code kept}. */
    static void keepOnly(Engine e, List<ChangeTracker.Window> stored, List<ChangeTracker.Window> kept)
            throws IOException {
        for (ChangeTracker.Window w : stored) {
            if (!kept.contains(w)) {
                delete(e, w);
            }
        }
    }
}
