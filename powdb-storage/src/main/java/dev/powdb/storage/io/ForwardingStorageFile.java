package dev.powdb.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A {@link StorageFile} that passes every call to another one; subclasses override what they observe or change. */
public class ForwardingStorageFile implements StorageFile {
    protected final StorageFile delegate;

    public ForwardingStorageFile(StorageFile delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
        delegate.write(src, position);
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public void truncate(long sizeBytes) throws IOException {
        delegate.truncate(sizeBytes);
    }

    @Override
    public void sync() throws IOException {
        delegate.sync();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
