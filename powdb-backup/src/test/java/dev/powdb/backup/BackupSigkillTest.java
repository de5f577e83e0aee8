package dev.powdb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.powdb.backup.crash.KillBackupMain;
import dev.powdb.backup.crash.KillRestoreMain;
import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import dev.powdb.storage.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes killed with SIGKILL ({@link Process#destroyForcibly()}) at seeded random moments
 * ({@code -Dpowdb.backup.seed}):
 * <ul>
 *   <li>while taking full and incremental backups of a live database that another thread writes to: every backup
 *       directory with a {@code manifest.json} passes a deep verify and restores to a consistent database, one
 *       without is not a backup, and the database keeps every acknowledged row;</li>
 *   <li>while restoring a ~30 MB backup: the target is absent, or does not open, or is the complete database;
 *       anything else left is only a hidden {@code .<target>.restore-*} staging directory.</li>
 * </ul>
 */
class BackupSigkillTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    private static final long SEED = Long.getLong("powdb.backup.seed", 77L);

    /** A child JVM with the test class path; its stdout lines go to {@code lines}. */
    static Process java(Class<?> main, BlockingQueue<String> lines, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException closed) {
                // the process died
            } finally {
                lines.add("<eof>");
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    static String next(BlockingQueue<String> lines) throws InterruptedException {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertNotNull(line, "child silent for 60 s");
        return line;
    }

    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
    }

    // ---- killed while backing up

    @Test
    void backupsKilledAtRandomMomentsAreEitherCompleteOrNotBackups() throws Exception {
        Random rnd = new Random(SEED);
        Path dir = tmp.resolve("db");
        Path backups = Files.createDirectory(tmp.resolve("backups"));
        long next = 0;
        long maxAcked = -1;
        int kills = 4;
        Set<String> checked = new HashSet<>();
        Map<String, Path> byHash = new HashMap<>();
        int complete = 0;
        int incomplete = 0;
        int lastCheckpointStarts = 0;
        for (int round = 0; round < kills; round++) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Process p = java(KillBackupMain.class, lines, dir.toString(), backups.toString(), String.valueOf(round),
                    String.valueOf(next));
            long acked = maxAcked; // a kill may land before this round acknowledges anything
            int backupsDone = 0;
            try {
                assertEquals("ready", next(lines), "child did not start");
                // Kill after a random number of finished backups (0..3; at least a full and an increment in the
                // first round) plus a random delay into the next one.
                int waitForBackups = round == 0 ? 2 + rnd.nextInt(2) : rnd.nextInt(4);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                while (backupsDone < waitForBackups && System.nanoTime() < deadline) {
                    String line = next(lines);
                    if (line.startsWith("backup ")) {
                        backupsDone++;
                        if (line.endsWith(" last-checkpoint")) {
                            lastCheckpointStarts++;
                        }
                    } else if (line.startsWith("ack ")) {
                        acked = Long.parseLong(line.substring(4));
                    } else if (line.equals("<eof>")) {
                        fail("child ended early in round " + round);
                    }
                }
                Thread.sleep(rnd.nextInt(400));
            } finally {
                kill(p);
            }
            for (String line; (line = lines.poll()) != null; ) {
                if (line.startsWith("ack ")) {
                    acked = Long.parseLong(line.substring(4));
                }
            }
            String context = "round " + round + " (seed " + SEED + ")";
            maxAcked = acked;
            next = checkSource(dir, maxAcked, context);
            for (String name : BackupFixtures.list(backups)) {
                Path b = backups.resolve(name);
                if (Files.exists(b.resolve(BackupManifest.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
                    byHash.put(Backups.manifest(b).manifestBlake3(), b);
                }
            }
            // This round's complete backups: all deep-verified with their chains; the newest (the one the kill
            // came closest to) and a seeded few others also restored and opened.
            List<String> fresh = new ArrayList<>();
            for (String name : BackupFixtures.list(backups)) {
                if (checked.add(name)) {
                    fresh.add(name);
                }
            }
            String newest = fresh.stream().filter(n -> byHash.containsValue(backups.resolve(n)))
                    .max(java.util.Comparator.comparingLong(n -> Backups.manifest(backups.resolve(n)).sourceLsn()))
                    .orElse(null);
            for (String name : fresh) {
                Path b = backups.resolve(name);
                if (Files.exists(b.resolve(BackupManifest.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
                    boolean restore = name.equals(newest) || rnd.nextInt(Math.max(1, fresh.size() / 3)) == 0;
                    checkCompleteBackup(b, byHash, restore ? tmp.resolve("restored-" + name) : null, context);
                    complete++;
                } else {
                    BackupException e = assertThrows(BackupException.class, () -> Backups.manifest(b), context);
                    assertEquals(ErrorCode.NOT_FOUND, e.code(), context + ": " + e.getMessage());
                    assertFalse(Backups.verify(b, List.of(), VerifyLevel.QUICK, null, BackupProgress.NONE).intact(),
                            context + ": verify accepted " + b);
                    try (Database db = Database.open(dir)) {
                        Path never = tmp.resolve("never-" + name);
                        BackupException base = assertThrows(BackupException.class, () -> Backups.incremental(db,
                                never, b, BackupProgress.NONE), context);
                        assertEquals(ErrorCode.NOT_FOUND, base.code());
                        assertFalse(Files.exists(never));
                    }
                    incomplete++;
                }
            }
        }
        assertTrue(maxAcked > 0, "the writer acknowledged nothing (seed " + SEED + ")");
        // Increments under a steady writer start at the last checkpoint: kills hit that path too.
        assertTrue(lastCheckpointStarts > 0, "no backup started at the last checkpoint (seed " + SEED + ")");
        assertTrue(complete >= 2, "too few complete backups to check (" + complete + ", seed " + SEED + ")");
        assertTrue(byHash.values().stream().anyMatch(b -> Backups.manifest(b).kind()
                == BackupManifest.Kind.INCREMENTAL), "no increment was completed (seed " + SEED + ")");
        // Incomplete directories depend on where the kills land; report what was seen.
        System.out.println("backup kills (seed " + SEED + "): " + complete + " complete backups checked, " + incomplete
                + " interrupted directories refused");
    }

    /** The source opens with every acknowledged row, once each, and verifies; returns the next free id. */
    private static long checkSource(Path dir, long acked, String context) {
        long max;
        try (Database db = Database.open(dir)) {
            Set<Long> ids = new HashSet<>();
            for (Row row : db.scan("t", null)) {
                assertTrue(ids.add((Long) row.get("id")), context + ": duplicate id " + row.get("id"));
            }
            for (long id = 0; id <= acked; id++) {
                assertTrue(ids.contains(id), context + ": acknowledged id " + id + " lost");
            }
            max = ids.stream().mapToLong(Long::longValue).max().orElse(-1);
            assertEquals(max + 1, ids.size(), context + ": ids are not 0..max");
        }
        VerifyReport r = Database.verify(dir);
        assertTrue(r.ok(), context + ": " + r);
        return max + 1;
    }

    /**
     * A backup with a manifest: its chain (found through parent hashes) passes a deep verify and, when {@code dest} is
     * not null, restores there, and the restored database verifies, is at the manifest's LSN and holds ids 0..k-1
     * (the writer commits one row at a time, in order, so a consistent state is always such a prefix).
     */
    private static void checkCompleteBackup(Path b, Map<String, Path> byHash, Path dest, String context) {
        List<Path> chain = new ArrayList<>();
        for (Path cur = b; ; ) {
            chain.add(0, cur);
            BackupManifest m = Backups.manifest(cur);
            if (m.kind() == BackupManifest.Kind.FULL) {
                break;
            }
            cur = byHash.get(m.parentManifestBlake3());
            assertNotNull(cur, context + ": parent of " + chain.get(0) + " not found");
        }
        List<Path> incs = chain.subList(1, chain.size());
        BackupVerifyReport v = Backups.verify(chain.get(0), incs, VerifyLevel.DEEP, null, BackupProgress.NONE);
        assertTrue(v.intact(), context + ": " + b + ": " + v.problems());
        if (dest == null) {
            return;
        }
        RestoreSummary s = Backups.restore(chain.get(0), incs, dest, BackupProgress.NONE);
        assertEquals(Backups.manifest(b).sourceLsn(), s.sourceLsn());
        VerifyReport r = Database.verify(dest);
        assertTrue(r.ok(), context + ": restored " + b + ": " + r);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            TreeSet<Long> ids = new TreeSet<>();
            db.scan("t", x -> true, row -> ids.add((Long) row.get("id")));
            assertTrue(ids.isEmpty() || (ids.first() == 0 && ids.last() == ids.size() - 1), context + ": restored "
                    + b + " holds " + ids.size() + " ids from " + (ids.isEmpty() ? "-" : ids.first() + " to "
                    + ids.last()) + ": not a consistent prefix");
            BackupManifest m = Backups.manifest(b);
            if (m.wal().isEmpty()) {
                assertEquals(m.sourceLsn(), db.maxLsn());
            } else {
                // Replaying the kept WAL rolled back a transaction open at the end, which logs the rollback.
                assertTrue(db.maxLsn() >= m.sourceLsn(), context + ": restored at LSN " + db.maxLsn());
            }
        }
    }

    // ---- killed while restoring

    @Test
    void restoresKilledAtRandomMomentsNeverPublishAPartialDatabase() throws Exception {
        Random rnd = new Random(SEED);
        Path data = tmp.resolve("data");
        Path backup = tmp.resolve("backup");
        long rows = 0;
        try (Database db = Database.open(data)) {
            db.createTable(new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.optional("b", ColumnType.BYTES)), List.of(new IndexDef("id", true))));
            byte[] pad = new byte[900];
            for (int batch = 0; batch < 15; batch++) {
                try (Transaction tx = db.begin()) {
                    for (int i = 0; i < 2000; i++) {
                        rnd.nextBytes(pad);
                        tx.insert("t", Map.of("id", rows++, "b", pad.clone()));
                    }
                    tx.commit();
                }
            }
            Backups.full(db, backup, BackupProgress.NONE);
        }
        long stored = Backups.manifest(backup).storedBytes();
        assertTrue(stored > 20L << 20 && stored < 60L << 20, "backup of " + stored + " bytes");
        Path dest = tmp.resolve("dest");
        // Where to kill, as a fraction of the bytes copied; above 1: after the last byte (fsync, open, rename).
        List<Double> points = new ArrayList<>(List.of(0.0, 0.2 + 0.2 * rnd.nextDouble(), 0.5 + 0.3 * rnd.nextDouble(),
                0.97, 1.0 + rnd.nextDouble()));
        java.util.Collections.shuffle(points, rnd);
        Map<String, String> outcomes = new LinkedHashMap<>();
        for (double point : points) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Process p = java(KillRestoreMain.class, lines, backup.toString(), dest.toString());
            boolean done = false;
            try {
                assertEquals("ready", next(lines));
                String begin = next(lines);
                assertTrue(begin.startsWith("begin "), begin);
                long total = Long.parseLong(begin.substring(6));
                long target = (long) (Math.min(point, 1.0) * total);
                for (String line = next(lines); ; line = next(lines)) {
                    if (line.equals("done") || line.equals("<eof>")) {
                        done = line.equals("done");
                        break;
                    }
                    if (line.startsWith("p ") && Long.parseLong(line.substring(2)) >= target) {
                        if (point > 1.0) {
                            Thread.sleep((long) ((point - 1.0) * 150));
                        }
                        break;
                    }
                }
            } finally {
                kill(p);
            }
            String context = "restore killed at " + String.format("%.2f", point) + " (seed " + SEED + ")";
            outcomes.put(String.format("%.2f", point), checkAfterKilledRestore(data, backup, dest, rows, context)
                    + (done ? " (finished before the kill)" : ""));
        }
        // Stale staging directories of killed restores do not stop the next restore.
        Backups.restore(backup, List.of(), dest, BackupProgress.NONE);
        try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
            assertEquals(rows, db.count("t", r -> true));
        }
        assertEquals(points.size(), outcomes.size(), outcomes.toString());
        System.out.println("restore kills (seed " + SEED + "): " + outcomes);
    }

    /** Checks the target and its parent after a killed restore; removes a complete target. Returns what was seen. */
    private static String checkAfterKilledRestore(Path data, Path backup, Path dest, long rows, String context)
            throws Exception {
        String outcome;
        if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            outcome = "no target";
        } else {
            boolean opens;
            long count = -1;
            try (Database db = Database.openExisting(dest, DatabaseOptions.defaults())) {
                opens = true;
                count = db.count("t", r -> true);
            } catch (PowDbException doesNotOpen) {
                opens = false;
            }
            if (opens) {
                // Only a finished restore may open: then it is the whole database.
                assertEquals(rows, count, context + ": a partial restore was published at " + dest);
                VerifyReport r = Database.verify(dest);
                assertTrue(r.ok(), context + ": " + r);
                outcome = "complete target";
            } else {
                outcome = "target that does not open";
            }
            BackupFixtures.deleteTree(dest);
        }
        for (String name : BackupFixtures.list(dest.getParent())) {
            if (name.equals(data.getFileName().toString()) || name.equals(backup.getFileName().toString())) {
                continue;
            }
            assertTrue(name.matches("\\." + dest.getFileName() + "\\.restore-[0-9a-f]+"), context + ": left beside "
                    + "the target: " + name);
        }
        return outcome;
    }
}
