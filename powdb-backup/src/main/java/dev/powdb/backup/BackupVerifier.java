package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.VerifyReport;
import dev.powdb.storage.spi.PageImages;
import dev.powdb.storage.wal.WalSegmentReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks backups without changing them: quick (manifests, chain links, presence, type and length of every stored
 * file), deep (plus the BLAKE3 of every byte, every page's checksum, page number and file id, and the structure of
 * every delta) and, on request, a restore drill. Defects are collected into a report, each naming the backup, the
 * file, the check and a remedy.
 */
final class BackupVerifier {
    private static final String REMEDY_BACKUP = "take a new backup; restore only from an intact one";
    private final List<BackupVerifyReport.Problem> problems = new ArrayList<>();
    private final VerifyLevel level;
    private final BackupProgress progress;
    private int filesChecked;
    private long bytesHashed;

    private BackupVerifier(VerifyLevel level, BackupProgress progress) {
        this.level = level;
        this.progress = progress;
    }

    static BackupVerifyReport verify(Path backup, List<Path> increments, VerifyLevel level, Path drillDir,
                                     BackupProgress progress) {
        long started = System.nanoTime();
        if (drillDir != null) {
            Targets.checkFresh(drillDir, "restore drill directory");
        }
        BackupVerifier v = new BackupVerifier(level, progress);
        List<Path> dirs = new ArrayList<>();
        dirs.add(backup);
        dirs.addAll(increments);
        List<BackupChain.Link> links = new ArrayList<>();
        for (Path dir : dirs) {
            try {
                links.add(new BackupChain.Link(dir, BackupChain.readManifest(dir)));
            } catch (PowDbException e) {
                v.problem(dir, BackupManifest.FILE_NAME, "manifest", e.getMessage(), REMEDY_BACKUP);
            }
        }
        if (links.size() == dirs.size() && (dirs.size() > 1
                || links.get(0).manifest().kind() == BackupManifest.Kind.FULL)) {
            try {
                BackupChain.check(links);
            } catch (PowDbException e) {
                v.problem(backup, "(chain)", "chain", e.getMessage(), "give the full backup and its increments "
                        + "in the order they were taken");
            }
        }
        long total = 0;
        for (BackupChain.Link link : links) {
            total += link.manifest().storedBytes();
        }
        progress.begin("verify", level == VerifyLevel.DEEP ? total : 0);
        try {
            for (BackupChain.Link link : links) {
                v.checkBackup(link);
            }
        } finally {
            progress.end();
        }
        RestoreSummary drill = null;
        if (drillDir != null && v.problems.isEmpty()) {
            drill = v.drill(backup, increments, drillDir, links);
        } else if (drillDir != null) {
            v.problem(backup, "(drill)", "drill", "restore drill skipped: the backup already failed a check",
                    "fix or replace the backup first");
        }
        List<String> names = new ArrayList<>();
        for (Path d : dirs) {
            names.add(d.toString());
        }
        return new BackupVerifyReport(names, level, v.filesChecked, v.bytesHashed, drill, v.problems,
                (System.nanoTime() - started) / 1_000_000);
    }

    private void problem(Path backup, String file, String check, String message, String remedy) {
        problems.add(new BackupVerifyReport.Problem(backup.toString(), file, check, message, remedy));
    }

    private void checkBackup(BackupChain.Link link) {
        BackupManifest m = link.manifest();
        for (BackupManifest.FileEntry f : m.files()) {
            if (present(link.dir(), f.name(), f.lengthBytes()) && level == VerifyLevel.DEEP) {
                hashWhole(link.dir(), f, m.pageSizeBytes());
            }
        }
        for (BackupManifest.DeltaEntry d : m.deltas()) {
            String stored = DeltaFile.storedName(d.name());
            if (present(link.dir(), stored, d.deltaLengthBytes()) && level == VerifyLevel.DEEP) {
                try {
                    String hash = DeltaFile.read(link.dir().resolve(stored), d, m.pageSizeBytes(), null, progress);
                    bytesHashed += d.deltaLengthBytes();
                    if (!hash.equals(d.blake3Hex())) {
                        problem(link.dir(), stored, "blake3", "BLAKE3 is " + hash + ", the manifest says "
                                + d.blake3Hex(), REMEDY_BACKUP);
                    }
                } catch (PowDbException e) {
                    problem(link.dir(), stored, "delta", e.getMessage(), REMEDY_BACKUP);
                } catch (RuntimeException e) {
                    problem(link.dir(), stored, "delta", "cannot be read as a delta: " + e, REMEDY_BACKUP);
                } catch (IOException e) {
                    problem(link.dir(), stored, "read", "cannot read: " + e.getMessage(), "check the storage");
                }
            }
        }
        for (BackupManifest.WalEntry w : m.wal()) {
            if (present(link.dir(), w.name(), w.lengthBytes()) && level == VerifyLevel.DEEP) {
                checkWal(link.dir(), w);
            }
        }
        checkStrays(link);
    }

    /** BLAKE3 of a kept WAL piece, and every record's CRC and LSN from its first to its last LSN. */
    private void checkWal(Path dir, BackupManifest.WalEntry w) {
        Path p = dir.resolve(w.name());
        byte[] data;
        try {
            data = Files.readAllBytes(p);
        } catch (IOException e) {
            problem(dir, w.name(), "read", "cannot read: " + e.getMessage(), "check the storage");
            return;
        }
        bytesHashed += data.length;
        progress.advance(data.length);
        String actual = Blake3.hex(data);
        if (!actual.equals(w.blake3Hex())) {
            problem(dir, w.name(), "blake3", "BLAKE3 is " + actual + ", the manifest says " + w.blake3Hex(),
                    REMEDY_BACKUP);
            return;
        }
        try {
            WalSegmentReader.Contents c = WalSegmentReader.read(data, w.firstLsn(), p.toString(), null);
            if (c.lastLsn() != w.lastLsn()) {
                problem(dir, w.name(), "wal", "holds LSNs " + c.firstLsn() + " to " + c.lastLsn() + ", the manifest "
                        + "says up to " + w.lastLsn(), REMEDY_BACKUP);
            }
        } catch (PowDbException e) {
            problem(dir, w.name(), "wal", e.getMessage(), REMEDY_BACKUP);
        }
    }

    /** Reports files in a backup directory that its manifest does not list (left-overs or planted files). */
    private void checkStrays(BackupChain.Link link) {
        Map<String, Boolean> listed = new HashMap<>();
        listed.put(BackupManifest.FILE_NAME, true);
        link.manifest().files().forEach(f -> listed.put(f.name(), true));
        link.manifest().deltas().forEach(d -> listed.put(DeltaFile.storedName(d.name()), true));
        link.manifest().wal().forEach(w -> listed.put(w.name(), true));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(link.dir())) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!listed.containsKey(name)) {
                    problem(link.dir(), name, "presence", "not listed in the manifest (a left-over of an "
                            + "interrupted backup, or added by hand)", "remove it; restore ignores it");
                }
            }
        } catch (IOException e) {
            problem(link.dir(), "(directory)", "read", "cannot list: " + e.getMessage(), "check the storage");
        }
    }

    private boolean present(Path dir, String name, long expectedBytes) {
        filesChecked++;
        Restorer.StoredFileProblem p = Restorer.storedFileProblem(dir, name, expectedBytes);
        if (p != null) {
            problem(dir, name, p.check(), p.message(), REMEDY_BACKUP);
            return false;
        }
        return true;
    }

    /** BLAKE3 of a whole stored file and, for heap and index files, every page's own checks. */
    private void hashWhole(Path dir, BackupManifest.FileEntry f, int pageSize) {
        Path p = dir.resolve(f.name());
        boolean paged = BackupManifest.isPagedName(f.name());
        Blake3 hash = new Blake3();
        String firstPageProblem = null;
        int badPages = 0;
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer block = ByteBuffer.allocate(HashingFileCopier.BLOCK_BYTES);
            byte[] image = new byte[pageSize];
            long pos = 0;
            while (true) {
                block.clear();
                int n = 0;
                while (block.hasRemaining()) {
                    int r = in.read(block);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                if (n == 0) {
                    break;
                }
                block.flip();
                hash.update(block.duplicate());
                if (paged) {
                    for (int off = 0; off + pageSize <= n; off += pageSize) {
                        block.get(off, image);
                        int pageNo = (int) ((pos + off) / pageSize);
                        try {
                            PageImages.verify(image, p.toString(), f.fileId(), pageNo);
                        } catch (PowDbException e) {
                            badPages++;
                            firstPageProblem = firstPageProblem == null ? e.getMessage() : firstPageProblem;
                        }
                    }
                }
                pos += n;
                bytesHashed += n;
                progress.advance(n);
            }
        } catch (IOException | RuntimeException e) {
            problem(dir, f.name(), "read", "cannot read: " + e.getMessage(), "check the storage");
            return;
        }
        String actual = hash.finishHex();
        if (!actual.equals(f.blake3Hex())) {
            problem(dir, f.name(), "blake3", "BLAKE3 is " + actual + ", the manifest says " + f.blake3Hex(),
                    REMEDY_BACKUP);
        }
        if (badPages > 0) {
            problem(dir, f.name(), "page", badPages + " damaged page(s); first: " + firstPageProblem, REMEDY_BACKUP);
        }
    }

    private static String verifyProblems(VerifyReport report) {
        List<String> out = new ArrayList<>();
        for (VerifyReport.FileReport f : report.files()) {
            for (String p : f.problems) {
                out.add(f.file + ": " + p);
            }
        }
        return String.join("; ", out);
    }

    /** Restores into {@code drillDir}, then verifies the result offline and compares it with the manifest. */
    private RestoreSummary drill(Path backup, List<Path> increments, Path drillDir, List<BackupChain.Link> links) {
        RestoreSummary summary;
        try {
            summary = Restorer.restore(backup, increments, drillDir, BackupProgress.NONE);
        } catch (PowDbException e) {
            problem(backup, "(drill)", "drill", "restore failed: " + e.getMessage(), REMEDY_BACKUP);
            return null;
        }
        BackupManifest last = links.get(links.size() - 1).manifest();
        try {
            VerifyReport report = Database.verify(drillDir, DatabaseOptions.defaults());
            if (!report.ok()) {
                problem(backup, "(drill)", "drill", "the restored database fails verify: " + verifyProblems(report),
                        REMEDY_BACKUP);
            }
            try (Database db = Database.openExisting(drillDir, DatabaseOptions.defaults())) {
                boolean replayed = !last.wal().isEmpty();
                if (replayed ? db.maxLsn() < last.sourceLsn() : db.maxLsn() != last.sourceLsn()) {
                    problem(backup, "(drill)", "drill", "restored database is at LSN " + db.maxLsn() + ", the "
                            + "manifest says " + last.sourceLsn(), REMEDY_BACKUP);
                }
            }
            for (BackupChain.StateFile f : BackupChain.check(links).values()) {
                Path p = drillDir.resolve(f.name());
                // Replaying kept WAL may extend files past the lengths they had when they were copied.
                boolean lengthOk = Files.exists(p) && (last.wal().isEmpty() ? Files.size(p) == f.lengthBytes()
                        : Files.size(p) >= f.lengthBytes());
                if (!f.name().equals("control.bin") && !lengthOk) {
                    problem(backup, f.name(), "drill", "restored file differs from the manifest: expected "
                            + f.lengthBytes() + " bytes, found " + (Files.exists(p) ? Files.size(p) + " bytes"
                            : "no file"), REMEDY_BACKUP);
                }
            }
        } catch (PowDbException | IOException e) {
            problem(backup, "(drill)", "drill", "the restored database does not open: " + e.getMessage(),
                    REMEDY_BACKUP);
        }
        return summary;
    }
}
