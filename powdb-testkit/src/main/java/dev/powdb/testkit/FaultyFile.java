package dev.powdb.testkit;

import dev.powdb.storage.io.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * A handle to one file of a {@link FaultyFs}. Every call takes the file system's monitor, so handles are safe to
 * share between threads. A handle opened before a crash (or a restore) is dead: every call but {@code close}
 * throws an {@link IOException} saying so.
 */
final class FaultyFile implements StorageFile {
    private final FaultyFs fs;
    private final Path path;
    private final FileNode node;
    private final long epoch;
    private boolean closed;

    FaultyFile(FaultyFs fs, Path path, FileNode node, long epoch) {
        this.fs = fs;
        this.path = path;
        this.node = node;
        this.epoch = epoch;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        checkPosition(position);
        synchronized (fs) {
            checkUsable();
            return node.current().read(position, dst);
        }
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        checkPosition(position);
        synchronized (fs) {
            checkUsable();
            int count = src.remaining();
            ByteImage.checkRange(position, count);
            long growth = count == 0 ? 0 : Math.max(0, position + count - node.current().length());
            fs.injector().beforeWrite(growth, fs::storedBytes);
            byte[] bytes = new byte[count];
            src.get(bytes);
            node.write(position, bytes);
            fs.injector().afterWrite();
        }
    }

    @Override
    public long size() throws IOException {
        synchronized (fs) {
            checkUsable();
            return node.current().length();
        }
    }

    @Override
    public void truncate(long sizeBytes) throws IOException {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("negative size " + sizeBytes + " for " + path);
        }
        synchronized (fs) {
            checkUsable();
            fs.injector().beforeWrite(0, fs::storedBytes);
            node.truncate(sizeBytes);
            fs.injector().afterWrite();
        }
    }

    @Override
    public void sync() throws IOException {
        synchronized (fs) {
            checkUsable();
            try {
                fs.injector().beforeSync();
            } catch (IOException e) {
                node.failSync();
                throw e;
            }
            node.sync();
        }
    }

    /** Closes the handle; always allowed, also on a dead handle or a stopped machine, and idempotent. */
    @Override
    public void close() {
        synchronized (fs) {
            closed = true;
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (epoch != fs.epoch()) {
            throw new IOException("crashed: " + path + " was opened before the last simulated crash");
        }
        fs.injector().checkPower();
    }

    private void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position + " in " + path);
        }
    }
}
