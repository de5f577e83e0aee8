package dev.powdb.storage.engine;

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
 * {@code control.bin}: the last checkpoint, kept in two 512-byte slots written alternately so that a torn write
 * of one slot leaves the other intact. Slot layout:
 * <pre>
 *   0  8 bytes "POWDBCTL"     8 u32 format version (1)   12 u32 reserved
 *  16  u64 sequence (higher wins)
 *  24  u64 redo LSN: replay starts here
 *  32  u64 undo LSN: first LSN of a transaction open at the checkpoint (= redo LSN when none)
 *  40  u64 next LSN at the checkpoint
 *  48  u64 catalog version written with the checkpoint
 *  56  u64 checkpoint time, microseconds since the epoch
 *  64  u8  1 if written by a clean close
 *  65..71 zero
 *  72  16 bytes database id: random, chosen when the database is created and anew when a backup is restored,
 *      so two databases (or a restored copy and its original) never share one; all zero in directories created
 *      before the id existed (recovery assigns one)
 *  88..507 zero   508 u32 CRC32C of bytes [0, 508)
 * </pre>
 */
public final class ControlFile {
    public static final String NAME = "control.bin";
    static final int SLOT = 512;
    static final byte[] MAGIC = "POWDBCTL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    /** Contents of one checkpoint. */
    public static final class State {
        public long sequence;
        public long redoLsn;
        public long undoLsn;
        public long nextLsn;
        public long catalogVersion;
        public long timeMicros;
        public boolean clean;
        /** High and low halves of the database id (both 0: none yet). */
        public long idHigh;
        public long idLow;
    }

    private ControlFile() {
    }

    /** One slot holding {@code s}, checksummed. */
    static byte[] encode(State s) {
        byte[] b = new byte[SLOT];
        System.arraycopy(MAGIC, 0, b, 0, 8);
        Page.writeInt(b, 8, VERSION);
        Page.writeLong(b, 16, s.sequence);
        Page.writeLong(b, 24, s.redoLsn);
        Page.writeLong(b, 32, s.undoLsn);
        Page.writeLong(b, 40, s.nextLsn);
        Page.writeLong(b, 48, s.catalogVersion);
        Page.writeLong(b, 56, s.timeMicros);
        b[64] = (byte) (s.clean ? 1 : 0);
        Page.writeLong(b, 72, s.idHigh);
        Page.writeLong(b, 80, s.idLow);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, SLOT - 4);
        Page.writeInt(b, SLOT - 4, (int) crc.getValue());
        return b;
    }

    /**
     * A whole {@code control.bin} (both slots) recording a clean stop with nothing to redo or undo at
     * {@code nextLsn}: what a restored data directory starts from.
     */
    public static byte[] cleanImage(long nextLsn, long catalogVersion, long timeMicros, long idHigh, long idLow) {
        return image(nextLsn, nextLsn, nextLsn, true, catalogVersion, timeMicros, idHigh, idLow);
    }

    /**
     * Bytes of a whole control file (both slots equal) recording a checkpoint with redo LSN {@code redoLsn}, undo
     * LSN {@code undoLsn} and next LSN {@code nextLsn}: what a restore installs beside the data files and the WAL
     * of an online backup, so that opening replays that WAL.
     */
    public static byte[] image(long redoLsn, long undoLsn, long nextLsn, boolean clean, long catalogVersion,
                               long timeMicros, long idHigh, long idLow) {
        State s = new State();
        s.sequence = 1;
        s.redoLsn = redoLsn;
        s.undoLsn = undoLsn;
        s.nextLsn = nextLsn;
        s.catalogVersion = catalogVersion;
        s.timeMicros = timeMicros;
        s.clean = clean;
        s.idHigh = idHigh;
        s.idLow = idLow;
        byte[] slot = encode(s);
        byte[] image = new byte[2 * SLOT];
        System.arraycopy(slot, 0, image, 0, SLOT);
        System.arraycopy(slot, 0, image, SLOT, SLOT);
        return image;
    }

    /** Writes {@code s} into the slot not holding the current state and fsyncs. */
    public static void write(StorageFs fs, Path dir, State s) throws IOException {
        byte[] b = encode(s);
        Path p = dir.resolve(NAME);
        boolean created = !fs.exists(p);
        try (StorageFile f = fs.open(p, true)) {
            f.write(ByteBuffer.wrap(b), (s.sequence % 2) * SLOT);
            if (created) {
                f.write(ByteBuffer.wrap(b), ((s.sequence + 1) % 2) * SLOT);
            }
            f.sync();
        }
        if (created) {
            fs.syncDirectory(dir);
        }
    }

    /**
     * Decodes a whole {@code control.bin} image held in memory (the newest valid slot).
     *
     * @throws CorruptionException naming {@code resource} when no slot is valid
     */
    public static State decodeImage(byte[] image, String resource) {
        State best = null;
        String firstProblem = "file is " + image.length + " bytes";
        for (int slot = 0; slot < 2 && image.length >= (slot + 1) * SLOT; slot++) {
            byte[] b = Arrays.copyOfRange(image, slot * SLOT, (slot + 1) * SLOT);
            String problem = check(b, resource);
            if (problem != null) {
                firstProblem = "slot " + slot + ": " + problem;
                continue;
            }
            State st = decode(b);
            if (best == null || st.sequence > best.sequence) {
                best = st;
            }
        }
        if (best == null) {
            throw new CorruptionException(resource, 0, "control file", "a valid checkpoint slot", firstProblem,
                    "damaged");
        }
        return best;
    }

    /** A new random database id as {high, low}, never all zero. */
    public static long[] newDatabaseId() {
        java.security.SecureRandom r = new java.security.SecureRandom();
        long hi;
        long lo;
        do {
            hi = r.nextLong();
            lo = r.nextLong();
        } while (hi == 0 && lo == 0);
        return new long[] {hi, lo};
    }

    /** A database id as 32 lower-case hex characters. */
    public static String idHex(long hi, long lo) {
        return String.format("%016x%016x", hi, lo);
    }

    /** Reads the newest valid slot. */
    public static State read(StorageFs fs, Path dir) throws IOException {
        Path p = dir.resolve(NAME);
        byte[] b = new byte[2 * SLOT];
        int n;
        try (StorageFile f = fs.open(p, false)) {
            n = f.readFully(ByteBuffer.wrap(b), 0);
        }
        State best = null;
        String firstProblem = null;
        for (int slot = 0; slot < 2; slot++) {
            if (n < (slot + 1) * SLOT) {
                firstProblem = firstProblem != null ? firstProblem : "slot " + slot + " missing (file is " + n
                        + " bytes)";
                continue;
            }
            byte[] s = Arrays.copyOfRange(b, slot * SLOT, (slot + 1) * SLOT);
            String problem = check(s, p.toString());
            if (problem != null) {
                firstProblem = firstProblem != null ? firstProblem : "slot " + slot + ": " + problem;
                continue;
            }
            State st = decode(s);
            if (best == null || st.sequence > best.sequence) {
                best = st;
            }
        }
        if (best == null) {
            throw new CorruptionException(p.toString(), 0, "control file", "a valid checkpoint slot",
                    firstProblem, "both copies damaged");
        }
        return best;
    }

    private static String check(byte[] s, String resource) {
        if (!Arrays.equals(s, 0, 8, MAGIC, 0, 8)) {
            return "bad magic";
        }
        CRC32C crc = new CRC32C();
        crc.update(s, 0, SLOT - 4);
        if (Page.readInt(s, SLOT - 4) != (int) crc.getValue()) {
            return "checksum mismatch (torn write?)";
        }
        int version = Page.readInt(s, 8);
        if (version != VERSION) {
            throw new FormatVersionException(resource, version, VERSION, VERSION);
        }
        return null;
    }

    private static State decode(byte[] b) {
        State s = new State();
        s.sequence = Page.readLong(b, 16);
        s.redoLsn = Page.readLong(b, 24);
        s.undoLsn = Page.readLong(b, 32);
        s.nextLsn = Page.readLong(b, 40);
        s.catalogVersion = Page.readLong(b, 48);
        s.timeMicros = Page.readLong(b, 56);
        s.clean = b[64] == 1;
        s.idHigh = Page.readLong(b, 72);
        s.idLow = Page.readLong(b, 80);
        return s;
    }
}
