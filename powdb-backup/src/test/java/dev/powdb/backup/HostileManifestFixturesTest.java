package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.assertNothingRestored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.powdb.backup.BackupManifest.DeltaEntry;
import dev.powdb.backup.BackupManifest.FileEntry;
import dev.powdb.backup.BackupManifest.UnchangedEntry;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.FormatVersionException;
import dev.powdb.storage.PowDbException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile manifests as named fixtures: {@code src/test/resources/testdata/<case>/manifest.json}, each with a valid
 * self-hash, and {@code expect.properties} saying how it must be refused ({@code error}, {@code field} or
 * {@code code}, and a {@code message} fragment). Parsing must refuse it that way, and a restore of the directory
 * must refuse it without writing anything.
 *
 * <p>Regenerate with {@code -Dpowdb.backup.writeFixtures=<path of src/test/resources/testdata>}.
 */
class HostileManifestFixturesTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    private static final String H = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";
    private static final String P = "accf06da0c43062ae5665eb4d5695b67a80fbc5ea8e1fadf688b879bbd16dada";

    static Path testdata() throws URISyntaxException {
        return Path.of(HostileManifestFixturesTest.class.getResource("/testdata").toURI());
    }

    static Stream<String> cases() throws Exception {
        try (Stream<Path> s = Files.list(testdata())) {
            return s.filter(p -> Files.isRegularFile(p.resolve("expect.properties")))
                    .map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void thereAreFixtures() throws Exception {
        assertTrue(cases().count() >= 12, "fixtures under testdata/");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fixtureIsRefusedAsExpected(String name) throws Exception {
        Path dir = testdata().resolve(name);
        Properties expect = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("expect.properties"), StandardCharsets.UTF_8)) {
            expect.load(r);
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(BackupManifest.FILE_NAME));
        // The self-hash is right, so the rule is what refuses it.
        ObjectNode json = (ObjectNode) BackupFixtures.MAPPER.readTree(bytes);
        assertArrayEquals(bytes, BackupFixtures.sign(json.deepCopy()), name + ": fixture's self-hash is stale");
        PowDbException e = assertThrows(PowDbException.class, () -> BackupManifest.parse(name, bytes), name);
        assertEquals(expect.getProperty("error"), e.getClass().getSimpleName(), name + ": " + e);
        if (e instanceof ManifestException m) {
            assertEquals(expect.getProperty("field"), m.field(), name + ": " + e.getMessage());
            assertEquals(ErrorCode.CORRUPT, m.code());
        } else {
            assertEquals(ErrorCode.valueOf(expect.getProperty("code")), e.code(), name);
        }
        assertTrue(e.getMessage().contains(expect.getProperty("message")), name + ": expected '"
                + expect.getProperty("message") + "' in " + e.getMessage());
        assertFalse(e.getMessage().contains("does not match the manifest's contents"), e.getMessage());
        // As a backup directory: restore refuses before writing, verify reports the manifest.
        Path backup = tmp.resolve(name);
        Files.createDirectory(backup);
        Files.write(backup.resolve(BackupManifest.FILE_NAME), bytes);
        Path dest = tmp.resolve(name + "-dest");
        Map<String, String> before = BackupFixtures.tree(tmp);
        PowDbException r = assertThrows(PowDbException.class, () -> Backups.restore(backup, List.of(), dest,
                BackupProgress.NONE));
        assertEquals(e.getClass(), r.getClass(), r.toString());
        assertNothingRestored(dest, name);
        assertEquals(before, BackupFixtures.tree(tmp));
        BackupVerifyReport v = Backups.verify(backup, List.of(), VerifyLevel.DEEP, null, BackupProgress.NONE);
        assertTrue(v.problems().stream().anyMatch(p -> p.file().equals(BackupManifest.FILE_NAME)
                && p.check().equals("manifest")), v.problems().toString());
    }

    // ---- the generator

    private static BackupManifest full() {
        return BackupManifest.full(1700000000L, 500, 7, 4096, List.of(new FileEntry("catalog.bin", 230, H, 0),
                new FileEntry("control.bin", 1024, H, 0), new FileEntry("t.heap", 16384, H, 1),
                new FileEntry("t_id.idx", 12288, H, 2)));
    }

    private static BackupManifest incremental() {
        return BackupManifest.incremental(1700000100L, 900, 8, 4096, P, 500,
                List.of(new FileEntry("catalog.bin", 230, H, 0), new FileEntry("control.bin", 1024, H, 0)),
                List.of(new DeltaEntry("t.heap", 1, 20480, 16384, 2, DeltaFile.lengthBytes(2, 4096), H)),
                List.of(new UnchangedEntry("t_id.idx", 2, 12288)), List.of("old.heap"));
    }

    private record Case(String name, BackupManifest base, Consumer<ObjectNode> edit, String error, String fieldOrCode,
                        String message) {
    }

    private static ObjectNode at(ObjectNode root, String list, int i) {
        return (ObjectNode) root.get(list).get(i);
    }

    private static List<Case> definitions() {
        return List.of(
                new Case("traversal-dotdot", full(), r -> at(r, "files", 2).put("name", "../x.heap"),
                        "ManifestException", "files[2].name", "path separator"),
                new Case("absolute-path", full(), r -> at(r, "files", 2).put("name", "/etc/passwd"),
                        "ManifestException", "files[2].name", "absolute path"),
                new Case("wal-segment-name", full(), r -> at(r, "files", 2).put("name", "wal/0000000000000001.wal"),
                        "ManifestException", "files[2].name", "path separator"),
                new Case("wal-directory-name", full(), r -> at(r, "files", 3).put("name", "wal"),
                        "ManifestException", "files[3].name", "WAL directory"),
                new Case("dot-name", full(), r -> at(r, "files", 0).put("name", "."),
                        "ManifestException", "files[0].name", "directory reference"),
                new Case("empty-name", full(), r -> at(r, "files", 0).put("name", ""),
                        "ManifestException", "files[0].name", "empty file name"),
                new Case("lock-file-name", full(), r -> at(r, "files", 2).put("name", "LOCK"),
                        "ManifestException", "files[2].name", "not a durable file name"),
                new Case("duplicate-name", full(), r -> at(r, "files", 3).put("name", "t.heap"),
                        "ManifestException", "files[3].name", "duplicate name 't.heap' (also files[2])"),
                new Case("heap-without-file-id", full(), r -> at(r, "files", 2).put("file_id", 0),
                        "ManifestException", "files[2].file_id", "needs its file id"),
                new Case("version-too-new", full(), r -> {
                    r.put("format_version", BackupManifest.MAX_READ_VERSION + 1);
                    r.put("wal_range", "from a later version");
                }, "FormatVersionException", "FORMAT_TOO_NEW", "too new"),
                new Case("version-too-old", full(), r -> r.put("format_version", 0),
                        "FormatVersionException", "FORMAT_TOO_OLD", "too old"),
                new Case("delta-of-catalog", incremental(), r -> {
                    ((ArrayNode) r.get("files")).remove(0);
                    at(r, "deltas", 0).put("name", "catalog.bin").put("file_id", 0);
                }, "ManifestException", "deltas[0].name", "not a heap or index file"),
                new Case("delta-pages-do-not-fit", incremental(), r -> at(r, "deltas", 0).put("pages", 6)
                        .put("delta_len", DeltaFile.lengthBytes(6, 4096)),
                        "ManifestException", "deltas[0].pages", "do not fit"),
                new Case("removed-traversal", incremental(), r -> ((ArrayNode) r.get("removed")).set(0,
                        BackupFixtures.MAPPER.getNodeFactory().textNode("../sentinel.heap")),
                        "ManifestException", "removed[0]", "path separator"),
                new Case("parent-lsn-after-source", incremental(), r -> r.put("parent_source_lsn", 901),
                        "ManifestException", "parent_source_lsn", "is after this backup's source LSN"),
                new Case("incremental-without-parent", incremental(), r -> r.putNull("parent_manifest_blake3"),
                        "ManifestException", "parent_manifest_blake3", "needs its parent's manifest hash"));
    }

    @Test
    @EnabledIfSystemProperty(named = "powdb.backup.writeFixtures", matches = ".+")
    void writeFixtures() throws IOException {
        Path root = Path.of(System.getProperty("powdb.backup.writeFixtures"));
        for (Case c : definitions()) {
            Path dir = Files.createDirectories(root.resolve(c.name()));
            ObjectNode json = BackupFixtures.json(c.base());
            c.edit().accept(json);
            Files.write(dir.resolve(BackupManifest.FILE_NAME), BackupFixtures.sign(json));
            String key = c.error().equals("ManifestException") ? "field" : "code";
            Files.writeString(dir.resolve("expect.properties"), "# " + c.name() + ": how the manifest must be "
                    + "refused\nerror=" + c.error() + "\n" + key + "=" + c.fieldOrCode() + "\nmessage=" + c.message()
                    + "\n", StandardCharsets.UTF_8);
        }
    }

    /** The fixtures on disk are exactly what the generator writes (so they can be regenerated, not hand-edited). */
    @Test
    void fixturesMatchTheirDefinitions() throws Exception {
        for (Case c : definitions()) {
            Path dir = testdata().resolve(c.name());
            ObjectNode json = BackupFixtures.json(c.base());
            c.edit().accept(json);
            assertArrayEquals(BackupFixtures.sign(json), Files.readAllBytes(dir.resolve(BackupManifest.FILE_NAME)),
                    c.name());
        }
        assertEquals(definitions().size(), cases().count());
    }
}
