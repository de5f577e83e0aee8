package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * WAL archiving and point-in-time restore: restores to random commits equal the oracle at that commit (built from
 * every transaction's commit LSN), restore points and times stop exactly, everything archived before a clean close
 * is restorable, and gaps, damage and a foreign archive are refused with a precise message.
 */
class PointInTimeRestoreTest {
    @TempDir
    Path tmp;

    static DatabaseOptions archiving(Path archive) {
        return OnlineBackupTest.busy().withArchive(archive);
    }

    /** Runs the writers for a while around a backup and two restore points; leaves the database closed. */
    record History(OnlineBackupTest.Writers writers, BackupManifest backup, long pointA, long pointB) {
    }

    private History history(Path data, Path archive) throws Exception {
        try (Database db = Database.open(data, archiving(archive))) {
            OnlineBackupTest.preload(db);
            OnlineBackupTest.Writers writers = new OnlineBackupTest.Writers(db);
            writers.start();
            while (writers.total() < 100) {
                Thread.sleep(2);
            }
            Backups.full(db, tmp.resolve("full"), OnlineBackupTest.slow(10));
            while (writers.total() < 400) {
                Thread.sleep(2);
            }
            long a = db.createRestorePoint("after-400");
            while (writers.total() < 700) {
                Thread.sleep(2);
            }
            long b = db.createRestorePoint("after-700");
            while (writers.total() < 900) {
                Thread.sleep(2);
            }
            writers.stop();
            assertNull(db.engine().archiveFailure());
            return new History(writers, Backups.manifest(tmp.resolve("full")), a, b);
        }
    }

    @Test
    void restoresToRandomCommitsRestorePointsAndTheEndEqualTheOracle() throws Exception {
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        History h = history(data, archive);
        ArchiveInfo info = Backups.archiveInfo(archive, true);
        assertTrue(info.intact(), info.gaps() + " " + info.damaged());
        assertTrue(info.segments().size() > 5, "small segments: " + info.segments().size());
        long lastCommit = 0;
        for (List<Long> c : h.writers().commits) {
            lastCommit = Math.max(lastCommit, c.get(c.size() - 1));
        }
        assertTrue(info.latestLsn() >= lastCommit, "everything committed before the clean close is archived");
        assertEquals(List.of("after-400", "after-700"), info.restorePoints().stream().map(WalArchive.RestorePoint::name)
                .toList());

        // Random commits after the backup's end, and the LSN just before each (that commit must be out).
        List<Long> candidates = new ArrayList<>();
        for (List<Long> c : h.writers().commits) {
            for (long l : c) {
                if (l > h.backup().sourceLsn()) {
                    candidates.add(l);
                }
            }
        }
        Random r = new Random(7);
        int n = 0;
        for (int i = 0; i < 4; i++) {
            long commit = candidates.get(r.nextInt(candidates.size()));
            for (long target : new long[] {commit, commit - 1}) {
                if (target < h.backup().sourceLsn()) {
                    continue;
                }
                Path dest = tmp.resolve("lsn-" + n++);
                RestoreSummary s = Backups.restore(tmp.resolve("full"), List.of(), dest,
                        RestoreTarget.lsn(archive, target), BackupProgress.NONE);
                assertEquals(target, s.sourceLsn());
                OnlineBackupTest.assertOracle(dest, h.writers(), target, "until LSN " + target);
            }
        }
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("point"),
                RestoreTarget.point(archive, "after-700"), BackupProgress.NONE);
        OnlineBackupTest.assertOracle(tmp.resolve("point"), h.writers(), h.pointB(), "until point after-700");
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("end"), RestoreTarget.end(archive),
                BackupProgress.NONE);
        OnlineBackupTest.assertOracle(tmp.resolve("end"), h.writers(), Long.MAX_VALUE, "everything archived");
    }

    @Test
    void timeTargetKeepsCommitsAtOrBeforeItAndRefusesTargetsBeforeTheBackup() throws Exception {
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        Instant between;
        try (Database db = Database.open(data, archiving(archive))) {
            db.createTable(OnlineBackupTest.T);
            db.backup(tmp.resolve("full"));
            for (long i = 1; i <= 100; i++) {
                db.insertValues("t", i, i, "first");
            }
            Thread.sleep(30);
            between = Instant.now();
            Thread.sleep(30);
            for (long i = 101; i <= 200; i++) {
                db.insertValues("t", i, i, "second");
            }
        }
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("r"), RestoreTarget.time(archive, between),
                BackupProgress.NONE);
        try (Database db = Database.openExisting(tmp.resolve("r"), DatabaseOptions.defaults())) {
            assertEquals(100, db.count("t", row -> true));
            assertEquals(0, db.lookup("t", "id", 101L).size());
        }
        BackupException early = assertThrows(BackupException.class, () -> Backups.restore(tmp.resolve("full"),
                List.of(), tmp.resolve("r2"), RestoreTarget.point(archive, "nope"), BackupProgress.NONE));
        assertTrue(early.getMessage().contains("no restore point named \"nope\""), early.getMessage());
        assertFalse(Files.exists(tmp.resolve("r2")));
    }

    @Test
    void gapsDamageAndTargetsOutsideTheArchiveAreRefusedPrecisely() throws Exception {
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        History h = history(data, archive);
        List<WalArchive.Segment> segs = Backups.archiveInfo(archive, false).segments();
        long end = segs.get(segs.size() - 1).lastLsn();

        PowDbException tooEarly = assertThrows(PowDbException.class, () -> Backups.restore(tmp.resolve("full"),
                List.of(), tmp.resolve("x"), RestoreTarget.lsn(archive, h.backup().sourceLsn() - 1),
                BackupProgress.NONE));
        assertTrue(tooEarly.getMessage().contains("before the end LSN " + h.backup().sourceLsn()),
                tooEarly.getMessage());
        PowDbException tooLate = assertThrows(PowDbException.class, () -> Backups.restore(tmp.resolve("full"),
                List.of(), tmp.resolve("x"), RestoreTarget.lsn(archive, end + 10), BackupProgress.NONE));
        assertTrue(tooLate.getMessage().contains("past the end of the WAL archive (LSN " + end + ")"),
                tooLate.getMessage());

        // Damage one archived segment near the end.
        WalArchive.Segment victim = segs.get(segs.size() - 2);
        byte[] b = Files.readAllBytes(archive.resolve(victim.name()));
        b[b.length / 2] ^= 1;
        Files.write(archive.resolve(victim.name()), b);
        ArchiveInfo checked = Backups.archiveInfo(archive, true);
        assertEquals(1, checked.damaged().size(), checked.damaged().toString());
        assertTrue(checked.damaged().get(0).contains(victim.name()), checked.damaged().get(0));
        PowDbException damaged = assertThrows(PowDbException.class, () -> Backups.restore(tmp.resolve("full"),
                List.of(), tmp.resolve("x"), RestoreTarget.end(archive), BackupProgress.NONE));
        assertEquals(ErrorCode.CORRUPT, damaged.code());
        assertTrue(damaged.getMessage().contains(victim.name()), damaged.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")));
        // A target before the damaged segment still restores.
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("before-damage"),
                RestoreTarget.lsn(archive, victim.firstLsn() - 1), BackupProgress.NONE);
        OnlineBackupTest.assertOracle(tmp.resolve("before-damage"), h.writers(), victim.firstLsn() - 1,
                "before the damage");

        // A missing segment is a gap, reported by archive-info and by restore.
        Files.delete(archive.resolve(victim.name()));
        Files.delete(archive.resolve(victim.name() + WalArchive.LISTING_SUFFIX));
        ArchiveInfo gappy = Backups.archiveInfo(archive, false);
        assertEquals(1, gappy.gaps().size());
        assertArrayEquals(new long[] {victim.firstLsn(), victim.lastLsn()}, gappy.gaps().get(0));
        PowDbException gap = assertThrows(PowDbException.class, () -> Backups.restore(tmp.resolve("full"),
                List.of(), tmp.resolve("x"), RestoreTarget.end(archive), BackupProgress.NONE));
        assertTrue(gap.getMessage().contains("LSNs " + victim.firstLsn() + " to " + victim.lastLsn()
                + " are missing"), gap.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void aRestoredDatabaseIsRefusedTheOriginalsArchiveAndWalIsKeptUntilArchived() throws Exception {
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        try (Database db = Database.open(data, archiving(archive))) {
            db.createTable(OnlineBackupTest.T);
            db.insertValues("t", 1L, 1L, "x");
            db.backup(tmp.resolve("full"));
        }
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("r"), BackupProgress.NONE);
        // A torn tail after the restored WAL's last frame: recovery would cut it off.
        try (java.util.stream.Stream<Path> wal = Files.list(tmp.resolve("r/wal"))) {
            Path segment = wal.filter(f -> f.getFileName().toString().endsWith(".wal")).findFirst().orElseThrow();
            Files.write(segment, new byte[] {7, 7, 7, 7, 7, 7, 7, 7}, java.nio.file.StandardOpenOption.APPEND);
        }
        java.util.Map<String, String> before = contents(tmp.resolve("r"));
        PowDbException e = assertThrows(PowDbException.class, () -> Database.open(tmp.resolve("r"),
                DatabaseOptions.defaults().withArchive(archive)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("A restored database is a new database"), e.getMessage());
        // Refused before recovery, which would have cut the torn tail.
        assertEquals(before, contents(tmp.resolve("r")), "the refused open changed the data directory");
        Files.createDirectories(tmp.resolve("junk"));
        Files.writeString(tmp.resolve("junk/x.txt"), "not an archive");
        PowDbException notArchive = assertThrows(PowDbException.class, () -> Database.open(tmp.resolve("r2"),
                DatabaseOptions.defaults().withArchive(tmp.resolve("junk"))));
        assertTrue(notArchive.getMessage().contains("not a PowDB WAL archive"), notArchive.getMessage());
    }

    /** Every file under {@code dir} but the writer lock, with a hash of its bytes. */
    private static java.util.Map<String, String> contents(Path dir) throws IOException {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String rel = dir.relativize(f).toString();
                if (Files.isRegularFile(f) && !rel.equals("LOCK")) {
                    out.put(rel, Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(f))));
                }
            }
        }
        return out;
    }

    @Test
    void aCrashLeavesSealedSegmentsInTheWalUntilTheNextOpenArchivesThem() throws Exception {
        Path data = tmp.resolve("data");
        Path archive = tmp.resolve("archive");
        Database db = Database.open(data, archiving(archive).withCheckpointWalBytes(0));
        db.createTable(OnlineBackupTest.T);
        db.backup(tmp.resolve("full"));
        for (long i = 1; i <= 3000; i++) {
            db.insertValues("t", i, i, "row " + i + " " + "y".repeat(60));
        }
        long committed = db.maxLsn();
        db.engine().abandonForTesting();
        try (Database again = Database.open(data, archiving(archive))) {
            assertEquals(1, again.lookup("t", "id", 3000L).size());
        }
        ArchiveInfo info = Backups.archiveInfo(archive, true);
        assertTrue(info.intact(), info.gaps() + " " + info.damaged());
        assertTrue(info.latestLsn() >= committed);
        Backups.restore(tmp.resolve("full"), List.of(), tmp.resolve("r"), RestoreTarget.end(archive),
                BackupProgress.NONE);
        try (Database r = Database.openExisting(tmp.resolve("r"), DatabaseOptions.defaults())) {
            assertEquals(3000, r.count("t", row -> true));
        }
    }
}
