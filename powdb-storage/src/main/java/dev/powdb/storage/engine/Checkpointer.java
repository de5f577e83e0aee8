package dev.powdb.storage.engine;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PagedFile;
import dev.powdb.storage.spi.BackupStart;

import java.io.IOException;

/**
 * Checkpoints: capture a redo LSN (with appends paused for an instant), then write every dirty page without holding
 * writers back, fsync the data files, replace {@code catalog.bin} if it changed, record the checkpoint in
 * {@code control.bin} and delete WAL segments that are no longer needed.
 *
 * <p>From the redo LSN on, the first change of each page is logged as a full-page image, so a page torn by a crash
 * during a later write can be rebuilt from the WAL.
 */
final class Checkpointer {
    private final Engine engine;
    private long sequence;
    private long writtenCatalogVersion = -1;
    private volatile long walBytesAtLast;
    /** The last completed checkpoint (null before the first). */
    private Result last;
    private Thread background;
    private volatile Throwable lastFailure;

    Checkpointer(Engine engine) {
        this.engine = engine;
    }

    /** Continues the control-file sequence found at open. */
    synchronized void resume(long controlSequence, long catalogVersion) {
        sequence = controlSequence;
        writtenCatalogVersion = catalogVersion;
    }

    /** What a checkpoint recorded: its redo and undo LSNs and the catalog it wrote. */
    record Result(long redoLsn, long undoLsn, Catalog catalog) {
    }

    /** Runs a checkpoint. {@code clean} marks a checkpoint taken by close, after which nothing is written. */
    synchronized Result run(boolean clean) {
        return run(clean, null);
    }

    /**
     * Runs a checkpoint; {@code beforeTruncate}, when given, is called with the result before old WAL segments
     * are deleted (an online backup pins the WAL it needs there, so no segment it needs can go).
     */
    synchronized Result run(boolean clean, java.util.function.Consumer<Result> beforeTruncate) {
        checkUsable(clean);
        long[] captured = new long[2];
        Catalog[] cat = new Catalog[1];
        dev.powdb.storage.page.ChangeTracker.Window[] window = new dev.powdb.storage.page.ChangeTracker.Window[1];
        engine.stmtLock.lock();
        try {
            engine.wal().withAppendsPaused(next -> {
                engine.setFpiThreshold(next);
                captured[0] = next;
                TxContext open = engine.activeTx();
                long first = open == null ? -1 : open.firstLsn;
                captured[1] = first >= 0 ? Math.min(first, next) : next;
                cat[0] = engine.catalog();
                // No change can be logged now, so the window closed here holds exactly the pages stamped before.
                window[0] = engine.pool.changes().cut(next);
                return null;
            });
        } finally {
            engine.stmtLock.unlock();
        }
        long redo = captured[0];
        long undo = captured[1];
        long walBytes = engine.wal().bytesAppended();
        try {
            engine.pool.flushAll();
            for (PagedFile f : engine.openFiles()) {
                f.sync();
            }
            if (cat[0].version != writtenCatalogVersion) {
                CatalogFile.write(engine.fs, engine.dir, cat[0]);
                writtenCatalogVersion = cat[0].version;
            }
            if (window[0].from() < window[0].to()) {
                ChangeSummaries.write(engine, window[0]);
            }
            ControlFile.State s = new ControlFile.State();
            s.sequence = ++sequence;
            s.redoLsn = redo;
            s.undoLsn = undo;
            s.nextLsn = engine.wal().nextLsn();
            s.catalogVersion = cat[0].version;
            s.timeMicros = System.currentTimeMillis() * 1000L;
            s.clean = clean;
            s.idHigh = engine.databaseId()[0];
            s.idLow = engine.databaseId()[1];
            ControlFile.write(engine.fs, engine.dir, s);
            engine.pool.setCheckpointed(redo);
            dev.powdb.storage.page.ChangeTracker.Window[] merged = engine.pool.changes().compact();
            if (merged != null) {
                // The later part first: a crash in between leaves the merged window and the earlier part, and at
                // open the merged one (the only window ending where it ends) still reaches back to its start.
                ChangeSummaries.write(engine, merged[0]);
                ChangeSummaries.delete(engine, merged[2]);
                ChangeSummaries.delete(engine, merged[1]);
            }
            Result result = new Result(redo, undo, cat[0]);
            if (beforeTruncate != null) {
                beforeTruncate.accept(result);
            }
            engine.wal().deleteSegmentsBefore(Math.min(Math.min(redo, undo), engine.walRetainedFrom()));
            walBytesAtLast = walBytes;
            last = result;
            return result;
        } catch (IOException | RuntimeException e) {
            // After a failed page write or fsync the kernel may have dropped data we can no longer trust to be on
            // disk; refusing writes until a reopen (which replays the WAL from the last good checkpoint) is the
            // only safe course.
            engine.wal().poison(e);
            throw new PowDbException(ErrorCode.POISONED, "checkpoint of " + engine.dir + " failed: " + e.getMessage()
                    + "; the database refuses writes until it is reopened", e);
        }
    }

    /**
     * The last checkpoint when a backup may start there instead of running its own (see {@link BackupStart}), or
     * null. The caller holds this checkpointer's monitor until it has opened the files, so no checkpoint replaces
     * {@code catalog.bin} or deletes WAL meanwhile. The catalog must be the one that checkpoint wrote: a schema
     * change since may have deleted a file it lists (a committed drop) or made {@code catalog.bin} stale.
     */
    Result lastForBackup(BackupStart start) {
        if (!Thread.holdsLock(this)) {
            throw new IllegalStateException("lastForBackup needs the checkpointer's monitor");
        }
        checkUsable(false);
        Result r = last;
        if (start == BackupStart.NEW_CHECKPOINT || r == null || engine.catalog().version != r.catalog().version) {
            return null;
        }
        if (start == BackupStart.LAST_CHECKPOINT) {
            return r;
        }
        long walSince = engine.wal().bytesAppended() - walBytesAtLast;
        long dirtyBytes = (long) engine.pool.dirtyCount() * Page.SIZE;
        return walSince <= 2 * dirtyBytes + BackupStart.CHEAPER_SLACK_BYTES ? r : null;
    }

    /**
     * Refuses work on a closed or poisoned database, and (unless {@code clean}) on one that is closing: a checkpoint
     * then would run on files being closed, so only the close's own clean checkpoint runs.
     */
    private void checkUsable(boolean clean) {
        engine.checkOpen();
        if (!clean && engine.closing) {
            throw new PowDbException(ErrorCode.ILLEGAL_STATE, "the database at " + engine.dir + " is closing");
        }
        if (engine.wal().poison() != null) {
            throw new PowDbException(ErrorCode.POISONED, "no checkpoint of " + engine.dir + " after a failed write or"
                    + " fsync; reopen the database to recover", engine.wal().poison());
        }
    }

    /** Starts a background checkpoint when enough WAL has been written since the last one. */
    void maybeTrigger() {
        long threshold = engine.options.checkpointWalBytes();
        if (threshold <= 0) {
            return;
        }
        if (engine.wal().bytesAppended() - walBytesAtLast < threshold) {
            return;
        }
        synchronized (engine) {
            if (background != null && background.isAlive()) {
                return;
            }
            background = new Thread(() -> {
                try {
                    run(false);
                } catch (RuntimeException e) {
                    lastFailure = e;
                    System.getLogger("dev.powdb.storage").log(System.Logger.Level.ERROR,
                            "background checkpoint failed: " + e.getMessage(), e);
                }
            }, "powdb-checkpoint");
            background.setDaemon(true);
            background.start();
        }
    }

    /** Waits for a background checkpoint to finish. */
    void stop() {
        Thread t;
        synchronized (engine) {
            t = background;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The error of the last failed background checkpoint, or null. */
    Throwable lastFailure() {
        return lastFailure;
    }
}
