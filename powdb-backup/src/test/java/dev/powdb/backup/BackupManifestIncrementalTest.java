package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.MAPPER;
import static dev.powdb.backup.BackupFixtures.sign;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.powdb.backup.BackupManifest.DeltaEntry;
import dev.powdb.backup.BackupManifest.FileEntry;
import dev.powdb.backup.BackupManifest.UnchangedEntry;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.FormatVersionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every validation branch of the incremental fields of {@code manifest.json}: parent hash and LSN, deltas, unchanged,
 * removed, file ids and format versions. Edited manifests are re-signed (valid self-hash), so each rejection comes
 * from the rule under test and names its field, never from the hash.
 */
class BackupManifestIncrementalTest {
    private static final String RESOURCE = "backups/i1/manifest.json";
    private static final String H_EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    private static final String H_ABC = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";
    private static final String PARENT = "accf06da0c43062ae5665eb4d5695b67a80fbc5ea8e1fadf688b879bbd16dada";
    private static final int PS = 4096;

    /**
     * files: catalog.bin, control.bin, orders.heap(3); deltas: users.heap(1) 2->3 pages with 2 pages,
     * users_name.idx(4) 1 page; unchanged: users_id.idx(2), zeta.heap(5); removed: old.heap, old_k.idx.
     */
    static BackupManifest example() {
        return BackupManifest.incremental(1700000100L, 90, 4, PS, PARENT, 42,
                List.of(new FileEntry("orders.heap", 8192, H_ABC, 3), new FileEntry("catalog.bin", 120, H_ABC, 0),
                        new FileEntry("control.bin", 1024, H_EMPTY, 0)),
                List.of(new DeltaEntry("users_name.idx", 4, 8192, 8192, 1, DeltaFile.lengthBytes(1, PS), H_ABC),
                        new DeltaEntry("users.heap", 1, 12288, 8192, 2, DeltaFile.lengthBytes(2, PS), H_EMPTY)),
                List.of(new UnchangedEntry("zeta.heap", 5, 4096), new UnchangedEntry("users_id.idx", 2, 8192)),
                List.of("old_k.idx", "old.heap"));
    }

    private static ObjectNode exampleJson() throws Exception {
        return BackupFixtures.json(example());
    }

    private static ObjectNode at(ObjectNode root, String list, int i) {
        return (ObjectNode) root.get(list).get(i);
    }

    private static BackupManifest parseSigned(ObjectNode root) throws Exception {
        return BackupManifest.parse(RESOURCE, sign(root));
    }

    /** Edits the example, re-signs it and expects parsing to fail naming exactly {@code field}. */
    private static ManifestException rejects(String field, Consumer<ObjectNode> change) throws Exception {
        ObjectNode root = exampleJson();
        change.accept(root);
        byte[] signed = sign(root);
        ManifestException e = assertThrows(ManifestException.class, () -> BackupManifest.parse(RESOURCE, signed),
                "accepted: " + BackupFixtures.utf8(signed));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(RESOURCE, e.resource());
        assertEquals(ErrorCode.CORRUPT, e.code());
        assertTrue(e.getMessage().startsWith(RESOURCE + ": field " + field + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("does not match the manifest's contents"),
                "rejected by the self-hash instead of the rule: " + e.getMessage());
        return e;
    }

    private static void rejects(String field, String messagePart, Consumer<ObjectNode> change) throws Exception {
        ManifestException e = rejects(field, change);
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
    }

    /** Building from values breaks a rule: INVALID_ARGUMENT naming {@code field}. */
    private static void refusesToBuild(String field, String messagePart, Supplier<BackupManifest> build) {
        ManifestException e = assertThrows(ManifestException.class, build::get);
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
    }

    private static BackupManifest inc(long sourceLsn, String parent, long parentLsn, List<FileEntry> files,
                                      List<DeltaEntry> deltas, List<UnchangedEntry> unchanged, List<String> removed) {
        return BackupManifest.incremental(0, sourceLsn, 1, PS, parent, parentLsn, files, deltas, unchanged, removed);
    }

    private static List<FileEntry> core() {
        return List.of(new FileEntry("catalog.bin", 1, H_ABC, 0), new FileEntry("control.bin", 1, H_ABC, 0));
    }

    // ---- the valid example

    @Test
    void exampleRoundTripsSortedWithAccessors() throws Exception {
        BackupManifest m = example();
        BackupManifest parsed = BackupManifest.parse(RESOURCE, m.toFileBytes());
        assertEquals(m, parsed);
        assertEquals(BackupManifest.Kind.INCREMENTAL, parsed.kind());
        assertEquals(PARENT, parsed.parentManifestBlake3());
        assertEquals(42L, parsed.parentSourceLsn());
        assertEquals(List.of("catalog.bin", "control.bin", "orders.heap"),
                parsed.files().stream().map(FileEntry::name).toList());
        assertEquals(List.of("users.heap", "users_name.idx"), parsed.deltas().stream().map(DeltaEntry::name).toList());
        assertEquals(List.of("users_id.idx", "zeta.heap"),
                parsed.unchanged().stream().map(UnchangedEntry::name).toList());
        assertEquals(List.of("old.heap", "old_k.idx"), parsed.removed());
        assertEquals(120 + 1024 + 8192 + DeltaFile.lengthBytes(2, PS) + DeltaFile.lengthBytes(1, PS),
                parsed.storedBytes());
        assertThrows(UnsupportedOperationException.class, () -> parsed.removed().add("x.heap"));
        assertThrows(UnsupportedOperationException.class, () -> parsed.deltas().clear());
    }

    @Test
    void canonicalFormKeysAndOrder() {
        String s = BackupFixtures.utf8(example().canonicalBytes(false));
        assertTrue(s.startsWith("{\"format_version\":1,\"kind\":\"incremental\",\"created_unix_secs\":1700000100,"
                + "\"source_lsn\":90,\"catalog_version\":4,\"page_size\":4096,\"parent_manifest_blake3\":\"" + PARENT
                + "\",\"parent_source_lsn\":42,\"files\":["), s);
        assertTrue(s.contains("\"deltas\":[{\"name\":\"users.heap\",\"file_id\":1,\"len\":12288,\"base_len\":8192,"
                + "\"pages\":2,\"delta_len\":" + DeltaFile.lengthBytes(2, PS) + ",\"blake3_hex\":\"" + H_EMPTY + "\"}"), s);
        assertTrue(s.contains("\"unchanged\":[{\"name\":\"users_id.idx\",\"file_id\":2,\"len\":8192},"), s);
        assertTrue(s.endsWith("\"removed\":[\"old.heap\",\"old_k.idx\"],\"manifest_blake3\":\"\"}"), s);
        assertEquals(Blake3.hex(example().canonicalBytes(false)), example().manifestBlake3());
    }

    /** The test's re-signing reproduces the real self-hash, so edits below are rejected on their merits. */
    @Test
    void resigningAnUneditedManifestIsByteIdentical() throws Exception {
        assertArrayEquals(example().toFileBytes(), sign(exampleJson()));
        assertArrayEquals(BackupManifestTest.example().toFileBytes(), sign(BackupFixtures.json(
                BackupManifestTest.example())));
    }

    @Test
    void unsignedEditIsStillCaughtByTheSelfHash() throws Exception {
        ObjectNode root = exampleJson();
        at(root, "deltas", 0).put("blake3_hex", H_ABC);
        ManifestException e = assertThrows(ManifestException.class,
                () -> BackupManifest.parse(RESOURCE, MAPPER.writeValueAsBytes(root)));
        assertEquals("manifest_blake3", e.field());
    }

    // ---- kind and parent

    @Test
    void kindMustBeKnown() throws Exception {
        rejects("kind", "unknown kind", r -> r.put("kind", "Incremental"));
        rejects("kind", "unknown kind", r -> r.put("kind", "differential"));
        rejects("kind", "must be a string", r -> r.put("kind", 2));
    }

    @Test
    void incrementalNeedsAParentHash() throws Exception {
        rejects("parent_manifest_blake3", "needs its parent's manifest hash", r -> r.putNull("parent_manifest_blake3"));
        rejects("parent_manifest_blake3", "64 lower-case hex", r -> r.put("parent_manifest_blake3", "abc"));
        rejects("parent_manifest_blake3", "64 lower-case hex", r -> r.put("parent_manifest_blake3",
                PARENT.toUpperCase(java.util.Locale.ROOT)));
        rejects("parent_manifest_blake3", "64 lower-case hex", r -> r.put("parent_manifest_blake3", PARENT + "0"));
        rejects("parent_manifest_blake3", "64 lower-case hex", r -> r.put("parent_manifest_blake3", ""));
        rejects("parent_manifest_blake3", "must be a string or null", r -> r.put("parent_manifest_blake3", 5));
        rejects("parent_manifest_blake3", "missing", r -> r.remove("parent_manifest_blake3"));
    }

    @Test
    void incrementalNeedsAParentLsnNotAfterItsOwn() throws Exception {
        rejects("parent_source_lsn", "needs its parent's source LSN", r -> r.putNull("parent_source_lsn"));
        rejects("parent_source_lsn", "integer", r -> r.put("parent_source_lsn", -1));
        rejects("parent_source_lsn", "integer", r -> r.put("parent_source_lsn", "42"));
        rejects("parent_source_lsn", "integer", r -> r.put("parent_source_lsn", 4.5));
        rejects("parent_source_lsn", "missing", r -> r.remove("parent_source_lsn"));
        ManifestException after = rejects("parent_source_lsn", r -> r.put("parent_source_lsn", 91));
        assertTrue(after.getMessage().contains("91") && after.getMessage().contains("90"), after.getMessage());
        // Equal (an increment with no change) and zero are fine.
        ObjectNode equal = exampleJson();
        equal.put("parent_source_lsn", 90);
        assertEquals(90L, parseSigned(equal).parentSourceLsn());
        ObjectNode zero = exampleJson();
        zero.put("parent_source_lsn", 0);
        assertEquals(0L, parseSigned(zero).parentSourceLsn());
    }

    @Test
    void fullBackupHasNoParentAndNoIncrementalLists() throws Exception {
        // A full manifest edited from the incremental example fails on the first incremental-only value.
        rejects("parent_manifest_blake3", "must be null for a full backup", r -> r.put("kind", "full"));
        ObjectNode full = BackupFixtures.json(BackupManifestTest.example());
        full.put("parent_source_lsn", 5);
        ManifestException e = assertThrows(ManifestException.class, () -> parseSigned(full));
        assertEquals("parent_source_lsn", e.field());
        assertTrue(e.getMessage().contains("must be null for a full backup"), e.getMessage());
        for (String list : List.of("deltas", "unchanged", "removed")) {
            ObjectNode f = BackupFixtures.json(BackupManifestTest.example());
            ObjectNode inc = exampleJson();
            f.set(list, inc.get(list));
            ManifestException le = assertThrows(ManifestException.class, () -> parseSigned(f), list);
            assertEquals(list, le.field(), le.getMessage());
            assertTrue(le.getMessage().contains("must be empty for a full backup"), le.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"parent_source_lsn", "deltas", "unchanged", "removed"})
    void incrementalKeysAreRequiredInEveryManifest(String key) throws Exception {
        rejects(key, "missing", r -> r.remove(key));
        ObjectNode full = BackupFixtures.json(BackupManifestTest.example());
        full.remove(key);
        assertEquals(key, assertThrows(ManifestException.class, () -> parseSigned(full)).field());
    }

    @Test
    void buildingChecksTheParent() {
        refusesToBuild("parent_manifest_blake3", "64 lower-case hex",
                () -> inc(10, "xyz", 5, core(), List.of(), List.of(), List.of()));
        refusesToBuild("parent_source_lsn", "is after", () -> inc(10, PARENT, 11, core(), List.of(), List.of(),
                List.of()));
        refusesToBuild("parent_source_lsn", "must not be negative", () -> inc(10, PARENT, -1, core(), List.of(),
                List.of(), List.of()));
        assertThrows(NullPointerException.class, () -> inc(10, null, 5, core(), List.of(), List.of(), List.of()));
        assertEquals(10L, inc(10, PARENT, 10, core(), List.of(), List.of(), List.of()).parentSourceLsn());
    }

    // ---- deltas

    @Test
    void deltasMustBeAnArrayOfObjectsWithExactlyTheirKeys() throws Exception {
        rejects("deltas", "must be an array", r -> r.put("deltas", "none"));
        rejects("deltas", "must be an array", r -> r.putNull("deltas"));
        rejects("deltas[1]", "must be an object", r -> ((ArrayNode) r.get("deltas")).set(1,
                MAPPER.getNodeFactory().numberNode(1)));
        rejects("deltas[0].extra", "unknown field", r -> at(r, "deltas", 0).put("extra", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"name", "file_id", "len", "base_len", "pages", "delta_len", "blake3_hex"})
    void deltaKeysAreRequired(String key) throws Exception {
        rejects("deltas[0]." + key, "missing", r -> at(r, "deltas", 0).remove(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file_id", "len", "base_len", "pages", "delta_len"})
    void deltaIntegersMustBeNonNegativeIntegers(String key) throws Exception {
        rejects("deltas[0]." + key, "integer", r -> at(r, "deltas", 0).put(key, -1));
        rejects("deltas[0]." + key, "integer", r -> at(r, "deltas", 0).put(key, "1"));
        rejects("deltas[0]." + key, "integer", r -> at(r, "deltas", 0).put(key, 1.25));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/abs.heap", "a/b.heap", "wal", "wal/0000000000000001.wal", ".", "", "LOCK",
            "users.heap.delta", "manifest.json", ".users.heap.tmp"})
    void deltaNamesMustBePlainDurableNames(String name) throws Exception {
        rejects("deltas[0].name", r -> at(r, "deltas", 0).put("name", name));
        refusesToBuild("deltas[0].name", "", () -> inc(10, PARENT, 5, core(),
                List.of(new DeltaEntry(name, 1, PS, PS, 1, DeltaFile.lengthBytes(1, PS), H_ABC)), List.of(),
                List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"catalog.bin", "control.bin"})
    void onlyHeapAndIndexFilesCanBeDeltas(String name) throws Exception {
        rejects("deltas[0].name", "not a heap or index file", r -> {
            dropFile(r, name); // else it is refused as a duplicate of the whole file first
            at(r, "deltas", 0).put("name", name);
        });
    }

    private static void dropFile(ObjectNode root, String name) {
        ArrayNode files = (ArrayNode) root.get("files");
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).get("name").textValue().equals(name)) {
                files.remove(i);
                return;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void deltaFileIdMustBePositive() throws Exception {
        rejects("deltas[0].file_id", "needs its file id", r -> at(r, "deltas", 0).put("file_id", 0));
        rejects("deltas[0].file_id", "at most 2^31-1", r -> at(r, "deltas", 0).put("file_id", 1L << 31));
        refusesToBuild("deltas[0].file_id", "needs its file id", () -> inc(10, PARENT, 5, core(),
                List.of(new DeltaEntry("t.heap", 0, PS, PS, 1, DeltaFile.lengthBytes(1, PS), H_ABC)), List.of(),
                List.of()));
        refusesToBuild("deltas[0].file_id", "must not be negative", () -> inc(10, PARENT, 5, core(),
                List.of(new DeltaEntry("t.heap", -3, PS, PS, 1, DeltaFile.lengthBytes(1, PS), H_ABC)), List.of(),
                List.of()));
    }

    @Test
    void deltaLengthsAreWholePages() throws Exception {
        rejects("deltas[0].len", "whole number of 4096-byte pages", r -> at(r, "deltas", 0).put("len", 12287));
        rejects("deltas[0].base_len", "whole number of 4096-byte pages",
                r -> at(r, "deltas", 0).put("base_len", 100));
        // A delta may shrink the file to nothing, or grow it from nothing.
        ObjectNode shrink = exampleJson();
        at(shrink, "deltas", 0).put("len", 8192).put("base_len", 0);
        assertEquals(8192, parseSigned(shrink).deltas().get(0).lengthBytes());
        ObjectNode empty = exampleJson();
        at(empty, "deltas", 1).put("len", 0).put("pages", 0).put("delta_len", DeltaFile.lengthBytes(0, PS));
        assertEquals(0, parseSigned(empty).deltas().get(1).pageCount());
    }

    @Test
    void deltaPagesMustFitTheFile() throws Exception {
        // users.heap is 3 pages after the delta: 3 pages fit, 4 do not.
        ObjectNode three = exampleJson();
        at(three, "deltas", 0).put("pages", 3).put("delta_len", DeltaFile.lengthBytes(3, PS));
        assertEquals(3, parseSigned(three).deltas().get(0).pageCount());
        rejects("deltas[0].pages", "do not fit", r -> at(r, "deltas", 0).put("pages", 4)
                .put("delta_len", DeltaFile.lengthBytes(4, PS)));
        rejects("deltas[1].pages", "do not fit", r -> at(r, "deltas", 1).put("len", 0));
    }

    @Test
    void deltaLengthFollowsFromThePageCount() throws Exception {
        assertEquals(40 + 4 * 2 + 2 * 4096, DeltaFile.lengthBytes(2, PS));
        ManifestException e = rejects("deltas[0].delta_len", r -> at(r, "deltas", 0)
                .put("delta_len", DeltaFile.lengthBytes(2, PS) + 1));
        assertTrue(e.getMessage().contains("must be " + DeltaFile.lengthBytes(2, PS) + " for 2 pages"), e.getMessage());
        rejects("deltas[0].delta_len", "for 1 pages", r -> at(r, "deltas", 0).put("pages", 1));
        rejects("deltas[0].delta_len", "", r -> at(r, "deltas", 0).put("delta_len", 0));
        refusesToBuild("deltas[0].delta_len", "must be", () -> inc(10, PARENT, 5, core(),
                List.of(new DeltaEntry("t.heap", 1, PS, PS, 1, 4096, H_ABC)), List.of(), List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "AF1349B9F5F9A1A6A0404DEA36DCC9499BCB25C9ADC112B7CC9A93CAE41F3262",
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f326g"})
    void deltaDigestMustBeHex(String bad) throws Exception {
        rejects("deltas[1].blake3_hex", "64 lower-case hex", r -> at(r, "deltas", 1).put("blake3_hex", bad));
    }

    @Test
    void deltasSortedWithoutDuplicates() throws Exception {
        rejects("deltas[1].name", "not sorted", r -> {
            ArrayNode d = (ArrayNode) r.get("deltas");
            d.insert(0, d.remove(1));
        });
        ManifestException dup = rejects("deltas[1].name", r -> at(r, "deltas", 1).setAll(
                at(r, "deltas", 0).deepCopy()));
        assertTrue(dup.getMessage().contains("duplicate name 'users.heap' (also deltas[0])"), dup.getMessage());
    }

    // ---- unchanged

    @Test
    void unchangedEntries() throws Exception {
        rejects("unchanged", "must be an array", r -> r.put("unchanged", 1));
        rejects("unchanged[0]", "must be an object", r -> ((ArrayNode) r.get("unchanged")).set(0,
                MAPPER.getNodeFactory().textNode("users_id.idx")));
        rejects("unchanged[0].blake3_hex", "unknown field", r -> at(r, "unchanged", 0).put("blake3_hex", H_ABC));
        for (String key : List.of("name", "file_id", "len")) {
            rejects("unchanged[1]." + key, "missing", r -> at(r, "unchanged", 1).remove(key));
        }
        rejects("unchanged[0].name", "not a heap or index file", r -> {
            dropFile(r, "catalog.bin");
            at(r, "unchanged", 0).put("name", "catalog.bin");
        });
        rejects("unchanged[0].name", "path separator", r -> at(r, "unchanged", 0).put("name", "../users_id.idx"));
        rejects("unchanged[0].file_id", "needs its file id", r -> at(r, "unchanged", 0).put("file_id", 0));
        rejects("unchanged[0].len", "whole number", r -> at(r, "unchanged", 0).put("len", 8191));
        rejects("unchanged[0].len", "integer", r -> at(r, "unchanged", 0).put("len", -4096));
        rejects("unchanged[1].name", "not sorted", r -> {
            ArrayNode u = (ArrayNode) r.get("unchanged");
            u.insert(0, u.remove(1));
        });
        refusesToBuild("unchanged[0].file_id", "needs its file id", () -> inc(10, PARENT, 5, core(), List.of(),
                List.of(new UnchangedEntry("t.heap", 0, PS)), List.of()));
        refusesToBuild("unchanged[0].len", "whole number", () -> inc(10, PARENT, 5, core(), List.of(),
                List.of(new UnchangedEntry("t.heap", 1, 10)), List.of()));
        refusesToBuild("unchanged[0].name", "not a heap or index file", () -> inc(10, PARENT, 5,
                List.of(new FileEntry("catalog.bin", 1, H_ABC, 0)), List.of(),
                List.of(new UnchangedEntry("control.bin", 0, PS)), List.of()));
    }

    // ---- removed

    @Test
    void removedEntries() throws Exception {
        rejects("removed", "must be an array", r -> r.put("removed", "old.heap"));
        rejects("removed[1]", "must be a string", r -> ((ArrayNode) r.get("removed")).set(1,
                MAPPER.getNodeFactory().numberNode(7)));
        rejects("removed[0]", "must be a string", r -> ((ArrayNode) r.get("removed")).set(0,
                MAPPER.getNodeFactory().objectNode().put("name", "old.heap")));
        for (String bad : List.of("../old.heap", "/old.heap", "", ".", "..", "wal", "wal/0000000000000001.wal",
                "LOCK", "old.heap.delta", "x\\old.heap")) {
            rejects("removed[0]", r -> ((ArrayNode) r.get("removed")).set(0, MAPPER.getNodeFactory().textNode(bad)));
        }
        rejects("removed[1]", "not sorted", r -> {
            ArrayNode a = (ArrayNode) r.get("removed");
            a.insert(0, a.remove(1));
        });
        rejects("removed[1]", "duplicate name 'old.heap' (also removed[0])",
                r -> ((ArrayNode) r.get("removed")).set(1, MAPPER.getNodeFactory().textNode("old.heap")));
        refusesToBuild("removed[1]", "duplicate", () -> inc(10, PARENT, 5, core(), List.of(), List.of(),
                List.of("a.heap", "a.heap")));
        refusesToBuild("removed[0]", "path separator", () -> inc(10, PARENT, 5, core(), List.of(), List.of(),
                List.of("../a.heap")));
    }

    // ---- a name in two lists

    @Test
    void aNameAppearsInOneListOnly() throws Exception {
        rejects("deltas[0].name", "duplicate name 'orders.heap' (also files[2])",
                r -> at(r, "deltas", 0).put("name", "orders.heap"));
        rejects("unchanged[0].name", "duplicate name 'users.heap' (also deltas[0])",
                r -> at(r, "unchanged", 0).put("name", "users.heap"));
        rejects("unchanged[1].name", "duplicate name 'zeta.heap'", r -> {
            // The same name in files and unchanged.
            ObjectNode extra = MAPPER.createObjectNode().put("name", "zeta.heap").put("len", 4096)
                    .put("blake3_hex", H_ABC).put("file_id", 5);
            ((ArrayNode) r.get("files")).add(extra);
        });
        rejects("removed[0]", "duplicate name 'users_id.idx' (also unchanged[0])",
                r -> ((ArrayNode) r.get("removed")).set(0, MAPPER.getNodeFactory().textNode("users_id.idx")));
        rejects("removed[0]", "duplicate name 'catalog.bin' (also files[0])",
                r -> ((ArrayNode) r.get("removed")).set(0, MAPPER.getNodeFactory().textNode("catalog.bin")));
        rejects("removed[1]", "duplicate name 'users_name.idx' (also deltas[1])",
                r -> ((ArrayNode) r.get("removed")).set(1, MAPPER.getNodeFactory().textNode("users_name.idx")));
        refusesToBuild("deltas[0].name", "duplicate", () -> inc(10, PARENT, 5,
                List.of(new FileEntry("catalog.bin", 1, H_ABC, 0), new FileEntry("t.heap", PS, H_ABC, 1)),
                List.of(new DeltaEntry("t.heap", 1, PS, PS, 1, DeltaFile.lengthBytes(1, PS), H_ABC)), List.of(),
                List.of()));
        refusesToBuild("removed[0]", "duplicate", () -> inc(10, PARENT, 5, core(), List.of(),
                List.of(new UnchangedEntry("t.heap", 1, PS)), List.of("t.heap")));
    }

    // ---- file ids of whole files

    @Test
    void fileIdsOfWholeFiles() throws Exception {
        rejects("files[0].file_id", "must be 0 for 'catalog.bin'", r -> at(r, "files", 0).put("file_id", 1));
        rejects("files[1].file_id", "must be 0 for 'control.bin'", r -> at(r, "files", 1).put("file_id", 9));
        rejects("files[2].file_id", "needs its file id", r -> at(r, "files", 2).put("file_id", 0));
        rejects("files[2].file_id", "at most 2^31-1", r -> at(r, "files", 2).put("file_id", 4294967296L));
        rejects("files[2].file_id", "integer", r -> at(r, "files", 2).put("file_id", -1));
        rejects("files[2].file_id", "missing", r -> at(r, "files", 2).remove("file_id"));
        refusesToBuild("files[0].file_id", "must be 0", () -> BackupManifest.full(0, 0, 0, PS,
                List.of(new FileEntry("control.bin", 1, H_ABC, 2))));
        refusesToBuild("files[0].file_id", "needs its file id", () -> BackupManifest.full(0, 0, 0, PS,
                List.of(new FileEntry("t_c.idx", PS, H_ABC, 0))));
        refusesToBuild("files[0].file_id", "must not be negative", () -> BackupManifest.full(0, 0, 0, PS,
                List.of(new FileEntry("t.heap", PS, H_ABC, -1))));
    }

    // ---- versions

    @Test
    void versionsOutsideTheReadRange() throws Exception {
        ObjectNode newer = exampleJson();
        newer.put("format_version", BackupManifest.MAX_READ_VERSION + 1);
        newer.put("wal_range", "a field of a later version");
        at(newer, "deltas", 0).put("compression", "zstd");
        FormatVersionException tooNew = assertThrows(FormatVersionException.class, () -> parseSigned(newer));
        assertEquals(ErrorCode.FORMAT_TOO_NEW, tooNew.code());
        assertTrue(tooNew.getMessage().contains(RESOURCE) && tooNew.getMessage().contains("too new"),
                tooNew.getMessage());
        ObjectNode older = exampleJson();
        older.put("format_version", BackupManifest.MIN_READ_VERSION - 1);
        FormatVersionException tooOld = assertThrows(FormatVersionException.class, () -> parseSigned(older));
        assertEquals(ErrorCode.FORMAT_TOO_OLD, tooOld.code());
        assertTrue(tooOld.getMessage().contains(RESOURCE) && tooOld.getMessage().contains("too old"),
                tooOld.getMessage());
        ObjectNode huge = exampleJson();
        huge.put("format_version", Long.MAX_VALUE);
        assertEquals(ErrorCode.FORMAT_TOO_NEW, assertThrows(FormatVersionException.class,
                () -> parseSigned(huge)).code());
        rejects("format_version", "integer", r -> r.put("format_version", -1));
    }
}
