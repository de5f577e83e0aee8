package dev.powdb.storage.engine;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.SyncMode;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.heap.HeapFile;
import dev.powdb.storage.index.BTree;
import dev.powdb.storage.io.StorageFs;
import dev.powdb.storage.page.BufferPool;
import dev.powdb.storage.page.PagedFile;
import dev.powdb.storage.wal.Wal;
import dev.powdb.storage.wal.WalRecordType;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The storage engine behind {@link dev.powdb.storage.Database}: one open data directory with its buffer pool, WAL,
 * catalog and open files, transactions, checkpoints and recovery.
 *
 * <p>Concurrency: a database-wide fair read/write lock. A write transaction holds the write lock from begin until
 * its commit record is appended, so it is serialisable and readers never see uncommitted data; read operations
 * share the read lock. Commits release the lock before waiting for fsync, so concurrent committers share one
 * fsync (group commit).
 */
public final class Engine implements Closeable {
    /** Name of the directory holding WAL segments. */
    public static final String WAL_DIR = "wal";
    /** Name of the writer lock file. */
    public static final String LOCK_FILE = "LOCK";

    final StorageFs fs;
    final Path dir;
    final DatabaseOptions options;
    private final Closeable lock;
    final BufferPool pool;
    private Wal wal;
    private volatile Catalog catalog;
    private final Map<Integer, PagedFile> files = new HashMap<>();
    private volatile Map<String, TableStore> tables = new HashMap<>();
    final ReentrantReadWriteLock dbLock = new ReentrantReadWriteLock(true);
    final ReentrantLock stmtLock = new ReentrantLock();
    private volatile long fpiThreshold;
    private volatile TxContext activeTx;
    final Checkpointer checkpointer;
    private volatile boolean closed;
    /** Set when close begins; checkpoints other than the close's own are refused from then on. */
    volatile boolean closing;
    private final Thread normalSyncer;

    private Engine(StorageFs fs, Path dir, DatabaseOptions options, Closeable lock) {
        this.fs = fs;
        this.dir = dir;
        this.options = options;
        this.lock = lock;
        this.pool = new BufferPool(options.bufferPoolPages(), dev.powdb.storage.page.PageFlushGate.NONE);
        this.checkpointer = new Checkpointer(this);
        this.normalSyncer = options.syncMode() == SyncMode.NORMAL ? new Thread(this::syncLoop, "powdb-wal-sync")
                : null;
    }

    /** Opens (creating if needed) the database at {@code dir}, running crash recovery. */
    public static Engine open(Path dir, DatabaseOptions options) {
        StorageFs fs = options.fs();
        Closeable lock = null;
        Engine e = null;
        try {
            if (fs.exists(dir) && !fs.isDirectory(dir)) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, dir + " exists and is not a directory");
            }
            fs.createDirectories(dir);
            lock = fs.lock(dir.resolve(LOCK_FILE));
            e = new Engine(fs, dir, options, lock);
            Recovery.run(e);
            if (e.normalSyncer != null) {
                e.normalSyncer.setDaemon(true);
                e.normalSyncer.start();
            }
            return e;
        } catch (IOException ex) {
            closeQuietly(e, lock);
            throw new PowDbException(ErrorCode.IO, "cannot open database at " + dir + ": " + ex.getMessage(), ex);
        } catch (RuntimeException | Error ex) {
            closeQuietly(e, lock);
            throw ex;
        }
    }

    private static void closeQuietly(Engine e, Closeable lock) {
        try {
            if (e != null) {
                e.closeFilesQuietly();
            }
            if (lock != null) {
                lock.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // Already failing; the original error is what the caller needs.
        }
    }

    // ---- state used by recovery, transactions and checkpoints ---------------------------------------------------

    Wal wal() {
        return wal;
    }

    void setWal(Wal w) {
        this.wal = w;
        pool.setGate(w);
        pool.setFailureListener(w::poison);
    }

    long fpiThreshold() {
        return fpiThreshold;
    }

    void setFpiThreshold(long lsn) {
        fpiThreshold = lsn;
    }

    private volatile long[] databaseId = {0, 0};

    /** The database id {high, low} (see {@link ControlFile}). */
    long[] databaseId() {
        return databaseId;
    }

    /** The database id as 32 hex characters. */
    public String databaseIdHex() {
        return ControlFile.idHex(databaseId[0], databaseId[1]);
    }

    void setDatabaseId(long hi, long lo) {
        if (hi == 0 && lo == 0) {
            long[] fresh = ControlFile.newDatabaseId();
            databaseId = fresh;
        } else {
            databaseId = new long[] {hi, lo};
        }
    }

    TxContext activeTx() {
        return activeTx;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** Sets the catalog and opens/closes files to match (recovery and DDL). */
    void setCatalog(Catalog c) {
        this.catalog = c;
        rebuildTables();
    }

    /** Installs a catalog inside a transaction: logs it, then applies it. */
    void installCatalog(TxContext ctx, Catalog next) {
        ctx.logCatalog(next, catalog);
        setCatalog(next);
    }

    PagedFile fileById(int fileId) {
        synchronized (files) {
            return files.get(fileId);
        }
    }

    /** Opens (or creates) the paged file {@code name} with id {@code fileId}. */
    PagedFile openFile(int fileId, String name, boolean create) {
        synchronized (files) {
            PagedFile f = files.get(fileId);
            if (f != null) {
                return f;
            }
            for (PagedFile o : orphaned) {
                if (o.fileId() == fileId) {
                    // A rollback brought back a file whose drop had not been committed.
                    orphaned.remove(o);
                    files.put(fileId, o);
                    return o;
                }
            }
            Path p = dir.resolve(name);
            try {
                if (!create && !fs.exists(p)) {
                    throw new CorruptionException(p.toString(), 0, "data file", "the file the catalog lists",
                            "no such file", "deleted by hand? restore from a backup");
                }
                f = new PagedFile(fileId, name, p, fs.open(p, true), pool);
                if (create) {
                    fs.syncDirectory(dir);
                }
            } catch (IOException e) {
                throw new PowDbException(ErrorCode.IO, "cannot open " + p + ": " + e.getMessage(), e);
            }
            files.put(fileId, f);
            return f;
        }
    }

    /** Re-derives the open tables from the catalog; files no longer in the catalog are forgotten (not deleted). */
    private void rebuildTables() {
        Map<String, TableStore> next = new HashMap<>();
        java.util.Set<Integer> live = new java.util.HashSet<>();
        for (TableMeta t : catalog.tables) {
            PagedFile hf = openFile(t.heapFileId, t.heapFile, true);
            live.add(t.heapFileId);
            TableStore old = tables.get(t.name);
            HeapFile heap = old != null && old.heap.file() == hf ? old.heap : new HeapFile(hf);
            List<BTree> idx = new ArrayList<>();
            for (IndexMeta m : t.indexes) {
                PagedFile xf = openFile(m.fileId, m.fileName, true);
                live.add(m.fileId);
                BTree existing = old == null ? null : old.index(m.column);
                idx.add(existing != null && existing.file() == xf ? existing : openTree(xf));
            }
            next.put(t.name, new TableStore(t, heap, idx));
        }
        synchronized (files) {
            for (Integer id : new ArrayList<>(files.keySet())) {
                if (!live.contains(id)) {
                    PagedFile f = files.remove(id);
                    orphaned.add(f);
                }
            }
        }
        tables = next;
    }

    private BTree openTree(PagedFile xf) {
        return xf.pageCount() > 1 ? BTree.open(xf) : null;
    }

    /** Files dropped from the catalog whose deletion waits for the commit (or that a rollback may bring back). */
    private final List<PagedFile> orphaned = new ArrayList<>();

    /** After the catalog lost files for good (commit of a drop, rollback of a create): close and delete them. */
    void deleteOrphans() {
        List<PagedFile> gone;
        synchronized (files) {
            gone = new ArrayList<>(orphaned);
            orphaned.clear();
        }
        if (gone.isEmpty()) {
            return;
        }
        synchronized (checkpointer) {
            try {
                for (PagedFile f : gone) {
                    if (catalog.fileName(f.fileId()) != null) {
                        continue;
                    }
                    f.discard();
                    if (!catalog.fileNames().contains(f.name())) {
                        fs.deleteIfExists(f.path());
                    }
                }
                fs.syncDirectory(dir);
            } catch (IOException e) {
                throw new PowDbException(ErrorCode.IO, "cannot delete dropped files in " + dir + ": "
                        + e.getMessage(), e);
            }
        }
    }

    TableStore store(String table) {
        TableStore s = tables.get(table);
        if (s == null) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "no table named " + table);
        }
        return s;
    }

    /** Sets a table's freshly created index tree (the catalog entry exists already). */
    void registerTree(String table, String column, BTree tree) {
        TableStore s = store(table);
        int i = 0;
        for (IndexMeta m : s.indexMetas) {
            if (m.column.equals(column)) {
                s.indexes.set(i, tree);
            }
            i++;
        }
    }

    List<PagedFile> openFiles() {
        synchronized (files) {
            return new ArrayList<>(files.values());
        }
    }

    // ---- transactions -----------------------------------------------------------------------------------------

    /** Starts a write transaction on this thread (blocks while another one is open). */
    public TxContext begin() {
        checkOpen();
        if (dbLock.isWriteLockedByCurrentThread()) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "this thread already has an open transaction; "
                    + "commit or roll it back first, or run this change through that transaction");
        }
        dbLock.writeLock().lock();
        try {
            checkOpen();
            checkPoison();
            TxContext ctx = new TxContext(this, wal.nextLsn());
            activeTx = ctx;
            return ctx;
        } catch (RuntimeException | Error e) {
            dbLock.writeLock().unlock();
            throw e;
        }
    }

    /** Throws POISONED when the database refuses writes. */
    void checkWritable() {
        checkPoison();
    }

    /** Starts a backup: see {@link dev.powdb.storage.spi.BackupSource}. */
    public dev.powdb.storage.spi.BackupSource startBackup(dev.powdb.storage.spi.BackupStart where) {
        return EngineBackupSource.start(this, java.util.Objects.requireNonNull(where, "where"));
    }

    private void checkPoison() {
        if (wal.poison() != null) {
            throw new PowDbException(ErrorCode.POISONED, "the database refuses writes after a failed write or "
                    + "fsync (" + wal.poison().getMessage() + "); close and reopen it", wal.poison());
        }
    }

    /** Runs one statement of {@code ctx} atomically: on failure its changes are undone and the error rethrown. */
    public <T> T statement(TxContext ctx, java.util.function.Supplier<T> body) {
        stmtLock.lock();
        int sp = ctx.savepoint();
        try {
            return body.get();
        } catch (RuntimeException | Error e) {
            try {
                ctx.rollbackTo(sp);
                afterUndo();
            } catch (RuntimeException undoFailure) {
                undoFailed(undoFailure);
                e.addSuppressed(undoFailure);
            }
            throw e;
        } finally {
            stmtLock.unlock();
        }
    }

    private void afterUndo() {
        for (TableStore s : tables.values()) {
            s.heap.invalidateFreeSpace();
        }
        deleteOrphans();
    }

    /** Test seam: runs in {@link #commit} after the transaction's pages are logged and before its commit record. */
    volatile Runnable beforeCommitRecordForTesting;

    /** Commits: appends the commit record, releases the lock, then waits for durability per the sync mode. */
    public void commit(TxContext ctx) {
        long lsn = -1;
        try {
            try {
                ctx.flushPending();
            } catch (RuntimeException e) {
                rollbackAfterFailedCommit(ctx, e);
                throw e;
            }
            Runnable hook = beforeCommitRecordForTesting;
            if (hook != null) {
                hook.run();
            }
            if (ctx.wroteAnything()) {
                long micros = System.currentTimeMillis() * 1000L;
                try {
                    lsn = wal.append(WalRecordType.COMMIT, ctx.txId, out -> out.i64(micros));
                    ctx.commitLsn = lsn;
                } catch (RuntimeException e) {
                    rollbackAfterFailedCommit(ctx, e);
                    throw e;
                }
                boolean dropped = !orphanedEmpty();
                if (dropped) {
                    // A dropped file may only disappear once the commit that dropped it is durable.
                    wal.sync(lsn);
                    deleteOrphans();
                }
            }
        } finally {
            activeTx = null;
            dbLock.writeLock().unlock();
        }
        if (lsn > 0) {
            if (options.syncMode() == SyncMode.FULL) {
                wal.sync(lsn);
            } else {
                wal.flush(lsn);
            }
            checkpointer.maybeTrigger();
        }
    }

    /** No commit record was written: the transaction did not happen. Take its changes back out of memory. */
    private void rollbackAfterFailedCommit(TxContext ctx, RuntimeException e) {
        try {
            stmtLock.lock();
            try {
                ctx.rollbackTo(0);
                afterUndo();
            } finally {
                stmtLock.unlock();
            }
        } catch (RuntimeException undoFailure) {
            undoFailed(undoFailure);
            e.addSuppressed(undoFailure);
        }
    }

    private boolean orphanedEmpty() {
        synchronized (files) {
            return orphaned.isEmpty();
        }
    }

    /** Rolls back every change of {@code ctx} and ends it. */
    public void rollback(TxContext ctx) {
        try {
            stmtLock.lock();
            try {
                try {
                    ctx.rollbackTo(0);
                    if (wal.poison() == null) {
                        ctx.flushPending();
                    }
                } catch (RuntimeException e) {
                    undoFailed(e);
                    throw e;
                }
                if (ctx.wroteAnything() && wal.poison() == null) {
                    wal.append(WalRecordType.ABORT, ctx.txId, out -> { });
                }
                afterUndo();
            } finally {
                stmtLock.unlock();
            }
        } finally {
            activeTx = null;
            dbLock.writeLock().unlock();
        }
    }

    /** Runs a read operation under the shared lock. */
    public <T> T read(java.util.function.Supplier<T> body) {
        checkOpen();
        dbLock.readLock().lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            dbLock.readLock().unlock();
        }
    }

    void checkOpen() {
        if (closed) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "the database at " + dir + " is closed");
        }
        if (broken != null) {
            throw new PowDbException(ErrorCode.POISONED, "the database at " + dir + " could not undo a failed "
                    + "transaction in memory (" + broken.getMessage() + "); close and reopen it: recovery "
                    + "undoes it on disk", broken);
        }
    }

    /**
     * A rollback could not finish: memory may hold part of an uncommitted transaction. Refuse writes (poison) and
     * reads (broken) until reopened; recovery undoes the transaction from the WAL, which has no commit for it.
     */
    private void undoFailed(RuntimeException cause) {
        wal.poison(cause);
        broken = cause;
    }

    private volatile RuntimeException broken;

    /** LSN of the last WAL record written (0 for a new database). */
    public long maxLsn() {
        return wal.maxLsn();
    }

    /** Longest restore point name, in UTF-8 bytes. */
    public static final int MAX_RESTORE_POINT_NAME_BYTES = 200;

    /**
     * Writes a named restore point into the WAL and makes it durable: a point-in-time restore to this name holds
     * every transaction committed before it and none that commits after it.
     *
     * @return the restore point's LSN
     */
    public long createRestorePoint(String name) {
        checkRestorePointName(name);
        checkOpen();
        checkPoison();
        long micros = System.currentTimeMillis() * 1000L;
        long lsn = wal.append(WalRecordType.RESTORE_POINT, 0, out -> out.i64(micros).str(name));
        wal.sync(lsn);
        return lsn;
    }

    /** Throws INVALID_ARGUMENT unless {@code name} is usable as a restore point name. */
    public static void checkRestorePointName(String name) {
        if (name == null || name.isEmpty()) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "a restore point needs a name");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_RESTORE_POINT_NAME_BYTES) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "restore point name is longer than "
                    + MAX_RESTORE_POINT_NAME_BYTES + " bytes");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "restore point name has a control character "
                        + "at position " + (i + 1));
            }
        }
    }

    /** WAL pins: LSNs from which an online backup (or the archiver) still needs the WAL, with their counts. */
    private final java.util.TreeMap<Long, Integer> walPins = new java.util.TreeMap<>();

    /** Keeps WAL segments holding {@code lsn} or later from deletion until the returned pin is released. */
    Runnable pinWal(long lsn) {
        synchronized (walPins) {
            walPins.merge(lsn, 1, Integer::sum);
        }
        boolean[] released = {false};
        return () -> {
            synchronized (walPins) {
                if (!released[0]) {
                    released[0] = true;
                    walPins.computeIfPresent(lsn, (k, n) -> n == 1 ? null : n - 1);
                }
            }
        };
    }

    /** The lowest LSN whose WAL must be kept for a pin or the archive (Long.MAX_VALUE when none). */
    long walRetainedFrom() {
        long archive = archiving == null ? Long.MAX_VALUE : archiving.retainFrom();
        synchronized (walPins) {
            return Math.min(archive, walPins.isEmpty() ? Long.MAX_VALUE : walPins.firstKey());
        }
    }

    private volatile WalArchiving archiving;

    /**
     * Opens the archive the options name, if any, without archiving yet: recovery calls it once it knows the
     * database's id and before it replays, so that an archive of another database is refused before anything in
     * the data directory changes.
     */
    void openArchive() {
        if (options.archive() != null && archiving == null) {
            archiving = WalArchiving.open(this, options.archive());
        }
    }

    /** Starts WAL archiving when the options name an archive (recovery calls it once the WAL is installed). */
    void startArchiving() {
        openArchive();
        if (archiving != null) {
            archiving.start();
        }
    }

    /** The error of the last failed WAL archiving attempt, or null (also when not archiving). */
    public Throwable archiveFailure() {
        WalArchiving a = archiving;
        return a == null ? null : a.lastFailure();
    }

    /** Takes a checkpoint now. */
    public void checkpoint() {
        checkOpen();
        checkpointer.run(false);
    }

    public Path dir() {
        return dir;
    }

    public BufferPool pool() {
        return pool;
    }

    private void syncLoop() {
        while (!closed) {
            try {
                Thread.sleep(options.normalSyncIntervalMillis());
                Wal w = wal;
                if (w != null && w.poison() == null && !closed) {
                    w.sync(w.maxLsn());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The WAL is poisoned now; writers will see it. Keep the thread quiet.
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        dbLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closing = true;
            checkpointer.stop();
            try {
                if (archiving != null && wal.poison() == null) {
                    try {
                        archiving.sealAndDrain();
                    } catch (PowDbException e) {
                        System.getLogger("dev.powdb.storage").log(System.Logger.Level.ERROR, e.getMessage(), e);
                    }
                }
                if (wal.poison() == null) {
                    checkpointer.run(true);
                }
            } finally {
                closed = true;
                if (normalSyncer != null) {
                    normalSyncer.interrupt();
                }
                closeFilesQuietly();
            }
        } finally {
            dbLock.writeLock().unlock();
            lock.close();
        }
    }

    /**
     * For crash tests: lets go of the directory as if the process had been killed. Nothing is flushed or
     * checkpointed; WAL records still buffered in memory are lost, as they would be.
     */
    public void abandonForTesting() throws IOException {
        dbLock.writeLock().lock();
        try {
            checkpointer.stop();
            if (archiving != null) {
                archiving.stop();
            }
            closed = true;
            if (normalSyncer != null) {
                normalSyncer.interrupt();
            }
            wal.abandon();
            synchronized (files) {
                for (PagedFile f : files.values()) {
                    f.close();
                }
                files.clear();
            }
        } finally {
            dbLock.writeLock().unlock();
            lock.close();
        }
    }

    private void closeFilesQuietly() {
        if (archiving != null) {
            archiving.stop();
        }
        try {
            if (wal != null) {
                wal.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // Closing after a failure: the WAL is already as durable as it can be.
        }
        synchronized (files) {
            for (PagedFile f : files.values()) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // Nothing more to do for a file we are letting go of.
                }
            }
            files.clear();
        }
    }

    static UncheckedIOException unchecked(String what, IOException e) {
        return new UncheckedIOException(what + ": " + e.getMessage(), e);
    }
}
