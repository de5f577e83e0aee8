package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.assertNothingRestored;
import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import dev.powdb.storage.Database;
import dev.powdb.storage.PowDbException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to any stored byte of a small full backup and of a small increment: deep verify names the file and the
 * check, restore refuses and leaves neither the target nor a staging directory. Quick verify catches truncated,
 * extended, deleted and replaced files.
 *
 * <p>Files up to 4 KiB are damaged at every byte; larger ones at every header byte, every page header byte, every
 * byte of a delta's page index, and a seeded sample of other positions ({@code -Dpowdb.backup.seed}).
 */
class BackupCorruptionTest {
    private static final int SAMPLE = 300;
    private static final int EVERY_BYTE_UP_TO = 4096;
    private static final Set<String> DEEP_CHECKS = Set.of("manifest", "blake3", "page", "delta");

    @TempDir(factory = BackupFixtures.Shm.class)
    static Path tmp;
    static Path full;
    static Path inc;
    static long seed;

    @BeforeAll
    static void backups() throws Exception {
        seed = Long.getLong("powdb.backup.seed", 20240611L);
        try (Database db = Database.open(tmp.resolve("data"))) {
            createT(db, "t");
            fill(db, "t", 0, 40);
            full = tmp.resolve("full");
            Backups.full(db, full, BackupProgress.NONE);
            db.updateBy("t", "id", 3L, Map.of("s", "changed", "grp", 100L));
            // A checkpoint first, so the changed pages are in the files and the increment stores them as a delta (an
            // increment that starts at an older checkpoint may carry a change as WAL only).
            db.checkpoint();
            inc = tmp.resolve("inc");
            Backups.incremental(db, inc, full, BackupProgress.NONE);
        }
        BackupManifest m = Backups.manifest(inc);
        assertFalse(m.deltas().isEmpty(), "the increment must hold a delta: " + m);
        assertTrue(Backups.verify(full, List.of(inc), VerifyLevel.DEEP, null, BackupProgress.NONE).intact());
    }

    /** Stored files of a backup, manifest included. */
    private static List<String> stored(Path backup) throws IOException {
        List<String> names = BackupFixtures.list(backup);
        assertTrue(names.contains(BackupManifest.FILE_NAME));
        return names;
    }

    private static List<Path> increments(Path backup) {
        return backup.equals(inc) ? List.of(inc) : List.of();
    }

    /** A position to damage, and whether it lies in a header (file, page or delta header, or a delta's index). */
    private record Spot(int pos, boolean header) {
    }

    /** Positions to damage in {@code name} of {@code size} bytes. */
    private static List<Spot> positions(String name, int size, Random rnd) {
        Set<Integer> headers = new TreeSet<>();
        Set<Integer> others = new TreeSet<>();
        boolean delta = name.endsWith(DeltaFile.SUFFIX);
        boolean paged = delta || BackupManifest.isPagedName(name);
        for (int i = 0; i < Math.min(64, size); i++) {
            headers.add(i); // file header / delta header and the start of its page index
        }
        if (delta) {
            int pages = (size - DeltaFile.HEADER_BYTES) / (4 + 4096);
            int imagesAt = DeltaFile.HEADER_BYTES + 4 * pages;
            for (int i = DeltaFile.HEADER_BYTES; i < imagesAt; i++) {
                headers.add(i); // the page index
            }
            for (int p = 0; p < pages; p++) {
                for (int i = 0; i < 24; i++) {
                    headers.add(imagesAt + p * 4096 + i); // each image's page header
                }
            }
        } else if (paged) {
            for (int page = 0; page * 4096 < size; page++) {
                for (int i = 0; i < 24; i++) {
                    headers.add(page * 4096 + i); // page header: CRC, type, LSN, page number, file id
                }
            }
        }
        if (size <= EVERY_BYTE_UP_TO) {
            for (int i = 0; i < size; i++) {
                others.add(i);
            }
        } else {
            while (others.size() < SAMPLE) {
                others.add(rnd.nextInt(size));
            }
        }
        others.removeAll(headers);
        List<Spot> out = new ArrayList<>();
        headers.forEach(p -> out.add(new Spot(p, true)));
        others.forEach(p -> out.add(new Spot(p, false)));
        return out;
    }

    /**
     * Two workers, each on its own copy of the two backups (identical bytes, so the copy of the increment names the
     * copy of the full backup as its parent), share the positions. Every position is deep-verified; restore is tried
     * for every damaged byte of a manifest and of a delta's header, page index and page headers (each refused by its
     * own check), and for one in {@value #RESTORE_ONE_IN} of the others, which are all refused by the same hash
     * comparison (a restore costs three verifies; this keeps the suite within its time budget).
     */
    @Test
    void everyDamagedByteIsReportedAndRefused() throws Exception {
        Random rnd = new Random(seed);
        List<Job> jobs = new ArrayList<>();
        for (Path backup : List.of(full, inc)) {
            for (String name : stored(backup)) {
                int size = (int) Files.size(backup.resolve(name));
                int n = 0;
                for (Spot spot : positions(name, size, rnd)) {
                    int mask = 1 << rnd.nextInt(8);
                    if (name.equals(BackupManifest.FILE_NAME) && spot.pos() == size - 1) {
                        // The final newline turned into other JSON whitespace would be the same manifest.
                        mask = 0x01;
                    }
                    boolean restore = name.equals(BackupManifest.FILE_NAME)
                            || (spot.header() && name.endsWith(DeltaFile.SUFFIX)) || n++ % RESTORE_ONE_IN == 0;
                    jobs.add(new Job(backup.equals(inc), name, spot.pos(), mask, restore));
                }
            }
        }
        List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int w = 0; w < 2; w++) {
                Path root = tmp.resolve("worker" + w);
                Path f = root.resolve("full");
                Path i = root.resolve("inc");
                BackupFixtures.copyTree(full, f);
                BackupFixtures.copyTree(inc, i);
                int worker = w;
                List<Job> mine = new ArrayList<>();
                for (int k = worker; k < jobs.size(); k += 2) {
                    mine.add(jobs.get(k));
                }
                results.add(pool.submit(() -> runJobs(mine, f, i, root.resolve("dest"))));
            }
            int flips = 0;
            for (java.util.concurrent.Future<Integer> r : results) {
                try {
                    flips += r.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError(e.getCause().getMessage(), e.getCause());
                }
            }
            assertEquals(jobs.size(), flips);
            long restores = jobs.stream().filter(Job::restore).count();
            assertTrue(restores > 1500, "restores tried: " + restores);
            System.out.println("damaged " + flips + " positions (seed " + seed + "), " + restores + " also restored");
            assertTrue(flips > 5000, "damaged only " + flips + " positions");
        } finally {
            pool.shutdownNow();
        }
    }

    private static final int RESTORE_ONE_IN = 8;

    private record Job(boolean inIncrement, String name, int pos, int mask, boolean restore) {
    }

    private static int runJobs(List<Job> jobs, Path f, Path i, Path dest) throws IOException {
        int done = 0;
        for (Job job : jobs) {
            Path backup = job.inIncrement() ? i : f;
            Path file = backup.resolve(job.name());
            byte[] original = Files.readAllBytes(file);
            byte[] damaged = original.clone();
            damaged[job.pos()] ^= (byte) job.mask();
            Files.write(file, damaged);
            try {
                checkRefused(f, job.inIncrement() ? List.of(i) : List.of(), backup, job, dest);
            } finally {
                Files.write(file, original);
            }
            done++;
        }
        assertTrue(Backups.verify(f, List.of(i), VerifyLevel.DEEP, null, BackupProgress.NONE).intact(),
                "the backups must be intact again after the test");
        return done;
    }

    /** Deep verify names the damaged file in its backup; restore throws and leaves nothing. */
    private static void checkRefused(Path f, List<Path> incs, Path backup, Job job, Path dest) throws IOException {
        String context = backup.getFileName() + "/" + job.name() + " byte " + job.pos() + " ^ 0x"
                + Integer.toHexString(job.mask()) + " (seed " + seed + ")";
        BackupVerifyReport report = Backups.verify(f, incs, VerifyLevel.DEEP, null, BackupProgress.NONE);
        boolean named = report.problems().stream().anyMatch(p -> p.backup().equals(backup.toString())
                && p.file().equals(job.name()) && DEEP_CHECKS.contains(p.check()) && !p.message().isEmpty()
                && !p.remedy().isEmpty());
        assertTrue(named, context + ": deep verify must report a problem naming the file; got " + report.problems());
        if (!job.restore()) {
            return;
        }
        try {
            Backups.restore(f, incs, dest, BackupProgress.NONE);
            fail(context + ": restore accepted a damaged backup");
        } catch (PowDbException expected) {
            // refused, as it must be
        } catch (RuntimeException other) {
            throw new AssertionError(context + ": restore failed with " + other + " instead of a PowDbException",
                    other);
        }
        assertNothingRestored(dest, context);
    }

    // ---- quick verify: presence, type and length

    @Test
    void quickVerifyCatchesTruncationExtensionDeletionAndReplacement() throws Exception {
        int cases = 0;
        for (Path backup : List.of(full, inc)) {
            for (String name : stored(backup)) {
                Path file = backup.resolve(name);
                byte[] original = Files.readAllBytes(file);
                boolean manifest = name.equals(BackupManifest.FILE_NAME);
                List<Damage> damages = List.of(
                        // (A manifest without its final newline is the same manifest: cut one more byte.)
                        new Damage("truncated", () -> Files.write(file, java.util.Arrays.copyOf(
                                original, original.length - (manifest ? 2 : 1))), manifest ? "manifest" : "length"),
                        new Damage("truncated to zero", () -> Files.write(file, new byte[0]),
                                manifest ? "manifest" : "length"),
                        new Damage("extended by one byte", () -> Files.write(file, java.util.Arrays.copyOf(
                                original, original.length + 1)), manifest ? "manifest" : "length"),
                        new Damage("deleted", () -> Files.delete(file), manifest ? "manifest" : "presence"),
                        new Damage("replaced by a directory", () -> {
                            Files.delete(file);
                            Files.createDirectory(file);
                        }, manifest ? "manifest" : "presence"));
                for (Damage d : damages) {
                    d.apply.run();
                    try {
                        String context = backup.getFileName() + "/" + name + " " + d.what;
                        BackupVerifyReport report = Backups.verify(full, increments(backup), VerifyLevel.QUICK,
                                null, BackupProgress.NONE);
                        assertEquals(0, report.bytesHashed(), "quick verify hashes nothing");
                        assertTrue(report.problems().stream().anyMatch(p -> p.backup().equals(backup.toString())
                                && p.file().equals(name) && p.check().equals(d.check)), context + ": quick verify "
                                + "must report check '" + d.check + "' for the file; got " + report.problems());
                        Path dest = tmp.resolve("dest");
                        assertThrows(PowDbException.class, () -> Backups.restore(full, increments(backup), dest,
                                BackupProgress.NONE), context);
                        assertNothingRestored(dest, context);
                    } finally {
                        if (Files.isDirectory(file)) {
                            Files.delete(file);
                        }
                        Files.write(file, original);
                    }
                    cases++;
                }
            }
        }
        assertEquals(5 * (stored(full).size() + stored(inc).size()), cases);
        assertTrue(Backups.verify(full, List.of(inc), VerifyLevel.QUICK, null, BackupProgress.NONE).intact());
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private record Damage(String what, IoAction apply, String check) {
    }

    @Test
    void strayFilesAreReportedButDoNotBlockARestore() throws Exception {
        Path stray = inc.resolve("t.heap");
        Files.write(stray, new byte[4096]);
        try {
            BackupVerifyReport r = Backups.verify(full, List.of(inc), VerifyLevel.QUICK, null, BackupProgress.NONE);
            assertTrue(r.problems().stream().anyMatch(p -> p.file().equals("t.heap") && p.check().equals("presence")),
                    r.problems().toString());
            Path dest = tmp.resolve("stray-dest");
            Backups.restore(full, List.of(inc), dest, BackupProgress.NONE);
            assertTrue(Database.verify(dest).ok());
            BackupFixtures.deleteTree(dest);
        } finally {
            Files.delete(stray);
        }
    }
}
