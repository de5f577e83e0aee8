package dev.powdb.storage.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link StorageFs} that passes every call to another one. Subclasses override what they want to observe or
 * change (count fsyncs, delay or fail a write) and, through {@link #wrap}, the files opened.
 */
public class ForwardingStorageFs implements StorageFs {
    protected final StorageFs delegate;

    public ForwardingStorageFs(StorageFs delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    /** The file {@link #open} returns for {@code file}, opened at {@code path}; the file itself by default. */
    protected StorageFile wrap(Path path, StorageFile file) throws IOException {
        return file;
    }

    @Override
    public StorageFile open(Path path, boolean create) throws IOException {
        return wrap(path, delegate.open(path, create));
    }

    @Override
    public boolean exists(Path path) {
        return delegate.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return delegate.isDirectory(path);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        delegate.createDirectories(dir);
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
        delegate.deleteIfExists(path);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        delegate.syncDirectory(dir);
    }

    @Override
    public Closeable lock(Path lockFile) throws IOException {
        return delegate.lock(lockFile);
    }

    @Override
    public boolean allowsBackgroundWrites() {
        return delegate.allowsBackgroundWrites();
    }
}
