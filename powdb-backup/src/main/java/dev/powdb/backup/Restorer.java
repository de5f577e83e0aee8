package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Restores a chain of backups. Everything that can be checked without writing is checked first (target, every
 * manifest, every chain link, presence, type and length of every stored file); then the files are copied into a
 * staging directory beside the target ({@code .<target>.restore-<random>}) with each byte's BLAKE3 checked,
 * increments are applied, the result is opened to prove it and its LSN, and one atomic rename publishes it. A
 * failure removes the staging directory; a killed restore leaves only that hidden directory, never a database at
 * the target.
 */
final class Restorer {
    private final HashingFileCopier copier;
    private final Path stage;
    private final BackupProgress progress;

    private Restorer(HashingFileCopier copier, Path stage, BackupProgress progress) {
        this.copier = copier;
        this.stage = stage;
        this.progress = progress;
    }

    static RestoreSummary restore(Path backup, List<Path> increments, Path dest, BackupProgress progress) {
        return restore(backup, increments, dest, null, progress);
    }

    /** Restores, then (with a target) replays WAL from an archive up to the target. */
    static RestoreSummary restore(Path backup, List<Path> increments, Path dest, RestoreTarget target,
                                  BackupProgress progress) {
        long started = System.nanoTime();
        Targets.checkCopySettings();
        boolean existed = Targets.checkFresh(dest, "restore target");
        List<BackupChain.Link> chain = BackupChain.load(backup, increments);
        Map<String, BackupChain.StateFile> finalState = BackupChain.check(chain);
        long total = checkStoredFiles(chain);
        PointInTime.Plan plan = null;
        if (target != null) {
            Targets.checkOutside(dest, target.archive(), "restore target", "the WAL archive",
                    "restore somewhere else");
            BackupChain.Link lastLink = chain.get(chain.size() - 1);
            plan = PointInTime.plan(lastLink, backupDatabaseId(lastLink), target);
            total += plan.bytes();
        }
        for (BackupChain.Link link : chain) {
            Targets.checkOutside(dest, link.dir(), "restore target", "the backup", "restore somewhere else");
        }
        Path absolute = dest.toAbsolutePath().normalize();
        String shortName = absolute.getFileName().toString();
        // Bounded, so that any valid target name leaves room for the staging directory's name.
        shortName = shortName.length() > 40 ? shortName.substring(0, 40) : shortName;
        Path stage = absolute.resolveSibling("." + shortName + ".restore-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        BackupManifest last = chain.get(chain.size() - 1).manifest();
        try (HashingFileCopier copier = new HashingFileCopier().withProgress(progress)) {
            HashingFileCopier.createPrivateDirectory(stage);
            progress.begin("restore", total);
            try {
                Restorer r = new Restorer(copier, stage, progress);
                for (int i = 0; i < chain.size(); i++) {
                    r.apply(chain.get(i), i);
                }
                long bytes = r.checkStaged(finalState);
                r.newIdentity(last, plan == null ? -1 : plan.untilLsn());
                HashingFileCopier.createPrivateDirectory(stage.resolve("wal"));
                if (plan == null) {
                    bytes += r.placeWal(chain.get(chain.size() - 1));
                } else {
                    bytes += PointInTime.install(plan, copier, stage.resolve("wal"));
                }
                HashingFileCopier.syncDirectory(stage);
                long provedLsn = plan == null ? last.sourceLsn() : plan.untilLsn();
                prove(stage, dest, provedLsn, plan != null || !last.wal().isEmpty());
                Files.move(stage, absolute, StandardCopyOption.ATOMIC_MOVE);
                HashingFileCopier.syncDirectory(absolute.getParent());
                long millis = (System.nanoTime() - started) / 1_000_000;
                return new RestoreSummary(dest, provedLsn, finalState.size(), bytes, chain.size(), millis);
            } finally {
                progress.end();
            }
        } catch (IOException e) {
            BackupException failure = new BackupException(ErrorCode.IO, "restore into " + dest + " failed: "
                    + e.getMessage() + "; nothing was written to " + dest, e);
            Targets.deleteTree(stage, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            Targets.deleteTree(stage, e);
            throw e;
        }
    }

    /**
     * Presence, type and length of every stored file of the chain and of the WAL the last backup keeps (the only
     * WAL a restore replays: each increment holds every page changed since its parent started); returns their
     * total size.
     */
    private static long checkStoredFiles(List<BackupChain.Link> chain) {
        long total = 0;
        BackupChain.Link last = chain.get(chain.size() - 1);
        for (BackupManifest.WalEntry w : last.manifest().wal()) {
            total += checkStored(last.dir(), w.name(), w.lengthBytes());
        }
        for (BackupChain.Link link : chain) {
            for (BackupManifest.FileEntry f : link.manifest().files()) {
                total += checkStored(link.dir(), f.name(), f.lengthBytes());
            }
            for (BackupManifest.DeltaEntry d : link.manifest().deltas()) {
                total += checkStored(link.dir(), DeltaFile.storedName(d.name()), d.deltaLengthBytes());
            }
        }
        return total;
    }

    /** The database id in the last backup's {@code control.bin}, checked against its manifest hash. */
    private static String backupDatabaseId(BackupChain.Link link) {
        BackupManifest.FileEntry control = link.manifest().files().stream()
                .filter(f -> f.name().equals("control.bin")).findFirst()
                .orElseThrow(() -> Targets.invalid("backup " + link.dir() + " has no control.bin"));
        Path p = link.dir().resolve("control.bin");
        checkStored(link.dir(), "control.bin", control.lengthBytes());
        try {
            byte[] bytes = Files.readAllBytes(p);
            if (!Blake3.hex(bytes).equals(control.blake3Hex())) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: " + p + " does not match its BLAKE3 "
                        + "in the manifest; run verify-backup");
            }
            return dev.powdb.storage.spi.ControlImages.databaseId(bytes, p.toString());
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Checks one stored file; returns its length. */
    static long checkStored(Path dir, String name, long expectedBytes) {
        StoredFileProblem problem = storedFileProblem(dir, name, expectedBytes);
        if (problem != null) {
            throw new BackupException(ErrorCode.CORRUPT, problem.message() + "; nothing was written");
        }
        return expectedBytes;
    }

    /** What is wrong with a stored file: the failed check ({@code presence} or {@code length}) and a message. */
    record StoredFileProblem(String check, String message) {
    }

    /** What is wrong with a stored file's presence, type or length, or null. */
    static StoredFileProblem storedFileProblem(Path dir, String name, long expectedBytes) {
        Path p = dir.resolve(name);
        if (Files.isSymbolicLink(p)) {
            return new StoredFileProblem("presence", p + " is a symbolic link; a backup holds only regular files");
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return new StoredFileProblem("presence", p + " is missing (the manifest lists it)");
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return new StoredFileProblem("presence", p + " is not a regular file");
        }
        try {
            long size = Files.size(p);
            if (size != expectedBytes) {
                return new StoredFileProblem("length", p + " is " + size + " bytes, the manifest says "
                        + expectedBytes + " (truncated or replaced?)");
            }
        } catch (IOException e) {
            return new StoredFileProblem("presence", "cannot read " + p + ": " + e.getMessage());
        }
        return null;
    }

    private void apply(BackupChain.Link link, int index) throws IOException {
        BackupManifest m = link.manifest();
        for (BackupManifest.FileEntry f : m.files()) {
            Files.deleteIfExists(stage.resolve(f.name()));
            HashingFileCopier.Result r = copier.copy(link.dir().resolve(f.name()), stage, f.name());
            if (r.lengthBytes() != f.lengthBytes() || !r.blake3Hex().equals(f.blake3Hex())) {
                throw damaged(link.dir().resolve(f.name()), f.lengthBytes(), f.blake3Hex(), r.lengthBytes(),
                        r.blake3Hex());
            }
        }
        for (BackupManifest.DeltaEntry d : m.deltas()) {
            applyDelta(link, d);
        }
        for (String name : m.removed()) {
            Files.delete(stage.resolve(name));
        }
        if (!m.removed().isEmpty()) {
            HashingFileCopier.syncDirectory(stage);
        }
    }

    /**
     * Copies the WAL the backup keeps into the staged {@code wal/} directory, checking each byte's BLAKE3;
     * opening the staged database replays it. Returns the bytes copied.
     */
    private long placeWal(BackupChain.Link link) throws IOException {
        Path walDir = stage.resolve("wal");
        long total = 0;
        for (BackupManifest.WalEntry w : link.manifest().wal()) {
            HashingFileCopier.Result r = copier.copy(link.dir().resolve(w.name()), walDir, w.name());
            if (r.lengthBytes() != w.lengthBytes() || !r.blake3Hex().equals(w.blake3Hex())) {
                throw damaged(link.dir().resolve(w.name()), w.lengthBytes(), w.blake3Hex(), r.lengthBytes(),
                        r.blake3Hex());
            }
            total += r.lengthBytes();
        }
        return total;
    }

    private void applyDelta(BackupChain.Link link, BackupManifest.DeltaEntry d) throws IOException {
        Path delta = link.dir().resolve(DeltaFile.storedName(d.name()));
        Path target = stage.resolve(d.name());
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            if (out.size() != d.baseLengthBytes()) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: the delta " + delta + " applies to "
                        + d.baseLengthBytes() + " bytes of " + d.name() + ", the restored file has " + out.size());
            }
            String hash = DeltaFile.read(delta, d, link.manifest().pageSizeBytes(), out, progress);
            if (!hash.equals(d.blake3Hex())) {
                throw damaged(delta, d.deltaLengthBytes(), d.blake3Hex(), d.deltaLengthBytes(), hash);
            }
            if (out.size() > d.lengthBytes()) {
                out.truncate(d.lengthBytes());
            }
            if (out.size() != d.lengthBytes()) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: after the delta " + delta + ", "
                        + d.name() + " has " + out.size() + " bytes, the manifest says " + d.lengthBytes());
            }
            out.force(true);
        }
    }

    private static BackupException damaged(Path file, long expectedLen, String expectedHash, long actualLen,
                                           String actualHash) {
        return new BackupException(ErrorCode.CORRUPT, "restore refused: " + file + " is damaged (expected "
                + expectedLen + " bytes with BLAKE3 " + expectedHash + ", read " + actualLen + " bytes with BLAKE3 "
                + actualHash + "); run verify-backup, and restore from another backup");
    }

    /**
     * Gives the restored database an id of its own: from here on it has its own history, and backups of the
     * database it came from are refused as a base for its increments.
     */
    private void newIdentity(BackupManifest last, long replayUntil) throws IOException {
        Path control = stage.resolve("control.bin");
        byte[] image = dev.powdb.storage.spi.ControlImages.withNewDatabaseId(Files.readAllBytes(control),
                control.toString(), last.startLsn(), last.undoLsn(), last.sourceLsn(), !last.wal().isEmpty(),
                replayUntil);
        Files.delete(control);
        copier.withProgress(BackupProgress.NONE).write(image, stage, "control.bin");
        copier.withProgress(progress);
    }

    /** Checks that the staged files are exactly the chain's final state; returns their total length. */
    private long checkStaged(Map<String, BackupChain.StateFile> expected) throws IOException {
        Map<String, Long> found = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(stage)) {
            for (Path p : entries) {
                found.put(p.getFileName().toString(), Files.size(p));
            }
        }
        long total = 0;
        for (BackupChain.StateFile f : expected.values()) {
            Long size = found.remove(f.name());
            if (size == null || size != f.lengthBytes()) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: restored " + f.name() + " has "
                        + (size == null ? "no file" : size + " bytes") + ", the chain says " + f.lengthBytes());
            }
            total += size;
        }
        if (!found.isEmpty()) {
            throw new BackupException(ErrorCode.CORRUPT, "restore refused: files the chain's last backup does not "
                    + "list were left over: " + found.keySet());
        }
        return total;
    }

    /**
     * Opens the staged database to prove it opens and is at the expected LSN. Opening replays the backup's WAL,
     * if it keeps any; recovery then logs the rollback of transactions still open at the end, so the LSN may be
     * past the backup's.
     */
    private static void prove(Path stage, Path dest, long sourceLsn, boolean replays) {
        try (Database db = Database.openExisting(stage, DatabaseOptions.defaults())) {
            if (replays ? db.maxLsn() < sourceLsn : db.maxLsn() != sourceLsn) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: the restored database opened at LSN "
                        + db.maxLsn() + ", the backup says " + sourceLsn + "; nothing was written to " + dest);
            }
        }
    }
}
