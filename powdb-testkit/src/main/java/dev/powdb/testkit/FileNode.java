package dev.powdb.testkit;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;

/**
 * A regular file's contents. {@code durable} is what the disk holds; {@code current} is what readers see, which is
 * {@code durable} with the pending ops applied (plus any lost ops, see {@link PendingOp}).
 */
final class FileNode extends Node {
    private ByteImage durable = new ByteImage();
    private ByteImage current = new ByteImage();
    private final List<PendingOp> pending = new ArrayList<>();

    @Override
    FileNode copy(IdentityHashMap<Node, Node> copies) {
        FileNode copy = new FileNode();
        copies.put(this, copy);
        copy.durable = new ByteImage(durable);
        copy.current = new ByteImage(current);
        for (PendingOp op : pending) {
            copy.pending.add(op.copy());
        }
        return copy;
    }

    /** What readers see. */
    ByteImage current() {
        return current;
    }

    /** What the disk holds. */
    ByteImage durable() {
        return durable;
    }

    /** Writes {@code bytes} (kept, not copied) at {@code position}, not yet durably. */
    void write(long position, byte[] bytes) {
        if (bytes.length == 0) {
            return;
        }
        current.write(position, bytes, 0, bytes.length);
        pending.add(PendingOp.write(position, bytes));
    }

    /** Shortens the file to {@code sizeBytes}, not yet durably; does nothing if it is not longer. */
    void truncate(long sizeBytes) {
        if (sizeBytes < current.length()) {
            current.truncate(sizeBytes);
            pending.add(PendingOp.truncate(sizeBytes));
        }
    }

    /** A successful fsync: every pending op that is not lost becomes durable. */
    void sync() {
        for (PendingOp op : pending) {
            if (!op.isLost()) {
                op.applyTo(durable);
            }
        }
        pending.clear();
    }

    /** A failed fsync: every queued op is lost, it stays visible but never becomes durable. */
    void failSync() {
        pending.forEach(PendingOp::markLost);
    }

    /** Number of ops not yet made durable, lost ones included. */
    int pendingCount() {
        return pending.size();
    }

    /** Power loss: decides the fate of every pending op, then the durable image is all that is left. */
    void crash(CrashMode mode, Random random) {
        if (mode == CrashMode.KEEP_ALL) {
            durable = new ByteImage(current);
        } else {
            UnsyncedWriteFate.apply(durable, pending, mode, random);
        }
        current = new ByteImage(durable);
        pending.clear();
    }
}
