package dev.powdb.storage.engine;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.DataDirectory;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PagedFile;
import dev.powdb.storage.spi.BackupSource;
import dev.powdb.storage.spi.BackupStart;
import dev.powdb.storage.spi.SourceFile;
import dev.powdb.storage.spi.WalPiece;
import dev.powdb.storage.wal.Wal;
import dev.powdb.storage.wal.WalFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's side of an online backup (see {@link BackupSource}): a checkpoint (a new one, or the last one
 * when {@link BackupStart} allows) whose WAL stays pinned, the durable files opened right after it, stable page
 * images on demand, and the WAL slice at the end.
 */
final class EngineBackupSource implements BackupSource {
    /** Times a torn-looking page is read again from the file before giving up on it. */
    private static final int STABLE_READ_ATTEMPTS = 3;

    private final Engine engine;
    private final Thread owner;
    private final Checkpointer.Result start;
    private final boolean reused;
    private final Runnable unpin;
    private final List<SourceFile> files;
    private final Map<String, FileChannel> channels;
    private long endLsn = -1;
    private List<WalPiece> pieces;
    private boolean closed;

    private EngineBackupSource(Engine engine, Checkpointer.Result start, boolean reused, Runnable unpin,
                               List<SourceFile> files, Map<String, FileChannel> channels) {
        this.engine = engine;
        this.reused = reused;
        this.owner = Thread.currentThread();
        this.start = start;
        this.unpin = unpin;
        this.files = List.copyOf(files);
        this.channels = channels;
    }

    static BackupSource start(Engine engine, BackupStart where) {
        if (engine.dbLock.isWriteLockedByCurrentThread()) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "cannot back up from inside a transaction: commit or "
                    + "roll it back first (a backup holds only committed changes)");
        }
        engine.checkOpen();
        engine.checkWritable();
        Runnable[] pin = new Runnable[1];
        Map<String, FileChannel> channels = new HashMap<>();
        try {
            // Holding the checkpointer's monitor: no other checkpoint rewrites catalog.bin or deletes WAL, and no
            // dropped file is deleted, between the checkpoint and the opening of the files.
            synchronized (engine.checkpointer) {
                Checkpointer.Result r = engine.checkpointer.lastForBackup(where);
                boolean reused = r != null;
                if (reused) {
                    // Every change before its redo LSN is in the files, and its WAL is still there: a checkpoint
                    // deletes only segments before the lower of its redo and undo LSNs.
                    pin[0] = engine.pinWal(Math.min(r.redoLsn(), r.undoLsn()));
                } else {
                    r = engine.checkpointer.run(false,
                            res -> pin[0] = engine.pinWal(Math.min(res.redoLsn(), res.undoLsn())));
                }
                Catalog catalog = r.catalog();
                List<SourceFile> list = new ArrayList<>();
                list.add(describe(engine, channels, CatalogFile.NAME, DataDirectory.FileKind.CATALOG, 0));
                for (TableMeta t : catalog.tables) {
                    list.add(describe(engine, channels, t.heapFile, DataDirectory.FileKind.HEAP, t.heapFileId));
                    for (IndexMeta m : t.indexes) {
                        list.add(describe(engine, channels, m.fileName, DataDirectory.FileKind.INDEX, m.fileId));
                    }
                }
                list.sort(Comparator.comparing(SourceFile::name));
                return new EngineBackupSource(engine, r, reused, pin[0], list, channels);
            }
        } catch (IOException e) {
            release(pin[0], channels);
            throw new PowDbException(ErrorCode.IO, "cannot start a backup of " + engine.dir + ": " + e.getMessage(),
                    e);
        } catch (RuntimeException | Error e) {
            release(pin[0], channels);
            throw e;
        }
    }

    private static void release(Runnable pin, Map<String, FileChannel> channels) {
        if (pin != null) {
            pin.run();
        }
        for (FileChannel c : channels.values()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Only read from; nothing to lose.
            }
        }
    }

    private static SourceFile describe(Engine engine, Map<String, FileChannel> channels, String name,
                                       DataDirectory.FileKind kind, int fileId) throws IOException {
        Path p = engine.dir.resolve(name);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        channels.put(name, ch);
        long size = ch.size();
        if (kind != DataDirectory.FileKind.CATALOG && size % Page.SIZE != 0) {
            throw new PowDbException(ErrorCode.CORRUPT, p + " is " + size + " bytes, not a whole number of "
                    + Page.SIZE + "-byte pages; run verify");
        }
        return new SourceFile(name, kind, fileId, size);
    }

    @Override
    public long startLsn() {
        return start.redoLsn();
    }

    @Override
    public boolean startedAtLastCheckpoint() {
        return reused;
    }

    @Override
    public long undoLsn() {
        return start.undoLsn();
    }

    @Override
    public synchronized long sourceLsn() {
        return endLsn >= 0 ? endLsn : start.redoLsn() - 1;
    }

    @Override
    public long catalogVersion() {
        return start.catalog().version;
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
    public FileChannel open(SourceFile file) {
        FileChannel ch = channels.get(file.name());
        if (ch == null || !files.contains(file)) {
            throw new IllegalArgumentException(file.name() + " is not a file of this backup");
        }
        return ch;
    }

    @Override
    public int stabilize(SourceFile file, long position, ByteBuffer block) throws IOException {
        if (!file.paged()) {
            return 0;
        }
        if (position % Page.SIZE != 0 || block.limit() % Page.SIZE != 0 || !block.hasArray()) {
            throw new IllegalArgumentException("stabilize needs whole pages of a heap buffer at a page boundary");
        }
        byte[] arr = block.array();
        int base = block.arrayOffset();
        byte[] image = new byte[Page.SIZE];
        int replaced = 0;
        for (int off = 0; off < block.limit(); off += Page.SIZE) {
            int pageNo = (int) ((position + off) / Page.SIZE);
            System.arraycopy(arr, base + off, image, 0, Page.SIZE);
            if (valid(image, file, pageNo)) {
                continue;
            }
            stableImage(file, pageNo, image);
            System.arraycopy(image, 0, arr, base + off, Page.SIZE);
            replaced++;
        }
        return replaced;
    }

    private boolean valid(byte[] image, SourceFile file, int pageNo) {
        try {
            Page.verifyImage(image, file.name(), file.fileId(), pageNo);
            return true;
        } catch (CorruptionException e) {
            return false;
        }
    }

    /**
     * A stable image of a page read while a write of it may have been in flight: through the buffer pool while
     * the file is open there, else (dropped meanwhile) read again from the file. A page that still fails is
     * damaged on disk and left as read, for verify to report.
     */
    private void stableImage(SourceFile file, int pageNo, byte[] image) throws IOException {
        PagedFile pf = engine.fileById(file.fileId());
        if (pf != null) {
            engine.pool.readStable(pf, pageNo, image);
            if (valid(image, file, pageNo)) {
                return;
            }
        }
        FileChannel ch = open(file);
        for (int i = 0; i < STABLE_READ_ATTEMPTS; i++) {
            ByteBuffer b = ByteBuffer.wrap(image);
            while (b.hasRemaining() && ch.read(b, (long) pageNo * Page.SIZE + b.position()) >= 0) {
                // Positional reads until the page is full or the file ends.
            }
            if (valid(image, file, pageNo)) {
                return;
            }
        }
    }

    @Override
    public int[] changedPages(SourceFile file, long sinceLsn) {
        return file.paged() ? engine.pool.changes().changedSince(file.fileId(), sinceLsn) : null;
    }

    @Override
    public synchronized List<WalPiece> end() {
        if (pieces != null) {
            throw new IllegalStateException("end() was called already");
        }
        Wal wal = engine.wal();
        Wal.Tail tail = wal.syncedTail();
        endLsn = tail.lastLsn();
        long from = Math.min(start.redoLsn(), start.undoLsn());
        List<WalPiece> list = new ArrayList<>();
        if (endLsn >= from) {
            List<Long> starts = new ArrayList<>();
            try {
                for (String name : engine.fs.list(wal.directory())) {
                    long s = WalFormat.parseSegmentName(name);
                    if (s >= 0 && s <= tail.segmentStartLsn()) {
                        starts.add(s);
                    }
                }
                starts.sort(Long::compare);
                int first = 0;
                for (int i = 0; i < starts.size(); i++) {
                    if (starts.get(i) <= from) {
                        first = i;
                    }
                }
                for (int i = first; i < starts.size(); i++) {
                    long s = starts.get(i);
                    boolean last = i == starts.size() - 1;
                    if (last && s > endLsn) {
                        break; // a segment started after the last record: nothing in it yet
                    }
                    Path p = wal.directory().resolve(WalFormat.segmentName(s));
                    long len = last ? tail.segmentLength() : Files.size(p);
                    long lastLsn = last ? endLsn : starts.get(i + 1) - 1;
                    list.add(new WalPiece(WalFormat.segmentName(s), s, lastLsn, len));
                }
            } catch (IOException e) {
                throw new PowDbException(ErrorCode.IO, "cannot list the WAL of " + engine.dir + " for a backup: "
                        + e.getMessage(), e);
            }
            if (list.isEmpty() || list.get(0).firstLsn() > from) {
                throw new PowDbException(ErrorCode.CORRUPT, "the WAL of " + engine.dir + " no longer holds LSN "
                        + from + " that the backup needs");
            }
        }
        pieces = List.copyOf(list);
        return pieces;
    }

    @Override
    public FileChannel openWal(WalPiece piece) throws IOException {
        synchronized (this) {
            if (pieces == null || !pieces.contains(piece)) {
                throw new IllegalArgumentException(piece.name() + " is not a WAL piece of this backup");
            }
        }
        return FileChannel.open(engine.wal().directory().resolve(piece.name()), StandardOpenOption.READ);
    }

    @Override
    public synchronized byte[] controlImage() {
        if (pieces == null) {
            throw new IllegalStateException("controlImage() needs end() first");
        }
        long[] id = engine.databaseId();
        // Time zero: the image describes the backup's content, so two backups of the same state are identical.
        if (pieces.isEmpty()) {
            return ControlFile.cleanImage(start.redoLsn(), catalogVersion(), 0, id[0], id[1]);
        }
        return ControlFile.image(start.redoLsn(), start.undoLsn(), endLsn + 1, false, catalogVersion(), 0, id[0],
                id[1]);
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
        release(unpin, channels);
    }
}
