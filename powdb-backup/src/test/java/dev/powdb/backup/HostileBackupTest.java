package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.assertNothingRestored;
import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.powdb.backup.BackupManifest.DeltaEntry;
import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.FormatVersionException;
import dev.powdb.storage.PowDbException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backups built by an attacker (or a buggy tool): manifests with a valid self-hash that name files outside the
 * backup or not durable, stored files that are symlinks, directories or FIFOs, wrong lengths and digests, and deltas
 * whose structure lies. Restore must refuse before anything appears at the target, leave no staging directory, and
 * change nothing outside the target: a sentinel file beside it and a symlink target outside the backup stay as they
 * were, byte for byte.
 */
class HostileBackupTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;
    Path full;
    Path inc;
    Path dest;
    Path outside;

    @BeforeEach
    void backups() throws Exception {
        try (Database db = Database.open(tmp.resolve("data"))) {
            createT(db, "t");
            fill(db, "t", 0, 40);
            full = tmp.resolve("full");
            Backups.full(db, full, BackupProgress.NONE);
            db.updateBy("t", "id", 3L, Map.of("s", "changed"));
            // A checkpoint first, so the changed pages are in the files and the increment stores them as a delta (an
            // increment that starts at an older checkpoint may carry a change as WAL only).
            db.checkpoint();
            inc = tmp.resolve("inc");
            Backups.incremental(db, inc, full, BackupProgress.NONE);
        }
        assertEquals(List.of("t.heap"), Backups.manifest(inc).deltas().stream().map(DeltaEntry::name).toList());
        dest = tmp.resolve("dest");
        Files.writeString(tmp.resolve("sentinel"), "beside the target; must not change");
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.copy(full.resolve("t.heap"), outside.resolve("t.heap"));
    }

    /**
     * Restore throws a PowDbException whose message holds every part, before it starts writing (the progress
     * listener is told {@code begin} only once the staging directory exists); nothing anywhere under tmp changed.
     */
    private PowDbException refused(Path base, List<Path> incs, String... messageParts) throws IOException {
        return refused(true, base, incs, messageParts);
    }

    /** Like {@link #refused}, for damage that can only be seen while the bytes are read (into staging). */
    private PowDbException refusedWhileCopying(Path base, List<Path> incs, String... messageParts)
            throws IOException {
        return refused(false, base, incs, messageParts);
    }

    private PowDbException refused(boolean upFront, Path base, List<Path> incs, String... messageParts)
            throws IOException {
        Map<String, String> before = BackupFixtures.tree(tmp);
        boolean[] began = {false};
        BackupProgress watch = new BackupProgress() {
            @Override
            public void begin(String task, long totalBytes) {
                began[0] = true;
            }

            @Override
            public void advance(long bytes) {
            }

            @Override
            public void end() {
            }
        };
        PowDbException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                PowDbException.class, () -> Backups.restore(base, incs, dest, watch)));
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
        if (upFront) {
            assertFalse(began[0], "refused only after staging began; this can be checked before writing: " + e);
        }
        assertNothingRestored(dest, e.getMessage());
        assertEquals(before, BackupFixtures.tree(tmp), "restore changed something outside its target");
        return e;
    }

    private static void resign(Path backup, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = BackupFixtures.json(backup);
        edit.accept(root);
        BackupFixtures.writeSigned(backup, root);
    }

    private static ObjectNode file(ObjectNode root, String name) {
        for (var f : root.get("files")) {
            if (f.get("name").textValue().equals(name)) {
                return (ObjectNode) f;
            }
        }
        throw new AssertionError(name);
    }

    private BackupVerifyReport verify(VerifyLevel level, Path base, List<Path> incs) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Backups.verify(base, incs, level, null,
                BackupProgress.NONE));
    }

    private static void reports(BackupVerifyReport r, String file, String check) {
        assertTrue(r.problems().stream().anyMatch(p -> p.file().equals(file) && p.check().equals(check)),
                "expected a '" + check + "' problem for " + file + " in " + r.problems());
    }

    // ---- names

    @ParameterizedTest
    @ValueSource(strings = {"../x", "../sentinel", "../outside/t.heap", "/etc/passwd", "/tmp/abs.heap",
            "wal/0000000000000001.wal", "wal", ".", "..", "", "LOCK", "manifest.json", "sub/t.heap", "t.heap.delta",
            ".t.heap.tmp"})
    void manifestNamesOutsideThePlainDurableSetAreRefused(String name) throws Exception {
        // Where the name points inside tmp, put the very bytes the entry describes, so only the name can refuse it.
        Path target = full.resolve(name.isEmpty() ? "." : name).normalize();
        if (!name.isEmpty() && target.startsWith(tmp) && !Files.exists(target)) {
            Files.createDirectories(target.getParent());
            Files.copy(full.resolve("t.heap"), target);
        }
        resign(full, r -> file(r, "t.heap").put("name", name));
        PowDbException e = refused(full, List.of(), "field files[", ".name");
        assertTrue(e instanceof ManifestException, e.toString());
        assertFalse(e.getMessage().contains("does not match"), "refused by the hash, not the name: " + e);
        reports(verify(VerifyLevel.QUICK, full, List.of()), BackupManifest.FILE_NAME, "manifest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../sentinel", "/abs.heap", "wal/0000000000000001.wal", ".", ""})
    void hostileNamesInIncrementListsAreRefused(String name) throws Exception {
        for (String list : List.of("deltas", "unchanged", "removed")) {
            Path copy = tmp.resolve("inc-" + list);
            BackupFixtures.copyTree(inc, copy);
            resign(copy, r -> {
                ArrayNode a = (ArrayNode) r.get(list);
                if (list.equals("removed")) {
                    a.add(name);
                } else {
                    ((ObjectNode) a.get(0)).put("name", name);
                }
            });
            PowDbException e = refused(full, List.of(copy), "field " + list + "[");
            assertTrue(e instanceof ManifestException, e.toString());
            BackupFixtures.deleteTree(copy);
        }
    }

    @Test
    void duplicateNamesAreRefused() throws Exception {
        byte[] original = Files.readAllBytes(full.resolve(BackupManifest.FILE_NAME));
        resign(full, r -> {
            ArrayNode files = (ArrayNode) r.get("files");
            files.add(files.get(files.size() - 1).deepCopy());
        });
        refused(full, List.of(), "duplicate name");
        Files.write(full.resolve(BackupManifest.FILE_NAME), original);
        // A name both stored as a delta and removed.
        resign(inc, r -> ((ArrayNode) r.get("removed")).add("t.heap"));
        refused(full, List.of(inc), "duplicate name 't.heap' (also deltas[0])");
    }

    @ParameterizedTest
    @ValueSource(ints = {BackupManifest.MAX_READ_VERSION + 1, BackupManifest.MIN_READ_VERSION - 1, 99})
    void unknownFormatVersionsAreRefused(int version) throws Exception {
        resign(inc, r -> r.put("format_version", version));
        PowDbException e = refused(full, List.of(inc), inc.resolve(BackupManifest.FILE_NAME).toString());
        assertTrue(e instanceof FormatVersionException, e.toString());
        assertEquals(version > BackupManifest.MAX_READ_VERSION ? ErrorCode.FORMAT_TOO_NEW : ErrorCode.FORMAT_TOO_OLD,
                e.code());
    }

    // ---- what sits where a stored file should be

    @Test
    void storedFileThatIsASymlinkOutsideIsRefused() throws Exception {
        // Same bytes behind the link, so only refusing to follow links can catch it.
        Files.delete(full.resolve("t.heap"));
        Files.createSymbolicLink(full.resolve("t.heap"), outside.resolve("t.heap"));
        refused(full, List.of(), "t.heap", "symbolic link");
        reports(verify(VerifyLevel.QUICK, full, List.of()), "t.heap", "presence");
        reports(verify(VerifyLevel.DEEP, full, List.of()), "t.heap", "presence");
    }

    @Test
    void deltaThatIsASymlinkIsRefused() throws Exception {
        Path real = outside.resolve("t.heap.delta");
        Files.move(inc.resolve("t.heap.delta"), real);
        Files.createSymbolicLink(inc.resolve("t.heap.delta"), real);
        refused(full, List.of(inc), "t.heap.delta", "symbolic link");
        reports(verify(VerifyLevel.DEEP, full, List.of(inc)), "t.heap.delta", "presence");
    }

    @Test
    void manifestThatIsASymlinkIsRefused() throws Exception {
        Path real = outside.resolve("manifest.json");
        Files.move(full.resolve(BackupManifest.FILE_NAME), real);
        Files.createSymbolicLink(full.resolve(BackupManifest.FILE_NAME), real);
        refused(full, List.of(), "symbolic link");
        reports(verify(VerifyLevel.QUICK, full, List.of()), BackupManifest.FILE_NAME, "manifest");
    }

    @Test
    void directoryWhereAFileShouldBeIsRefused() throws Exception {
        Files.delete(full.resolve("t.heap"));
        Files.createDirectory(full.resolve("t.heap"));
        Files.writeString(full.resolve("t.heap").resolve("inner"), "x");
        refused(full, List.of(), "t.heap", "not a regular file");
        reports(verify(VerifyLevel.DEEP, full, List.of()), "t.heap", "presence");
        Files.delete(inc.resolve(BackupManifest.FILE_NAME));
        Files.createDirectory(inc.resolve(BackupManifest.FILE_NAME));
        refused(full, List.of(inc), "not a regular file");
    }

    @Test
    void fifoWhereAFileShouldBeIsRefusedWithoutBlocking() throws Exception {
        Files.delete(inc.resolve("t.heap.delta"));
        BackupFixtures.mkfifo(inc.resolve("t.heap.delta"));
        Files.delete(full.resolve("catalog.bin"));
        BackupFixtures.mkfifo(full.resolve("catalog.bin"));
        refused(full, List.of(inc), "catalog.bin", "not a regular file");
        reports(verify(VerifyLevel.DEEP, full, List.of(inc)), "catalog.bin", "presence");
        reports(verify(VerifyLevel.DEEP, full, List.of(inc)), "t.heap.delta", "presence");
        Files.delete(inc.resolve(BackupManifest.FILE_NAME));
        BackupFixtures.mkfifo(inc.resolve(BackupManifest.FILE_NAME));
        refused(full, List.of(inc), "not a regular file");
        reports(verify(VerifyLevel.QUICK, full, List.of(inc)), BackupManifest.FILE_NAME, "manifest");
    }

    // ---- presence, lengths and digests the manifest lies about

    @Test
    void missingStoredFileIsRefused() throws Exception {
        Files.delete(full.resolve("t_id.idx"));
        refused(full, List.of(), "t_id.idx", "missing");
    }

    @Test
    void wrongLengthsAreRefused() throws Exception {
        resign(full, r -> file(r, "t.heap").put("len", 8192 + 4096));
        refused(full, List.of(), "t.heap", "the manifest says 12288");
        reports(verify(VerifyLevel.QUICK, full, List.of()), "t.heap", "length");
    }

    @Test
    void wrongDigestIsRefusedAndNothingIsPublished() throws Exception {
        resign(full, r -> file(r, "t_id.idx").put("blake3_hex", Blake3.hex(new byte[1])));
        refusedWhileCopying(full, List.of(), "t_id.idx", "damaged");
        reports(verify(VerifyLevel.DEEP, full, List.of()), "t_id.idx", "blake3");
    }

    // ---- chains whose lists lie

    @Test
    void incrementThatRemovesTheCatalogIsRefused() throws Exception {
        resign(inc, r -> {
            ArrayNode files = (ArrayNode) r.get("files");
            files.remove(0); // catalog.bin
            ((ArrayNode) r.get("removed")).add("catalog.bin");
        });
        refused(full, List.of(inc), "no catalog.bin");
    }

    @Test
    void incrementThatForgetsAFileIsRefused() throws Exception {
        resign(inc, r -> ((ArrayNode) r.get("unchanged")).remove(0));
        refused(full, List.of(inc), "says nothing about");
    }

    @Test
    void incrementThatRemovesAFileItsParentLacksIsRefused() throws Exception {
        resign(inc, r -> ((ArrayNode) r.get("removed")).add("zz.heap"));
        refused(full, List.of(inc), "removes zz.heap");
    }

    @Test
    void unchangedEntryThatDisagreesWithTheParentIsRefused() throws Exception {
        resign(inc, r -> ((ObjectNode) r.get("unchanged").get(0)).put("len", 4096 * 40));
        refused(full, List.of(inc), "listed as unchanged");
        resign(inc, r -> ((ObjectNode) r.get("unchanged").get(0)).put("len",
                Backups.manifest(full).files().stream().filter(f -> f.name().equals("t_grp.idx")).findFirst()
                        .orElseThrow().lengthBytes()).put("file_id", 77));
        refused(full, List.of(inc), "listed as unchanged", "wrong parent");
    }

    // ---- deltas that lie about their pages

    /** The real delta's parts. */
    private record Parts(int fileId, long baseLen, long len, int[] pageNos, List<byte[]> images) {
    }

    private Parts realDelta() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(inc.resolve("t.heap.delta")));
        int fileId = b.getInt(16);
        int n = b.getInt(20);
        int[] pages = new int[n];
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pages[i] = b.getInt(40 + 4 * i);
            images.add(Arrays.copyOfRange(b.array(), 40 + 4 * n + 4096 * i, 40 + 4 * n + 4096 * (i + 1)));
        }
        return new Parts(fileId, b.getLong(24), b.getLong(32), pages, images);
    }

    private static byte[] page(Path file, int pageNo) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return Arrays.copyOfRange(all, pageNo * 4096, (pageNo + 1) * 4096);
    }

    private static byte[] encode(byte[] header, List<byte[]> images) {
        ByteBuffer out = ByteBuffer.allocate(header.length + 4096 * images.size());
        out.put(header);
        images.forEach(out::put);
        return out.array();
    }

    /**
     * Writes {@code evil}: the real increment with its t.heap delta replaced by {@code bytes} and a manifest (built
     * by the factory, so valid and signed) whose entry says {@code entry} with the digest of {@code bytes}.
     */
    private Path evilIncrement(byte[] bytes, int fileId, long len, long baseLen, long pages) throws IOException {
        return evilIncrement(new DeltaEntry("t.heap", fileId, len, baseLen, pages, bytes.length, Blake3.hex(bytes)),
                delta -> Files.write(delta, bytes));
    }

    private interface DeltaWriter {
        void write(Path delta) throws IOException;
    }

    private Path evilIncrement(DeltaEntry entry, DeltaWriter writer) throws IOException {
        BackupManifest real = Backups.manifest(inc);
        Path evil = tmp.resolve("evil");
        BackupFixtures.deleteTree(evil);
        Files.createDirectory(evil);
        for (String name : BackupFixtures.list(inc)) {
            if (!name.equals("t.heap.delta") && !name.equals(BackupManifest.FILE_NAME)) {
                Files.copy(inc.resolve(name), evil.resolve(name));
            }
        }
        writer.write(evil.resolve("t.heap.delta"));
        BackupManifest m = BackupManifest.incremental(real.createdUnixSecs(), real.sourceLsn(),
                real.catalogVersion(), real.pageSizeBytes(), real.parentManifestBlake3(), real.parentSourceLsn(),
                real.files(), List.of(entry), real.unchanged(), real.removed());
        Files.write(evil.resolve(BackupManifest.FILE_NAME), m.toFileBytes());
        return evil;
    }

    private Path evilDelta(int[] pageNos, List<byte[]> images) throws IOException {
        Parts p = realDelta();
        byte[] bytes = encode(DeltaFile.header(4096, p.fileId(), p.baseLen(), p.len(), pageNos), images);
        return evilIncrement(bytes, p.fileId(), p.len(), p.baseLen(), pageNos.length);
    }

    private void deltaRefused(Path evil, String... parts) throws IOException {
        refusedWhileCopying(full, List.of(evil), parts);
        reports(verify(VerifyLevel.DEEP, full, List.of(evil)), "t.heap.delta", "delta");
        assertTrue(verify(VerifyLevel.QUICK, full, List.of(evil)).intact(), "the structure is only seen by a deep "
                + "verify; quick must not invent problems");
    }

    @Test
    void theRealDeltaRebuiltByTheTestIsAccepted() throws Exception {
        Parts p = realDelta();
        Path same = evilDelta(p.pageNos(), p.images());
        assertEquals(Blake3.hex(inc.resolve("t.heap.delta")), Blake3.hex(same.resolve("t.heap.delta")));
        Backups.restore(full, List.of(same), dest, BackupProgress.NONE);
        assertTrue(Database.verify(dest).ok());
    }

    @Test
    void pageNumberOutOfRangeIsRefused() throws Exception {
        Parts p = realDelta();
        long pagesInFile = p.len() / 4096;
        for (int bad : new int[] {(int) pagesInFile, Integer.MAX_VALUE, -1}) {
            deltaRefused(evilDelta(new int[] {bad}, p.images()), "t.heap.delta", "page index 0");
        }
    }

    @Test
    void pageNumbersNotIncreasingAreRefused() throws Exception {
        Parts p = realDelta();
        byte[] one = p.images().get(0);
        int n = p.pageNos()[0];
        byte[] zero = page(full.resolve("t.heap"), 0);
        deltaRefused(evilDelta(new int[] {n, n}, List.of(one, one)), "page index 1");
        deltaRefused(evilDelta(new int[] {n, 0}, List.of(one, zero)), "page index 1");
    }

    @Test
    void pageImageOfAnotherPageIsRefused() throws Exception {
        Parts p = realDelta();
        byte[] zero = page(full.resolve("t.heap"), 0);
        deltaRefused(evilDelta(p.pageNos(), List.of(zero)), "page number mismatch");
    }

    @Test
    void pageImageOfAnotherFileIsRefused() throws Exception {
        Parts p = realDelta();
        byte[] foreign = page(full.resolve("t_id.idx"), p.pageNos()[0]);
        deltaRefused(evilDelta(p.pageNos(), List.of(foreign)), "file id mismatch");
    }

    @Test
    void pageImageWithBadChecksumIsRefused() throws Exception {
        Parts p = realDelta();
        byte[] img = p.images().get(0).clone();
        img[2000] ^= 0x10;
        deltaRefused(evilDelta(p.pageNos(), List.of(img)), "checksum");
    }

    @Test
    void deltaHeaderThatDisagreesWithTheManifestIsRefused() throws Exception {
        Parts p = realDelta();
        int[] pages = p.pageNos();
        record Bad(String what, byte[] header) {
        }
        byte[] badMagic = DeltaFile.header(4096, p.fileId(), p.baseLen(), p.len(), pages);
        badMagic[0] = 'X';
        byte[] badVersion = DeltaFile.header(4096, p.fileId(), p.baseLen(), p.len(), pages);
        ByteBuffer.wrap(badVersion).putInt(8, 2);
        for (Bad bad : List.of(new Bad("magic", badMagic), new Bad("too new", badVersion),
                new Bad("page size", DeltaFile.header(8192, p.fileId(), p.baseLen(), p.len(), pages)),
                new Bad("file id", DeltaFile.header(4096, p.fileId() + 1, p.baseLen(), p.len(), pages)),
                new Bad("base length", DeltaFile.header(4096, p.fileId(), p.baseLen() + 4096, p.len(), pages)),
                new Bad("length", DeltaFile.header(4096, p.fileId(), p.baseLen(), p.len() + 4096, pages)))) {
            byte[] bytes = encode(bad.header(), p.images());
            deltaRefused(evilIncrement(bytes, p.fileId(), p.len(), p.baseLen(), pages.length), bad.what());
        }
    }

    @Test
    void deltaForAnotherFileIdThanTheParentsIsRefusedAsAWrongParent() throws Exception {
        Parts p = realDelta();
        List<byte[]> images = p.images();
        byte[] bytes = encode(DeltaFile.header(4096, 99, p.baseLen(), p.len(), p.pageNos()), images);
        refused(full, List.of(evilIncrement(bytes, 99, p.len(), p.baseLen(), p.pageNos().length)),
                "the delta of t.heap applies to file id 99", "wrong parent");
    }

    /**
     * A delta whose page count is within the manifest's rules (the pages fit the stated length, the stored length
     * follows the formula) but too large to index in memory; a sparse file makes the sizes match. Returns the
     * increment.
     */
    private Path absurdPageCount() throws IOException {
        Parts p = realDelta();
        long pages = 1L << 29;
        long len = pages * 4096;
        long deltaLen = DeltaFile.lengthBytes(pages, 4096);
        Path evil = evilIncrement(new DeltaEntry("t.heap", p.fileId(), len, p.baseLen(), pages, deltaLen,
                Blake3.hex(new byte[0])), file -> {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        ByteBuffer h = ByteBuffer.allocate(DeltaFile.HEADER_BYTES);
                        h.put(DeltaFile.MAGIC).putInt(1).putInt(4096).putInt(p.fileId()).putInt((int) pages)
                                .putLong(p.baseLen()).putLong(len);
                        raf.write(h.array());
                        raf.setLength(deltaLen);
                    }
                });
        assertEquals(deltaLen, Files.size(evil.resolve("t.heap.delta")));
        return evil;
    }

    /** Verify reports such a delta as damage; it must not fail with an unexpected runtime exception. */
    @Test
    void absurdPageCountIsReportedByVerify() throws Exception {
        Path evil = absurdPageCount();
        BackupVerifyReport report = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Backups.verify(full,
                List.of(evil), VerifyLevel.DEEP, null, BackupProgress.NONE), "verify must report, not throw");
        reports(report, "t.heap.delta", "delta");
    }

    /** Restore refuses it as damage (a PowDbException naming the delta), and leaves nothing. */
    @Test
    void absurdPageCountIsRefusedByRestoreAsDamage() throws Exception {
        Path evil = absurdPageCount();
        RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                RuntimeException.class, () -> Backups.restore(full, List.of(evil), dest, BackupProgress.NONE)));
        assertNothingRestored(dest, "absurd page count");
        assertTrue(e instanceof PowDbException, "restore must refuse with a PowDbException (CORRUPT), not " + e);
        assertTrue(e.getMessage().contains("t.heap.delta"), e.getMessage());
    }
}
