package dev.powdb.storage.engine;

import dev.powdb.storage.DataDirectory;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.spi.BackupSource;
import dev.powdb.storage.spi.SourceFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The engine's side of a backup: holds the shared lock (so write transactions wait, reads go on), checkpoints so
 * that every committed change is in the data files, and describes those files.
 */
final class EngineBackupSource implements BackupSource {
    private final Engine engine;
    private final Thread owner;
    private final long sourceLsn;
    private final long catalogVersion;
    private final List<SourceFile> files;
    private boolean closed;

    private EngineBackupSource(Engine engine, long sourceLsn, long catalogVersion, List<SourceFile> files) {
        this.engine = engine;
        this.owner = Thread.currentThread();
        this.sourceLsn = sourceLsn;
        this.catalogVersion = catalogVersion;
        this.files = List.copyOf(files);
    }

    static BackupSource start(Engine engine) {
        if (engine.dbLock.isWriteLockedByCurrentThread()) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "cannot back up from inside a transaction: commit or "
                    + "roll it back first (a backup holds only committed changes)");
        }
        engine.checkOpen();
        engine.dbLock.readLock().lock();
        try {
            engine.checkOpen();
            engine.checkWritable();
            engine.checkpointer.run(false);
            Catalog catalog = engine.catalog();
            long lsn = engine.maxLsn();
            List<SourceFile> list = new ArrayList<>();
            list.add(describe(engine, CatalogFile.NAME, DataDirectory.FileKind.CATALOG, 0));
            for (TableMeta t : catalog.tables) {
                list.add(describe(engine, t.heapFile, DataDirectory.FileKind.HEAP, t.heapFileId));
                for (IndexMeta m : t.indexes) {
                    list.add(describe(engine, m.fileName, DataDirectory.FileKind.INDEX, m.fileId));
                }
            }
            list.sort(Comparator.comparing(SourceFile::name));
            return new EngineBackupSource(engine, lsn, catalog.version, list);
        } catch (IOException e) {
            engine.dbLock.readLock().unlock();
            throw new PowDbException(ErrorCode.IO, "cannot start a backup of " + engine.dir + ": " + e.getMessage(),
                    e);
        } catch (RuntimeException | Error e) {
            engine.dbLock.readLock().unlock();
            throw e;
        }
    }

    private static SourceFile describe(Engine engine, String name, DataDirectory.FileKind kind, int fileId)
            throws IOException {
        Path p = engine.dir.resolve(name);
        long size = Files.size(p);
        if (kind != DataDirectory.FileKind.CATALOG && size % Page.SIZE != 0) {
            throw new PowDbException(ErrorCode.CORRUPT, p + " is " + size + " bytes, not a whole number of "
                    + Page.SIZE + "-byte pages; run verify");
        }
        return new SourceFile(name, kind, fileId, size);
    }

    @Override
    public long sourceLsn() {
        return sourceLsn;
    }

    @Override
    public long catalogVersion() {
        return catalogVersion;
    }

    @Override
    public String databaseId() {
        return engine.databaseIdHex();
    }

    @Override
    public int pageSize() {
        return Page.SIZE;
    }

    @Override
    public Path dataDirectory() {
        return engine.dir;
    }

    @Override
    public List<SourceFile> files() {
        return files;
    }

    @Override
    public byte[] controlImage() {
        // Time zero: the image describes the backup's content, so two backups of the same state are identical.
        long[] id = engine.databaseId();
        return ControlFile.cleanImage(sourceLsn + 1, catalogVersion, 0, id[0], id[1]);
    }

    @Override
    public int[] changedPages(SourceFile file, long sinceLsn) {
        return file.paged() ? engine.pool.changes().changedSince(file.fileId(), sinceLsn) : null;
    }

    @Override
    public FileChannel open(SourceFile file) throws IOException {
        if (!files.contains(file)) {
            throw new IllegalArgumentException(file.name() + " is not a file of this backup");
        }
        return FileChannel.open(engine.dir.resolve(file.name()), StandardOpenOption.READ);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a backup source must be closed by the thread that started it ("
                    + owner.getName() + ")");
        }
        closed = true;
        engine.dbLock.readLock().unlock();
    }
}
