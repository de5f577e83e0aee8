package dev.powdb.testkit;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Decides what a power loss leaves of a file's pending ops, for the modes that do not keep or drop everything. */
final class UnsyncedWriteFate {
    /** Size of a disk sector in bytes: the unit a {@link CrashMode#TORN} crash tears writes into. */
    static final int SECTOR_BYTES = 512;

    private UnsyncedWriteFate() {
    }

    /**
     * Applies to {@code durable}, in order, what survives of {@code pending} under {@code mode}. Lost ops never
     * survive. {@code random} is consumed in a fixed order so that a seed reproduces the outcome.
     */
    static void apply(ByteImage durable, List<PendingOp> pending, CrashMode mode, Random random) {
        if (mode == CrashMode.DROP_ALL) {
            return;
        }
        for (PendingOp op : pending) {
            if (op.isLost()) {
                continue;
            }
            if (op.isTruncate()) {
                if (mode == CrashMode.TORN || random.nextBoolean()) {
                    op.applyTo(durable);
                }
            } else if (mode == CrashMode.TORN) {
                applyTorn(durable, op, random);
            } else {
                applyRandom(durable, op, random);
            }
        }
    }

    /** Keeps each sector-aligned piece of the write with probability one half. */
    private static void applyTorn(ByteImage durable, PendingOp op, Random random) {
        byte[] bytes = op.bytes();
        long start = op.position();
        int done = 0;
        while (done < bytes.length) {
            long pos = start + done;
            int piece = (int) Math.min(bytes.length - done, SECTOR_BYTES - pos % SECTOR_BYTES);
            if (random.nextBoolean()) {
                durable.write(pos, bytes, done, piece);
            }
            done += piece;
        }
    }

    /** Picks one fate: keep 3/10, drop 3/10, prefix 2/10, zero 1/10, bit flips 1/10. */
    private static void applyRandom(ByteImage durable, PendingOp op, Random random) {
        byte[] bytes = op.bytes();
        int roll = random.nextInt(10);
        if (roll < 3) {
            durable.write(op.position(), bytes, 0, bytes.length);
        } else if (roll < 6) {
            return;
        } else if (roll < 8) {
            durable.write(op.position(), bytes, 0, random.nextInt(bytes.length));
        } else if (roll < 9) {
            durable.write(op.position(), new byte[bytes.length], 0, bytes.length);
        } else {
            durable.write(op.position(), flipBits(bytes, random), 0, bytes.length);
        }
    }

    /** A copy of {@code bytes} with one to three distinct random bits flipped, so it always differs. */
    private static byte[] flipBits(byte[] bytes, Random random) {
        byte[] flipped = bytes.clone();
        long totalBits = 8L * bytes.length;
        int flips = (int) Math.min(totalBits, 1 + random.nextInt(3));
        Set<Long> chosen = new HashSet<>();
        while (chosen.size() < flips) {
            long bit = (long) (random.nextDouble() * totalBits);
            if (chosen.add(bit)) {
                flipped[(int) (bit >>> 3)] ^= (byte) (1 << (int) (bit & 7));
            }
        }
        return flipped;
    }
}
