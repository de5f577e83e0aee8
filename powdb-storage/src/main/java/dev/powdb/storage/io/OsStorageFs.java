package dev.powdb.storage.io;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The operating system's file layer, through {@link FileChannel}. */
public final class OsStorageFs implements StorageFs {
    /** The shared instance. */
    public static final OsStorageFs INSTANCE = new OsStorageFs();

    private OsStorageFs() {
    }

    @Override
    public StorageFile open(Path path, boolean create) throws IOException {
        FileChannel ch = create
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ChannelFile(ch);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        return Files.isDirectory(path);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("atomic rename not supported from " + from + " to " + to, e);
        }
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Some platforms cannot open a directory for syncing; Linux can, which is what we support.
            throw new IOException("cannot fsync directory " + dir, e);
        }
    }

    /** {@inheritDoc} The real file system: yes. */
    @Override
    public boolean allowsBackgroundWrites() {
        return true;
    }

    /**
     * Lock files held by this JVM. Checked before any channel is opened on a lock file, because on Linux closing
     * any descriptor of a file drops every lock this process holds on it: a refused second attempt must never open
     * and close the LOCK file of a database this process has open.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public Closeable lock(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            throw new PowDbException(ErrorCode.LOCKED, "database at " + lockFile.getParent()
                    + " is already open in this process; close it first or share the open Database");
        }
        try {
            return lockHeld(lockFile, key);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private Closeable lockHeld(Path lockFile, Path key) throws IOException {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String owner = readOwner(ch);
            ch.close();
            throw new PowDbException(ErrorCode.LOCKED, "database at " + lockFile.getParent()
                    + " is in use by another process" + (owner.isEmpty() ? "" : " (PID " + owner + ")")
                    + "; close it there first");
        }
        String previous = readOwner(ch);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(true);
        return new LockHandle(ch, lock, previous, key);
    }

    private static String readOwner(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64);
        int n = ch.read(buf, 0);
        if (n <= 0) {
            return "";
        }
        return new String(buf.array(), 0, n, StandardCharsets.US_ASCII).trim();
    }

    /** Holds an OS lock on the LOCK file; the PID of a previous (dead) owner, if any, is kept for diagnostics. */
    public static final class LockHandle implements Closeable {
        private final FileChannel channel;
        private final FileLock lock;
        private final String previousOwner;

        private final Path key;
        private boolean released;

        LockHandle(FileChannel channel, FileLock lock, String previousOwner, Path key) {
            this.channel = channel;
            this.lock = lock;
            this.previousOwner = previousOwner;
            this.key = key;
        }

        /** PID written by the last owner if it did not remove its lock (it died), or the empty string. */
        public String previousOwner() {
            return previousOwner;
        }

        @Override
        public synchronized void close() throws IOException {
            if (released) {
                return;
            }
            released = true;
            try {
                channel.truncate(0);
                lock.release();
            } finally {
                try {
                    channel.close();
                } finally {
                    HELD.remove(key);
                }
            }
        }
    }

    private static final class ChannelFile implements StorageFile {
        private final FileChannel ch;

        ChannelFile(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            long pos = position;
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public void truncate(long sizeBytes) throws IOException {
            ch.truncate(sizeBytes);
        }

        @Override
        public void sync() throws IOException {
            ch.force(false);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
