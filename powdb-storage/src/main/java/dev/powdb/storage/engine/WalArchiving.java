package dev.powdb.storage.engine;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.spi.WalArchiveService;
import dev.powdb.storage.wal.Wal;
import dev.powdb.storage.wal.WalFormat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Continuous WAL archiving: a background thread copies each sealed segment into the archive, in LSN order, and
 * until a segment is archived the WAL from it on is kept (checkpoints do not delete it). A failed copy is logged
 * and retried; the WAL then grows until the archive works again, which is the price of never losing a segment.
 */
final class WalArchiving {
    private static final long POLL_MILLIS = 500;

    private final Engine engine;
    private final WalArchiveService.Target target;
    private final Path archiveDir;
    private final Thread thread;
    private final Object signal = new Object();
    private volatile boolean stopping;
    /** First LSN of the oldest segment not yet archived (the WAL from here on must be kept). */
    private volatile long retainFrom;
    private volatile Throwable lastFailure;
    private boolean pending;
    /** Whether {@link #start} ran; guarded by this object. */
    private boolean started;

    private WalArchiving(Engine engine, WalArchiveService.Target target, Path archiveDir) {
        this.engine = engine;
        this.target = target;
        this.archiveDir = archiveDir;
        this.retainFrom = 0;
        this.thread = new Thread(this::loop, "powdb-wal-archiver");
        thread.setDaemon(true);
    }

    /**
     * Opens the archive at {@code archiveDir} for {@code engine}'s database, which refuses an archive of another
     * database; recovery calls it as soon as it knows the database's id, before it replays anything, and
     * {@link #start} once the WAL is installed.
     */
    static WalArchiving open(Engine engine, Path archiveDir) {
        WalArchiveService service = ServiceLoader.load(WalArchiveService.class).findFirst()
                .orElseThrow(() -> new PowDbException(ErrorCode.ILLEGAL_STATE, "WAL archiving needs the backup "
                        + "module (powdb-backup) on the class path"));
        WalArchiveService.Target t;
        try {
            t = service.open(archiveDir, engine.databaseIdHex());
        } catch (IOException e) {
            throw new PowDbException(ErrorCode.IO, "cannot open the WAL archive " + archiveDir + ": "
                    + e.getMessage(), e);
        }
        return new WalArchiving(engine, t, archiveDir);
    }

    /** Starts archiving the engine's WAL (installed by now); does nothing when it has started already. */
    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        engine.wal().onSeal(this::wake);
        thread.start();
    }

    /** The lowest LSN whose WAL the archive still needs. */
    long retainFrom() {
        return retainFrom;
    }

    /** The error of the last failed archiving attempt, or null after a success. */
    Throwable lastFailure() {
        return lastFailure;
    }

    private void wake() {
        synchronized (signal) {
            pending = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                archivePending();
                lastFailure = null;
            } catch (IOException | RuntimeException e) {
                lastFailure = e;
                System.getLogger("dev.powdb.storage").log(System.Logger.Level.ERROR, "WAL archiving to "
                        + archiveDir + " failed (will retry; the WAL is kept meanwhile): " + e.getMessage(), e);
            }
            synchronized (signal) {
                if (!pending && !stopping) {
                    try {
                        signal.wait(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                pending = false;
            }
        }
    }

    /** Archives every sealed segment not archived yet, oldest first. */
    synchronized void archivePending() throws IOException {
        Wal wal = engine.wal();
        long current = wal.currentSegmentStart();
        List<Long> starts = new ArrayList<>();
        for (String name : engine.fs.list(wal.directory())) {
            long s = WalFormat.parseSegmentName(name);
            if (s >= 0 && s <= current) {
                starts.add(s);
            }
        }
        starts.sort(Long::compare);
        long keep = current;
        for (int i = 0; i + 1 < starts.size(); i++) {
            long s = starts.get(i);
            if (!target.contains(s)) {
                Path seg = wal.directory().resolve(WalFormat.segmentName(s));
                try {
                    target.archive(seg, s, starts.get(i + 1) - 1);
                } catch (IOException | RuntimeException e) {
                    retainFrom = s;
                    throw e;
                }
            }
        }
        retainFrom = keep;
    }

    /**
     * For a clean close: seals the current segment and archives everything, on the calling thread; then stops.
     *
     * @throws PowDbException IO when the archive cannot take the last segments (the database still closes; they
     *                        stay in the WAL and are archived at the next open)
     */
    void sealAndDrain() {
        stopping = true;
        wake();
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            engine.wal().sealCurrent();
            archivePending();
        } catch (IOException e) {
            throw new PowDbException(ErrorCode.IO, "archiving the last WAL segment to " + archiveDir + " failed: "
                    + e.getMessage() + "; it stays in the WAL and is archived at the next open", e);
        } finally {
            target.close();
        }
    }

    /** Stops the thread without sealing (crash tests, failed opens). */
    void stop() {
        stopping = true;
        wake();
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        target.close();
    }
}
