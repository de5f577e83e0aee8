package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.spi.BackupSource;
import dev.powdb.storage.spi.BackupStart;
import dev.powdb.storage.spi.BackupSummary;
import dev.powdb.storage.spi.SourceFile;
import dev.powdb.storage.spi.WalPiece;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes full and incremental backups while the database keeps working. Order of work: check the destination and
 * the base, start the engine's backup (at a checkpoint, new or the last one, whose WAL stays pinned), copy or diff
 * every durable file with pages caught mid-write replaced by stable images, end the engine's backup (which fixes
 * the LSN the backup is consistent at), copy the WAL from the start to that LSN, write {@code control.bin}, and
 * write {@code manifest.json} last. On failure everything written is removed (and the destination directory, if this
 * call created it).
 */
final class BackupWriter {
    private final BackupSource source;
    private final Path dest;
    private final HashingFileCopier copier;
    private final List<BackupManifest.FileEntry> files = new ArrayList<>();
    private final List<BackupManifest.DeltaEntry> deltas = new ArrayList<>();
    private final List<BackupManifest.UnchangedEntry> unchanged = new ArrayList<>();
    private final List<String> removed = new ArrayList<>();
    private final List<BackupManifest.WalEntry> wal = new ArrayList<>();
    private final BackupProgress progress;
    /** Paged files whose changed pages came from the engine's tracking, and those found by scanning page LSNs. */
    private int trackedFiles;
    private int scannedFiles;
    /**
     * Debug check ({@code -Dpowdb.backup.checkTracker=true}): also scan every page LSN and fail if the engine's
     * change tracking gave a different answer.
     */
    static volatile boolean checkTracker = Boolean.getBoolean("powdb.backup.checkTracker");
    /** How the last incremental backup of this JVM found changed pages, for reports and tests. */
    static volatile String lastChangeSource = "";

    private BackupWriter(BackupSource source, Path dest, HashingFileCopier copier, BackupProgress progress) {
        this.source = source;
        this.dest = dest;
        this.copier = copier;
        this.progress = progress;
    }

    static BackupSummary write(Database db, Path dest, Path base, BackupProgress progress) {
        long started = System.nanoTime();
        try {
            LowPriority.setting(); // an invalid setting is refused before anything is written
        } catch (IllegalArgumentException e) {
            throw Targets.invalid(e.getMessage());
        }
        Targets.checkCopySettings();
        BackupStart where = start(base != null);
        boolean existed = Targets.checkFresh(dest, "backup destination");
        Targets.checkOutside(dest, db.dir());
        BackupManifest parent = base == null ? null : BackupChain.readManifest(base);
        if (base != null) {
            Targets.checkOutside(dest, base, "backup destination", "the base backup", "give a new directory");
            if (parent.sourceLsn() > db.maxLsn()) {
                throw Targets.invalid("base backup " + base + " is at LSN " + parent.sourceLsn() + ", after the "
                        + "database's LSN " + db.maxLsn() + ": it is not a backup of this database");
            }
        }
        boolean created = false;
        try (HashingFileCopier copier = new HashingFileCopier().withProgress(progress)) {
            Targets.prepare(dest, existed);
            created = !existed;
            BackupManifest manifest;
            String changeSource;
            boolean reused;
            try (BackupSource source = db.startBackup(where)) {
                reused = source.startedAtLastCheckpoint();
                BackupWriter w = new BackupWriter(source, dest, copier, progress);
                // The copy runs at a lower CPU priority than the application (LowPriority); the engine's start
                // checkpoint above ran on the caller's thread, at its priority, since writers wait on parts of it.
                manifest = LowPriority.call("powdb-backup", () -> w.run(parent, base));
                changeSource = parent == null ? "full" : w.changeSource();
            }
            copier.write(manifest.toFileBytes(), dest, BackupManifest.FILE_NAME);
            long millis = (System.nanoTime() - started) / 1_000_000;
            return new BackupSummary(dest, parent != null, manifest.sourceLsn(),
                    manifest.files().size() + manifest.deltas().size() + manifest.wal().size(),
                    manifest.storedBytes(), manifest.manifestBlake3(), millis, manifest.startLsn(),
                    manifest.wal().size(), changeSource, reused);
        } catch (IOException e) {
            BackupException failure = new BackupException(ErrorCode.IO, "backup to " + dest + " failed: "
                    + e.getMessage() + "; nothing usable was left there", e);
            cleanUp(dest, created, existed, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            cleanUp(dest, created, existed, e);
            throw e;
        }
    }

    /**
     * The system property that chooses where a backup starts: {@code auto}, {@code new-checkpoint} or
     * {@code last-checkpoint}.
     */
    static final String START_PROPERTY = "powdb.backup.start";

    /**
     * Where a backup starts, from {@link #START_PROPERTY}. {@code auto} (the default) runs a new checkpoint for a
     * full backup, which copies everything anyway and then carries only the WAL of its own copy; an increment
     * starts at the last checkpoint when that is cheaper ({@link BackupStart#CHEAPER}), since for a small change
     * the start checkpoint costs more than the increment itself.
     *
     * @throws BackupException INVALID_ARGUMENT for any other value, before anything is written
     */
    static BackupStart start(boolean incremental) {
        String raw = System.getProperty(START_PROPERTY, "auto");
        switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto":
                return incremental ? BackupStart.CHEAPER : BackupStart.NEW_CHECKPOINT;
            case "new-checkpoint":
                return BackupStart.NEW_CHECKPOINT;
            case "last-checkpoint":
                return BackupStart.LAST_CHECKPOINT;
            default:
                throw Targets.invalid("system property " + START_PROPERTY + " is \"" + raw + "\"; use auto, "
                        + "new-checkpoint or last-checkpoint");
        }
    }

    private static void cleanUp(Path dest, boolean created, boolean existed, Throwable failure) {
        if (created) {
            Targets.deleteTree(dest, failure);
        } else if (existed) {
            Targets.emptyDirectory(dest, failure);
        }
    }

    private BackupManifest run(BackupManifest parent, Path base) throws IOException {
        long total = 0;
        for (SourceFile f : source.files()) {
            total += f.sizeBytes();
        }
        progress.begin(parent == null ? "backup" : "incremental backup", total);
        try {
            // A backup starts at a checkpoint no older than its base's (the last checkpoint is at least the one the
            // base started at), and may end before the base's end only if it is not of this database.
            if (parent != null && parent.startLsn() > source.startLsn()) {
                throw Targets.invalid("base backup " + base + " started at LSN " + parent.startLsn() + ", after the "
                        + "database's last checkpoint at LSN " + source.startLsn() + ": it is not a backup of this "
                        + "database; give a backup of this database as the base, or take a full backup");
            }
            if (parent != null && parent.pageSizeBytes() != source.pageSize()) {
                throw Targets.invalid("base backup " + base + " has page size " + parent.pageSizeBytes()
                        + ", the database " + source.pageSize());
            }
            if (parent != null) {
                checkSameDatabase(parent, base);
            }
            Map<String, BackupChain.StateFile> baseState = parent == null ? Map.of() : BackupChain.endState(parent);
            for (SourceFile f : source.files()) {
                BackupChain.StateFile old = baseState.get(f.name());
                if (parent != null && f.paged() && old != null && old.fileId() == f.fileId()) {
                    // Pages changed from the parent's start on: the parent's own copy of them may predate changes
                    // it kept only as WAL, and a restore replays the WAL of the last backup only.
                    diff(f, old, parent.startLsn() - 1, parent.startLsn() == source.startLsn());
                } else {
                    copyWhole(f);
                }
            }
            for (WalPiece piece : source.end()) {
                copyWal(piece);
            }
            byte[] control = source.controlImage();
            HashingFileCopier.Result c = copier.write(control, dest, "control.bin");
            files.add(new BackupManifest.FileEntry("control.bin", c.lengthBytes(), c.blake3Hex(), 0));
            long createdSecs = System.currentTimeMillis() / 1000;
            if (parent == null) {
                return BackupManifest.of(createdSecs, source.sourceLsn(), source.startLsn(), source.undoLsn(),
                        source.catalogVersion(), source.pageSize(), null, null, files, List.of(), List.of(),
                        List.of(), wal);
            }
            for (String name : baseState.keySet()) {
                if (source.files().stream().noneMatch(f -> f.name().equals(name)) && !name.equals("control.bin")) {
                    removed.add(name);
                }
            }
            lastChangeSource = changeSource();
            if (scannedFiles > 0) {
                System.getLogger("dev.powdb.backup").log(System.Logger.Level.DEBUG, "incremental backup: the "
                        + "engine has not tracked changes since LSN " + parent.sourceLsn() + " (it was reopened "
                        + "since); scanned the page LSNs of " + scannedFiles + " file(s)");
            }
            return BackupManifest.of(createdSecs, source.sourceLsn(), source.startLsn(), source.undoLsn(),
                    source.catalogVersion(), source.pageSize(), parent.manifestBlake3(), parent.sourceLsn(), files,
                    deltas, unchanged, removed, wal);
        } finally {
            progress.end();
        }
    }

    /**
     * Refuses a base taken of another database: its {@code control.bin} (checked against the base's manifest) must
     * carry this database's id. A restored copy has an id of its own, so the original's backups are never a base
     * for it (their page LSNs describe a different history).
     */
    private void checkSameDatabase(BackupManifest parent, Path base) throws IOException {
        BackupManifest.FileEntry control = parent.files().stream().filter(f -> f.name().equals("control.bin"))
                .findFirst().orElseThrow(() -> Targets.invalid("base backup " + base + " has no control.bin"));
        Path p = base.resolve("control.bin");
        Restorer.StoredFileProblem problem = Restorer.storedFileProblem(base, "control.bin",
                control.lengthBytes());
        if (problem != null) {
            throw new BackupException(ErrorCode.CORRUPT, "base backup is damaged: " + problem.message()
                    + "; run verify-backup on it");
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(p);
        if (!Blake3.hex(bytes).equals(control.blake3Hex())) {
            throw new BackupException(ErrorCode.CORRUPT, "base backup is damaged: " + p + " does not match its "
                    + "BLAKE3 in the manifest; run verify-backup");
        }
        String baseId = dev.powdb.storage.spi.ControlImages.databaseId(bytes, p.toString());
        if (!baseId.equals(source.databaseId())) {
            throw Targets.invalid("base backup " + base + " is of another database (id " + baseId + "; this "
                    + "database is " + source.databaseId() + "). A restored database is a new database: take a full "
                    + "backup of it before incremental ones");
        }
    }

    private void copyWal(WalPiece piece) throws IOException {
        try (FileChannel in = source.openWal(piece)) {
            HashingFileCopier.Result r = copier.copy(in, piece.lengthBytes(), dest, piece.name());
            if (r.lengthBytes() != piece.lengthBytes()) {
                throw new PowDbException(ErrorCode.CORRUPT, "WAL segment " + piece.name() + " of "
                        + source.dataDirectory() + " is shorter than the " + piece.lengthBytes() + " bytes the "
                        + "backup needs");
            }
            wal.add(new BackupManifest.WalEntry(piece.name(), piece.firstLsn(), piece.lastLsn(),
                    piece.lengthBytes(), r.blake3Hex()));
        }
    }

    /** How this increment found its changed pages: "tracked", "scanned" or "mixed". */
    private String changeSource() {
        return scannedFiles == 0 ? "tracked" : trackedFiles == 0 ? "scanned" : "mixed";
    }

    /** Replaces pages of a block that were caught mid-write (see {@link BackupSource#stabilize}). */
    private HashingFileCopier.BlockFilter stabilizer(SourceFile f) {
        if (!f.paged()) {
            return HashingFileCopier.BlockFilter.NONE;
        }
        return (position, block) -> source.stabilize(f, position, block);
    }

    private void copyWhole(SourceFile f) throws IOException {
        FileChannel in = source.open(f);
        in.position(0);
        HashingFileCopier.Result r = copier.copy(in, f.sizeBytes(), dest, f.name(), stabilizer(f));
        if (r.lengthBytes() != f.sizeBytes()) {
            throw new PowDbException(ErrorCode.CORRUPT, source.dataDirectory().resolve(f.name()) + " shrank "
                    + "during the backup (" + f.sizeBytes() + " bytes expected, " + r.lengthBytes() + " read)");
        }
        files.add(new BackupManifest.FileEntry(f.name(), r.lengthBytes(), r.blake3Hex(), f.fileId()));
    }

    /**
     * Stores the pages of {@code f} changed since {@code sinceLsn}, or notes it unchanged. With
     * {@code sameStart} (this backup starts at the checkpoint its base started at), every change since is in this
     * backup's WAL, and the base's files hold every change before: only pages past the base's end of file are
     * stored, so that the file has its length.
     */
    private void diff(SourceFile f, BackupChain.StateFile old, long sinceLsn, boolean sameStart) throws IOException {
        int pageSize = source.pageSize();
        FileChannel in = source.open(f);
        long basePages = old.lengthBytes() / pageSize;
        int[] tracked = sameStart ? null : source.changedPages(f, sinceLsn);
        int[] changed;
        if (sameStart) {
            changed = PageScan.filter(in, new int[0], f.sizeBytes(), pageSize, sinceLsn, basePages);
            trackedFiles++;
        } else if (tracked == null) {
            changed = PageScan.changedPages(in, f.sizeBytes(), pageSize, sinceLsn, basePages);
            scannedFiles++;
        } else {
            changed = PageScan.filter(in, tracked, f.sizeBytes(), pageSize, sinceLsn, basePages);
            trackedFiles++;
            if (checkTracker) {
                int[] scanned = PageScan.changedPages(in, f.sizeBytes(), pageSize, sinceLsn, basePages);
                if (!java.util.Arrays.equals(scanned, changed)) {
                    throw new IllegalStateException("change tracking and the page-LSN scan disagree on "
                            + f.name() + ": tracked " + java.util.Arrays.toString(changed) + ", scanned "
                            + java.util.Arrays.toString(scanned));
                }
            }
        }
        progress.advance(f.sizeBytes());
        if (changed.length == 0 && f.sizeBytes() == old.lengthBytes()) {
            unchanged.add(new BackupManifest.UnchangedEntry(f.name(), f.fileId(), f.sizeBytes()));
            return;
        }
        String resource = source.dataDirectory().resolve(f.name()).toString();
        long length = DeltaFile.lengthBytes(changed.length, pageSize);
        HashingFileCopier.Result r = copier.copy(DeltaFile.producer(in, resource, pageSize, f.fileId(),
                old.lengthBytes(), f.sizeBytes(), changed, stabilizer(f)), length, dest,
                DeltaFile.storedName(f.name()));
        if (r.lengthBytes() != length) {
            throw new IllegalStateException("delta of " + f.name() + " has " + r.lengthBytes() + " bytes, "
                    + "expected " + length);
        }
        deltas.add(new BackupManifest.DeltaEntry(f.name(), f.fileId(), f.sizeBytes(), old.lengthBytes(),
                changed.length, length, r.blake3Hex()));
    }
}
