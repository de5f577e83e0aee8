package dev.powdb.testkit;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.io.StorageFile;
import dev.powdb.storage.io.StorageFs;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * An in-memory {@link StorageFs} that remembers what was made durable and what was not, so a test can simulate a
 * power loss at any point and inject I/O errors. Every random choice comes from one {@link Random} seeded by the
 * test, so a seed and the same sequence of calls reproduce the same outcome.
 *
 * <h2>File contents</h2>
 * Each file has a durable image (what survived its last successful {@link StorageFile#sync()}) and the writes and
 * truncations made since, in order; readers see the durable image with those applied. A crash decides the fate of
 * each unsynced write by its {@link CrashMode}; synced bytes are never changed by a crash. A sync that fails (an
 * injected error) does not make anything durable, and, as on Linux after an fsync error, the writes it covered are
 * lost for good: they stay visible until the crash, a later successful sync does not save them, and only a
 * {@link CrashMode#KEEP_ALL} crash keeps them.
 *
 * <h2>Directories and names (the metadata model)</h2>
 * Every directory has current entries and durable entries. Creating a file or directory, renaming and deleting
 * change only the current entries of the directories involved; {@link #syncDirectory(Path)} makes all of that
 * directory's entries durable (it does not sync file contents, and syncing a file does not make its name durable).
 * A crash keeps no unsynced change under {@link CrashMode#DROP_ALL}: a created file or directory vanishes, a rename
 * reverts, a deleted file comes back with its durable contents. {@link CrashMode#KEEP_ALL} keeps them all, and
 * {@link CrashMode#RANDOM} and {@link CrashMode#TORN} keep a random prefix of them in the order they were made, as
 * a metadata journal would. A rename is atomic and one change, but it is durable in each of the two directories only
 * when that directory is synced. Roots ({@code /}) always exist; a test that wants a data
 * directory to outlive crashes before the engine runs creates it with {@link #createDirectoriesDurably(Path)}. Paths are made absolute and normalised, so
 * {@code a/./b} and {@code /cwd/a/b} name the same file. Files are limited to about 2 GiB.
 *
 * <h2>Faults</h2>
 * "Writes" are {@code write} and {@code truncate} calls on a {@link StorageFile}; "syncs" are
 * {@link StorageFile#sync()} calls; directory syncs are failed and counted apart. A failed write changes nothing.
 * After {@link #powerOffAfterWrites(int)} runs out every call fails, {@link #exists} and {@link #isDirectory} with
 * an {@link UncheckedIOException}, until {@link #crash(CrashMode)}. The lock file operations ({@link #lock}) are not
 * subject to injected errors other than power-off.
 *
 * <p>Thread-safe: every operation holds this object's monitor.
 */
public final class FaultyFs implements StorageFs {
    private final Random random;
    private final FaultInjector injector = new FaultInjector();
    private final Map<Path, FaultyLock> locks = new HashMap<>();
    private Namespace namespace = new Namespace();
    private long epoch;
    private long crashCount;

    /**
     * An empty file system (only roots exist).
     *
     * @param seed seeds every random choice: crash outcomes and injected bit flips
     */
    public FaultyFs(long seed) {
        this.random = new Random(spread(seed));
    }

    /**
     * Mixes the bits of a seed (the SplitMix64 finaliser). {@link Random}'s first outputs for nearby seeds such as
     * 0, 1, 2 are strongly correlated, and tests typically sweep nearby seeds.
     */
    private static long spread(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- StorageFs ----

    /** {@inheritDoc} Creating a file adds an unsynced entry to its directory. */
    @Override
    public synchronized StorageFile open(Path path, boolean create) throws IOException {
        injector.checkPower();
        Path p = normalize(path);
        DirNode parent = requireParent(p);
        String name = p.getFileName().toString();
        Node node = parent.current.get(name);
        if (node instanceof DirNode) {
            throw new FileSystemException(p.toString(), null, "Is a directory");
        }
        if (node == null) {
            if (!create) {
                throw new NoSuchFileException(p.toString());
            }
            node = new FileNode();
            namespace.change(parent, name, node);
        }
        return new FaultyFile(this, p, (FileNode) node, epoch);
    }

    /**
     * {@inheritDoc}
     *
     * @throws UncheckedIOException when the simulated machine has stopped
     */
    @Override
    public synchronized boolean exists(Path path) {
        checkPowerUnchecked();
        return namespace.lookup(normalize(path)) != null;
    }

    /**
     * {@inheritDoc}
     *
     * @throws UncheckedIOException when the simulated machine has stopped
     */
    @Override
    public synchronized boolean isDirectory(Path path) {
        checkPowerUnchecked();
        return namespace.lookup(normalize(path)) instanceof DirNode;
    }

    /** {@inheritDoc} Names come sorted. */
    @Override
    public synchronized List<String> list(Path dir) throws IOException {
        injector.checkPower();
        return new ArrayList<>(requireDir(normalize(dir)).current.keySet());
    }

    /** {@inheritDoc} Each directory created is an unsynced entry of its parent. */
    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        injector.checkPower();
        Path p = normalize(dir);
        Path at = p.getRoot();
        DirNode parent = (DirNode) namespace.lookup(at);
        for (Path name : p) {
            at = at.resolve(name);
            Node node = parent.current.get(name.toString());
            if (node == null) {
                node = new DirNode();
                namespace.change(parent, name.toString(), node);
            } else if (!(node instanceof DirNode)) {
                throw new FileAlreadyExistsException(at.toString(), null, "a file is in the way of " + p);
            }
            parent = (DirNode) node;
        }
    }

    /**
     * Test setup helper: {@link #createDirectories(Path)}, then syncs every ancestor of {@code dir}, so that the
     * directory and its parents survive any crash (an engine under test syncs the entries it creates inside).
     */
    public synchronized void createDirectoriesDurably(Path dir) throws IOException {
        Path p = normalize(dir);
        createDirectories(p);
        for (Path at = p.getParent(); at != null; at = at.getParent()) {
            syncDirectory(at);
        }
    }

    /** {@inheritDoc} Also deletes an empty directory; the deletion is unsynced until its directory is synced. */
    @Override
    public synchronized void deleteIfExists(Path path) throws IOException {
        injector.checkPower();
        Path p = normalize(path);
        if (p.getFileName() == null) {
            throw new FileSystemException(p.toString(), null, "cannot delete a root");
        }
        DirNode parent = namespace.parentDir(p);
        Node node = parent == null ? null : parent.current.get(p.getFileName().toString());
        if (node == null) {
            return;
        }
        if (node instanceof DirNode d && !d.current.isEmpty()) {
            throw new DirectoryNotEmptyException(p.toString());
        }
        namespace.change(parent, p.getFileName().toString(), null);
    }

    /** {@inheritDoc} Works for files and directories; replaces a file or an empty directory of the same kind. */
    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        injector.checkPower();
        Path src = normalize(from);
        Path dst = normalize(to);
        DirNode srcDir = requireParent(src);
        Node node = srcDir.current.get(src.getFileName().toString());
        if (node == null) {
            throw new NoSuchFileException(src.toString());
        }
        DirNode dstDir = requireParent(dst);
        if (src.equals(dst)) {
            return;
        }
        checkRenameTarget(src, dst, node, dstDir.current.get(dst.getFileName().toString()));
        namespace.move(srcDir, src.getFileName().toString(), dstDir, dst.getFileName().toString(), node);
    }

    /** {@inheritDoc} Does not sync the contents of the files in it. */
    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        injector.checkPower();
        DirNode d = requireDir(normalize(dir));
        injector.beforeDirectorySync();
        namespace.syncDirectory(d);
    }

    /**
     * {@inheritDoc} Creates the lock file if needed and writes this process's PID into it; the lock is released by
     * closing the handle or by a crash.
     */
    @Override
    public synchronized Closeable lock(Path lockFile) throws IOException {
        injector.checkPower();
        Path p = normalize(lockFile);
        if (locks.containsKey(p)) {
            throw new PowDbException(ErrorCode.LOCKED, "database at " + p.getParent()
                    + " is in use: its lock " + p + " is already held in this FaultyFs");
        }
        FileNode node = lockFileNode(p);
        node.truncate(0);
        node.write(0, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        node.sync();
        FaultyLock held = new FaultyLock(this, p, epoch);
        locks.put(p, held);
        return held;
    }

    // ---- crashes ----

    /**
     * Simulates a power loss and the reboot after it. Every open handle dies; every lock is released; unsynced
     * directory changes and file writes meet the fate {@code mode} describes; then the surviving state is both what
     * readers see and what is durable, and the file system is usable again. Armed faults other than a power-off stay
     * armed.
     */
    public synchronized void crash(CrashMode mode) {
        Objects.requireNonNull(mode, "mode");
        for (FileNode file : namespace.crash(mode, random)) {
            file.crash(mode, random);
        }
        reboot();
        crashCount++;
    }

    /** A deep copy of the whole state (files, durable images, unsynced writes and directory changes). */
    public synchronized Snapshot snapshot() {
        return new Snapshot(namespace.deepCopy());
    }

    /**
     * Replaces the whole state with a copy of {@code snapshot}, like a reboot into it: open handles die and locks are
     * released. The random sequence and armed faults carry on.
     */
    public synchronized void restore(Snapshot snapshot) {
        namespace = snapshot.namespace.deepCopy();
        reboot();
    }

    /** A new file system with a copy of this one's state, its own random sequence from {@code seed}, no faults. */
    public FaultyFs copy(long seed) {
        FaultyFs copy = new FaultyFs(seed);
        copy.restore(snapshot());
        return copy;
    }

    // ---- faults ----

    /** The first {@code n} writes from now succeed; every later one throws an {@link IOException}. */
    public synchronized void failWritesAfter(int n) {
        injector.failWritesAfter(n);
    }

    /** The first {@code n} file syncs from now succeed; every later one throws (and loses its writes). */
    public synchronized void failSyncsAfter(int n) {
        injector.failSyncsAfter(n);
    }

    /** The next file sync throws an {@link IOException}, and the writes it covered are lost. */
    public synchronized void failNextSync() {
        injector.failNextSync();
    }

    /** The next {@link #syncDirectory(Path)} throws an {@link IOException}; its changes stay unsynced. */
    public synchronized void failNextDirectorySync() {
        injector.failNextDirectorySync();
    }

    /**
     * Limits the total size of all files to {@code bytes}; a write that would exceed it throws
     * {@code IOException("No space left on device")} and changes nothing.
     */
    public synchronized void setDiskCapacity(long bytes) {
        injector.setDiskCapacity(bytes);
    }

    /** After {@code n} more writes succeed, the machine stops: every call fails until {@link #crash}. */
    public synchronized void powerOffAfterWrites(int n) {
        injector.powerOffAfterWrites(n);
    }

    /** Disarms every injected error, the disk capacity and a pending power-off (a stopped machine stays off). */
    public synchronized void clearFaults() {
        injector.clearFaults();
    }

    /** Whether the simulated machine has stopped (a power-off countdown ran out). */
    public synchronized boolean isPoweredOff() {
        try {
            injector.checkPower();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    // ---- inspection and damage ----

    /** Size in bytes of the durable image of the file now at {@code path}. */
    public synchronized long durableSize(Path path) throws IOException {
        return requireFile(path).durable().length();
    }

    /** A copy of the durable image of the file now at {@code path}. */
    public synchronized byte[] readDurable(Path path) throws IOException {
        return requireFile(path).durable().toArray();
    }

    /** A copy of what readers of the file at {@code path} see now. */
    public synchronized byte[] readCurrent(Path path) throws IOException {
        return requireFile(path).current().toArray();
    }

    /** Whether {@code path} exists in the durable directory tree, i.e. would survive a {@code DROP_ALL} crash. */
    public synchronized boolean existsDurably(Path path) {
        return namespace.lookupDurable(normalize(path)) != null;
    }

    /**
     * Simulates media damage: flips one random bit of the byte at {@code offset} in the durable image, and in what
     * readers see if the file is that long. A later write over that byte repairs it.
     *
     * @throws IllegalArgumentException if {@code offset} is outside the durable image
     */
    public synchronized void corruptDurableByte(Path path, long offset) throws IOException {
        FileNode file = requireFile(path);
        if (offset < 0 || offset >= file.durable().length()) {
            throw new IllegalArgumentException("offset " + offset + " is outside the durable image of " + path
                    + " (" + file.durable().length() + " bytes)");
        }
        int mask = 1 << random.nextInt(8);
        file.durable().xor((int) offset, mask);
        if (offset < file.current().length()) {
            file.current().xor((int) offset, mask);
        }
    }

    /** Total size in bytes of all files reachable now, counted once each: what the disk capacity limits. */
    public synchronized long storedBytes() {
        long total = 0;
        for (FileNode file : namespace.currentFiles()) {
            total += file.current().length();
        }
        return total;
    }

    /** Number of writes and truncations of the file at {@code path} not yet durable (lost ones included). */
    public synchronized int unsyncedWriteCount(Path path) throws IOException {
        return requireFile(path).pendingCount();
    }

    /** Number of directory changes (creations, deletions, renames) not yet durable in every directory involved. */
    public synchronized int unsyncedDirectoryChangeCount() {
        return namespace.unsyncedChangeCount();
    }

    /** Writes and truncations that succeeded, since construction. */
    public synchronized long writeCount() {
        return injector.writeCount();
    }

    /** File syncs that succeeded, since construction. */
    public synchronized long syncCount() {
        return injector.syncCount();
    }

    /** Directory syncs that succeeded, since construction. */
    public synchronized long directorySyncCount() {
        return injector.directorySyncCount();
    }

    /** Calls failed by an injected fault, a full disk or power-off, since construction. */
    public synchronized long failureCount() {
        return injector.failureCount();
    }

    /** Crashes simulated, since construction. */
    public synchronized long crashCount() {
        return crashCount;
    }

    // ---- package-private hooks for handles ----

    /** Changes on every crash or restore; handles from an older epoch are dead. */
    long epoch() {
        return epoch;
    }

    FaultInjector injector() {
        return injector;
    }

    /** Releases {@code held} if it is still the live lock of its path. */
    synchronized void release(FaultyLock held) throws IOException {
        if (held.epoch() != epoch || locks.get(held.path()) != held) {
            return;
        }
        injector.checkPower();
        locks.remove(held.path());
        Node node = namespace.lookup(held.path());
        if (node instanceof FileNode file) {
            file.truncate(0);
        }
    }

    // ---- helpers ----

    private void reboot() {
        epoch++;
        locks.clear();
        injector.powerOn();
    }

    private static Path normalize(Path path) {
        return path.toAbsolutePath().normalize();
    }

    private void checkPowerUnchecked() {
        try {
            injector.checkPower();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private DirNode requireParent(Path p) throws IOException {
        if (p.getFileName() == null) {
            throw new FileSystemException(p.toString(), null, "a root is not a file");
        }
        DirNode parent = namespace.parentDir(p);
        if (parent == null) {
            throw new NoSuchFileException(p.toString(), null, "parent directory does not exist");
        }
        return parent;
    }

    private DirNode requireDir(Path p) throws IOException {
        Node node = namespace.lookup(p);
        if (node == null) {
            throw new NoSuchFileException(p.toString());
        }
        if (!(node instanceof DirNode dir)) {
            throw new NotDirectoryException(p.toString());
        }
        return dir;
    }

    private FileNode requireFile(Path path) throws IOException {
        Path p = normalize(path);
        Node node = namespace.lookup(p);
        if (!(node instanceof FileNode file)) {
            throw new NoSuchFileException(p.toString(), null, node == null ? "no such file" : "is a directory");
        }
        return file;
    }

    private FileNode lockFileNode(Path p) throws IOException {
        DirNode parent = requireParent(p);
        Node node = parent.current.get(p.getFileName().toString());
        if (node instanceof DirNode) {
            throw new FileSystemException(p.toString(), null, "Is a directory");
        }
        if (node == null) {
            node = new FileNode();
            namespace.change(parent, p.getFileName().toString(), node);
        }
        return (FileNode) node;
    }

    private static void checkRenameTarget(Path src, Path dst, Node node, Node target) throws IOException {
        if (node instanceof DirNode && dst.startsWith(src)) {
            throw new FileSystemException(src.toString(), dst.toString(), "cannot move a directory into itself");
        }
        if (target instanceof DirNode targetDir) {
            if (!(node instanceof DirNode)) {
                throw new FileSystemException(src.toString(), dst.toString(), "target is a directory");
            }
            if (!targetDir.current.isEmpty()) {
                throw new DirectoryNotEmptyException(dst.toString());
            }
        } else if (target != null && node instanceof DirNode) {
            throw new FileSystemException(src.toString(), dst.toString(), "target is not a directory");
        }
    }

    /** A frozen copy of a {@link FaultyFs}'s whole state, for {@link #restore(Snapshot)}. */
    public static final class Snapshot {
        private final Namespace namespace;

        private Snapshot(Namespace namespace) {
            this.namespace = namespace;
        }
    }
}
