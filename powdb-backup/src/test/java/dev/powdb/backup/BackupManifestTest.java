package dev.powdb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.powdb.backup.BackupManifest.FileEntry;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.FormatVersionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackupManifestTest {
    private static final String RESOURCE = "backups/b1/manifest.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String H_EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    private static final String H_ABC = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";

    /** The worked example of docs/formats/backup.md. */
    static BackupManifest example() {
        return BackupManifest.full(1700000000L, 42, 3, 4096, List.of(
                new FileEntry("users.heap", 8192, H_ABC, 1),
                new FileEntry("catalog.bin", 0, H_EMPTY),
                new FileEntry("control.bin", 4096, H_ABC)));
    }

    private static ObjectNode exampleJson() throws Exception {
        return (ObjectNode) MAPPER.readTree(example().toFileBytes());
    }

    private static ObjectNode firstFile(ObjectNode root) {
        return (ObjectNode) root.get("files").get(0);
    }

    private static BackupManifest parse(ObjectNode root) throws Exception {
        return BackupManifest.parse(RESOURCE, MAPPER.writeValueAsBytes(root));
    }

    /** Applies {@code change} to the example's JSON and expects parsing to fail naming {@code field}. */
    private static ManifestException rejects(String field, Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = exampleJson();
        change.accept(root);
        byte[] bytes = MAPPER.writeValueAsBytes(root);
        ManifestException e = assertThrows(ManifestException.class, () -> BackupManifest.parse(RESOURCE, bytes));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(RESOURCE, e.resource());
        assertEquals(ErrorCode.CORRUPT, e.code());
        assertTrue(e.getMessage().startsWith(RESOURCE + ": field " + field + ": "), e.getMessage());
        return e;
    }

    private static ManifestException rejectsBytes(String field, String json) {
        ManifestException e = assertThrows(ManifestException.class,
                () -> BackupManifest.parse(RESOURCE, json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(field, e.field(), e.getMessage());
        return e;
    }

    @Test
    void canonicalFormOfTheWorkedExample() {
        BackupManifest m = example();
        String unsigned = "{\"format_version\":1,\"kind\":\"full\",\"created_unix_secs\":1700000000,"
                + "\"source_lsn\":42,\"catalog_version\":3,\"page_size\":4096,\"parent_manifest_blake3\":null,"
                + "\"parent_source_lsn\":null,"
                + "\"files\":[{\"name\":\"catalog.bin\",\"len\":0,\"blake3_hex\":\"" + H_EMPTY + "\",\"file_id\":0},"
                + "{\"name\":\"control.bin\",\"len\":4096,\"blake3_hex\":\"" + H_ABC + "\",\"file_id\":0},"
                + "{\"name\":\"users.heap\",\"len\":8192,\"blake3_hex\":\"" + H_ABC + "\",\"file_id\":1}],"
                + "\"deltas\":[],\"unchanged\":[],\"removed\":[],"
                + "\"manifest_blake3\":\"\"}";
        assertEquals(unsigned, new String(m.canonicalBytes(false), StandardCharsets.UTF_8));
        assertEquals(Blake3.hex(unsigned.getBytes(StandardCharsets.UTF_8)), m.manifestBlake3());
        // Pinned (b3sum over the unsigned string above agrees) so docs/formats/backup.md and other implementations
        // can be checked against it.
        assertEquals("accf06da0c43062ae5665eb4d5695b67a80fbc5ea8e1fadf688b879bbd16dada", m.manifestBlake3());
        String stored = unsigned.replace("\"manifest_blake3\":\"\"",
                "\"manifest_blake3\":\"" + m.manifestBlake3() + "\"") + "\n";
        assertEquals(stored, new String(m.toFileBytes(), StandardCharsets.UTF_8));
        assertEquals(stored.strip(), m.toString());
    }

    @Test
    void roundTripAndAccessors() {
        BackupManifest m = example();
        BackupManifest parsed = BackupManifest.parse(RESOURCE, m.toFileBytes());
        assertEquals(m, parsed);
        assertEquals(m.hashCode(), parsed.hashCode());
        assertEquals(1, parsed.formatVersion());
        assertEquals(BackupManifest.Kind.FULL, parsed.kind());
        assertEquals(1700000000L, parsed.createdUnixSecs());
        assertEquals(42, parsed.sourceLsn());
        assertEquals(3, parsed.catalogVersion());
        assertEquals(4096, parsed.pageSizeBytes());
        assertNull(parsed.parentManifestBlake3());
        assertEquals(List.of("catalog.bin", "control.bin", "users.heap"),
                parsed.files().stream().map(FileEntry::name).toList());
        assertThrows(UnsupportedOperationException.class, () -> parsed.files().clear());
        assertNotEquals(m, BackupManifest.full(1700000000L, 43, 3, 4096, m.files()));
    }

    @Test
    void emptyFileListIsValid() {
        BackupManifest m = BackupManifest.full(0, 0, 0, 512, List.of());
        assertEquals(m, BackupManifest.parse(RESOURCE, m.toFileBytes()));
    }

    @Test
    void acceptsAnyJsonLayout() throws Exception {
        ObjectNode root = exampleJson();
        // Reverse the key order and pretty-print: the self-hash is over the canonical form, so it still matches.
        ObjectNode reordered = MAPPER.createObjectNode();
        List<String> keys = new java.util.ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        java.util.Collections.reverse(keys);
        for (String k : keys) {
            reordered.set(k, root.get(k));
        }
        byte[] pretty = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(reordered);
        assertEquals(example(), BackupManifest.parse(RESOURCE, pretty));
    }

    @Test
    void readNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(BackupManifest.FILE_NAME);
        Files.write(file, example().toFileBytes());
        assertEquals(example(), BackupManifest.read(file));
        Files.writeString(file, "{");
        ManifestException e = assertThrows(ManifestException.class, () -> BackupManifest.read(file));
        assertEquals(file.toString(), e.resource());
    }

    // ---- format version

    @Test
    void versionTooOld() throws Exception {
        ObjectNode root = exampleJson();
        root.put("format_version", 0);
        FormatVersionException e = assertThrows(FormatVersionException.class, () -> parse(root));
        assertEquals(ErrorCode.FORMAT_TOO_OLD, e.code());
        assertTrue(e.getMessage().contains(RESOURCE) && e.getMessage().contains("too old"), e.getMessage());
    }

    @Test
    void versionTooNewIsReportedBeforeUnknownFields() throws Exception {
        ObjectNode root = exampleJson();
        root.put("format_version", 3);
        root.put("wal_range", "future field");
        FormatVersionException e = assertThrows(FormatVersionException.class, () -> parse(root));
        assertEquals(ErrorCode.FORMAT_TOO_NEW, e.code());
        assertTrue(e.getMessage().contains(RESOURCE) && e.getMessage().contains("too new"), e.getMessage());
        root.put("format_version", 99999999999L);
        assertEquals(ErrorCode.FORMAT_TOO_NEW, assertThrows(FormatVersionException.class, () -> parse(root)).code());
    }

    @Test
    void versionNotAnInteger() throws Exception {
        rejects("format_version", r -> r.put("format_version", "1"));
        rejects("format_version", r -> r.put("format_version", 1.5));
        rejects("format_version", r -> r.remove("format_version"));
    }

    // ---- document structure

    @Test
    void notJson() {
        assertTrue(rejectsBytes("(document)", "{\"format_version\":").getMessage().contains("not valid JSON"));
        rejectsBytes("(document)", "");
        rejectsBytes("(document)", "[1,2]");
        rejectsBytes("(document)", "\"text\"");
    }

    @Test
    void trailingContentAndDuplicateKeys() throws Exception {
        String valid = new String(example().toFileBytes(), StandardCharsets.UTF_8);
        rejectsBytes("(document)", valid + "{}");
        rejectsBytes("(document)", valid.replace("{\"format_version\":1,", "{\"format_version\":1,\"source_lsn\":1,"));
    }

    @Test
    void unknownFields() throws Exception {
        rejects("extra", r -> r.put("extra", 1));
        rejects("files[0].mode", r -> firstFile(r).put("mode", 420));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kind", "created_unix_secs", "source_lsn", "catalog_version", "page_size",
            "parent_manifest_blake3", "files", "manifest_blake3"})
    void missingTopLevelField(String field) throws Exception {
        assertTrue(rejects(field, r -> r.remove(field)).getMessage().endsWith("missing"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"name", "len", "blake3_hex"})
    void missingFileField(String field) throws Exception {
        rejects("files[0]." + field, r -> firstFile(r).remove(field));
    }

    // ---- scalar fields

    @Test
    void kind() throws Exception {
        assertTrue(rejects("kind", r -> r.put("kind", "differential")).getMessage().contains("unknown kind"));
        // An incremental kind without a parent is refused on the parent field.
        rejects("parent_manifest_blake3", r -> r.put("kind", "incremental"));
        rejects("kind", r -> r.put("kind", 1));
        rejects("kind", r -> r.putNull("kind"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"created_unix_secs", "source_lsn", "catalog_version", "page_size"})
    void integersMustBeNonNegativeIntegers(String field) throws Exception {
        rejects(field, r -> r.put(field, -1));
        rejects(field, r -> r.put(field, 4096.0));
        rejects(field, r -> r.put(field, "4096"));
        rejects(field, r -> r.putNull(field));
        rejects(field, r -> r.put(field, new java.math.BigInteger("18446744073709551616")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 256, 1000, 4097, 131072})
    void pageSizeMustBeAPowerOfTwoInRange(int pageSize) throws Exception {
        assertTrue(rejects("page_size", r -> r.put("page_size", pageSize)).getMessage().contains("power of two"));
    }

    @Test
    void parentMustBeNullForFull() throws Exception {
        rejects("parent_manifest_blake3", r -> r.put("parent_manifest_blake3", H_ABC));
        rejects("parent_manifest_blake3", r -> r.put("parent_manifest_blake3", 7));
    }

    // ---- files

    @Test
    void filesMustBeAnArrayOfObjects() throws Exception {
        rejects("files", r -> r.put("files", "none"));
        rejects("files[1]", r -> ((ArrayNode) r.get("files")).set(1, MAPPER.getNodeFactory().textNode("x")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/etc/passwd", "/abs.heap", "\\abs.heap", "C:t.heap", "a/b.heap", "a\\b.heap",
            "wal", ".", "..", "", "wal/0000000000000001.wal", "LOCK", ".t.heap.tmp", "t.heap.tmp", "notes.txt",
            "1x.heap", "manifest.json"})
    void namesMustBePlainDurableNames(String name) throws Exception {
        rejects("files[0].name", r -> firstFile(r).put("name", name));
        assertFalse(BackupManifest.isPlainDurableName(name));
        ManifestException built = assertThrows(ManifestException.class,
                () -> BackupManifest.full(0, 0, 0, 4096, List.of(new FileEntry(name, 0, H_EMPTY))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, built.code());
        assertEquals("files[0].name", built.field());
    }

    @Test
    void plainDurableNamesAreAccepted() {
        for (String name : List.of("control.bin", "catalog.bin", "t.heap", "t_c.idx", "a_b_c_7.idx")) {
            assertTrue(BackupManifest.isPlainDurableName(name), name);
        }
    }

    @Test
    void nameMustBeAString() throws Exception {
        rejects("files[0].name", r -> firstFile(r).put("name", 5));
    }

    @Test
    void namesMustBeSortedWithoutDuplicates() throws Exception {
        ManifestException dup = rejects("files[1].name", r -> firstFile(r).put("name", "control.bin"));
        assertTrue(dup.getMessage().contains("duplicate"), dup.getMessage());
        ManifestException unsorted = rejects("files[1].name", r -> {
            ArrayNode files = (ArrayNode) r.get("files");
            files.insert(0, files.remove(1));
        });
        assertTrue(unsorted.getMessage().contains("not sorted"), unsorted.getMessage());
        ManifestException built = assertThrows(ManifestException.class, () -> BackupManifest.full(0, 0, 0, 4096,
                List.of(new FileEntry("t.heap", 4096, H_ABC, 1), new FileEntry("t.heap", 4096, H_ABC, 1))));
        assertEquals("files[1].name", built.field());
    }

    @Test
    void fileLength() throws Exception {
        rejects("files[0].len", r -> firstFile(r).put("len", -1));
        rejects("files[0].len", r -> firstFile(r).put("len", "0"));
        assertEquals("files[0].len", assertThrows(ManifestException.class, () -> BackupManifest.full(0, 0, 0, 4096,
                List.of(new FileEntry("t.heap", -5, H_ABC, 1)))).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "AF1349B9F5F9A1A6A0404DEA36DCC9499BCB25C9ADC112B7CC9A93CAE41F3262",
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f32620",
            "zf1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"})
    void hexDigests(String bad) throws Exception {
        assertTrue(rejects("files[0].blake3_hex", r -> firstFile(r).put("blake3_hex", bad)).getMessage()
                .contains("64 lower-case hex"));
        rejects("manifest_blake3", r -> r.put("manifest_blake3", bad));
    }

    @Test
    void hexDigestsMustBeStrings() throws Exception {
        rejects("files[0].blake3_hex", r -> firstFile(r).put("blake3_hex", 1));
        rejects("manifest_blake3", r -> r.putNull("manifest_blake3"));
    }

    // ---- self-hash

    @Test
    void selfHashDetectsAnyChange() throws Exception {
        ManifestException e = rejects("manifest_blake3", r -> r.put("source_lsn", 43));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        rejects("manifest_blake3", r -> firstFile(r).put("len", 1));
        rejects("manifest_blake3", r -> r.put("manifest_blake3", H_EMPTY));
    }

    // ---- building

    @Test
    void buildingChecksValues() {
        List<FileEntry> none = List.of();
        assertEquals("source_lsn", assertThrows(ManifestException.class,
                () -> BackupManifest.full(0, -1, 0, 4096, none)).field());
        assertEquals("created_unix_secs", assertThrows(ManifestException.class,
                () -> BackupManifest.full(-1, 0, 0, 4096, none)).field());
        assertEquals("catalog_version", assertThrows(ManifestException.class,
                () -> BackupManifest.full(0, 0, -1, 4096, none)).field());
        assertEquals("page_size", assertThrows(ManifestException.class,
                () -> BackupManifest.full(0, 0, 0, 4095, none)).field());
        assertEquals("files[0].blake3_hex", assertThrows(ManifestException.class,
                () -> BackupManifest.full(0, 0, 0, 4096, List.of(new FileEntry("t.heap", 0, "x", 1)))).field());
        assertThrows(NullPointerException.class, () -> new FileEntry(null, 0, H_ABC));
    }
}
