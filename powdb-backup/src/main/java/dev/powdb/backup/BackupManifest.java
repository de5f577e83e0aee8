package dev.powdb.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.powdb.storage.DataDirectory;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.FormatVersionException;

/**
 * The immutable {@code manifest.json} of a backup: what the backup holds and how to check it. The format, with a
 * worked example, is specified in {@code docs/formats/backup.md}.
 *
 * <p>Fields (JSON key in brackets): format version [{@code format_version}], kind [{@code kind}, only
 * {@code "full"} in version 1], creation time in Unix seconds [{@code created_unix_secs}], the LSN the backup is
 * consistent at [{@code source_lsn}], catalog version [{@code catalog_version}], page size in bytes
 * [{@code page_size}], the parent manifest's hash [{@code parent_manifest_blake3}, {@code null} for a full backup],
 * the files sorted by name [{@code files: [{name, len, blake3_hex}]}] and the manifest's own hash
 * [{@code manifest_blake3}]. Format version 2 adds the start and undo LSNs and the WAL kept for replay
 * [{@code start_lsn, undo_lsn, wal}] for backups during which something was logged; see {@link #of}.
 *
 * <p><b>Canonical form.</b> {@link #canonicalBytes(boolean)} is UTF-8 JSON without any whitespace, the keys in
 * exactly the order above ({@code format_version, kind, created_unix_secs, source_lsn, catalog_version, page_size,
 * parent_manifest_blake3, files, manifest_blake3}; in each file {@code name, len, blake3_hex}), integers in decimal
 * without sign, leading zeros, fraction or exponent, {@code null} as the literal. Every string a valid manifest can
 * hold is ASCII without quotes, backslashes or control characters, so strings are their characters between double
 * quotes, without escapes. {@code manifest_blake3} is the BLAKE3 of the canonical form in which that field is the
 * empty string {@code ""}. The stored file is the canonical form with the hash filled in, followed by one
 * {@code \n}; a reader accepts any JSON layout (whitespace, key order) because it recomputes the canonical form
 * from the parsed values.
 *
 * <p><b>Validation.</b> {@link #parse} accepts only a manifest that a writer of this build could have produced:
 * format version in [{@link #MIN_READ_VERSION}, {@link #MAX_READ_VERSION}] (else {@link FormatVersionException},
 * too old / too new), all fields present with the right JSON types and no others, non-negative integers, a page
 * size that is a power of two from 512 to 65536, file names that are plain durable names
 * ({@link #checkFileName}), strictly increasing names (no duplicates), 64 lower-case hex digests and a matching
 * self-hash. Every failure is a {@link ManifestException} naming the manifest and the field.
 */
public final class BackupManifest {
    /** Name of the manifest file inside a backup directory. */
    public static final String FILE_NAME = "manifest.json";
    /**
     * Newest format version this build writes: 2 for a backup that keeps WAL (an online backup during which
     * something was logged), 1 for one that needs none, so that such backups stay readable by version-1 readers.
     */
    public static final int FORMAT_VERSION = 2;
    /** Oldest format version this build reads. */
    public static final int MIN_READ_VERSION = 1;
    /** Newest format version this build reads. */
    public static final int MAX_READ_VERSION = 2;
    /** Smallest page size accepted, in bytes. */
    public static final int MIN_PAGE_SIZE_BYTES = 512;
    /** Largest page size accepted, in bytes. */
    public static final int MAX_PAGE_SIZE_BYTES = 65536;

    private static final String RESOURCE_NEW = "new manifest";
    private static final List<String> TOP_LEVEL_KEYS = List.of("format_version", "kind", "created_unix_secs",
            "source_lsn", "catalog_version", "page_size", "parent_manifest_blake3", "parent_source_lsn", "files",
            "deltas", "unchanged", "removed", "manifest_blake3");
    private static final List<String> TOP_LEVEL_KEYS_V2 = List.of("format_version", "kind", "created_unix_secs",
            "source_lsn", "start_lsn", "undo_lsn", "catalog_version", "page_size", "parent_manifest_blake3",
            "parent_source_lsn", "files", "deltas", "unchanged", "removed", "wal", "manifest_blake3");
    private static final List<String> WAL_KEYS = List.of("name", "first_lsn", "last_lsn", "len", "blake3_hex");
    private static final List<String> FILE_KEYS = List.of("name", "len", "blake3_hex", "file_id");
    private static final List<String> DELTA_KEYS = List.of("name", "file_id", "len", "base_len", "pages",
            "delta_len", "blake3_hex");
    private static final List<String> UNCHANGED_KEYS = List.of("name", "file_id", "len");
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What kind of backup a manifest describes. */
    public enum Kind {
        /** A complete copy of the durable files; has no parent. */
        FULL("full"),
        /** What changed since a parent backup (full or incremental), named by its manifest hash and LSN. */
        INCREMENTAL("incremental");

        private final String jsonName;

        Kind(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The value of the {@code kind} field. */
        public String jsonName() {
            return jsonName;
        }
    }

    /**
     * One file stored whole in the backup directory under its own name: its plain durable name, its length in
     * bytes, the BLAKE3 of its contents (64 lower-case hex characters) and, for a heap or index file, the catalog's
     * file id (0 for {@code control.bin} and {@code catalog.bin}). Values are checked when the entry enters a
     * manifest.
     */
    public record FileEntry(String name, long lengthBytes, String blake3Hex, int fileId) {
        public FileEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(blake3Hex, "blake3Hex");
        }

        /** An entry without a file id (0). */
        public FileEntry(String name, long lengthBytes, String blake3Hex) {
            this(name, lengthBytes, blake3Hex, 0);
        }
    }

    /**
     * A paged file of an incremental backup stored as changed pages ({@code <name>.delta}, see
     * {@link DeltaFile}): applied to the parent state's file of the same name and file id.
     *
     * @param lengthBytes      length of the file after the delta is applied
     * @param baseLengthBytes  length of the file in the parent state
     * @param pageCount        number of page images the delta holds
     * @param deltaLengthBytes length of the stored {@code .delta} file
     * @param blake3Hex        BLAKE3 of the stored {@code .delta} file
     */
    public record DeltaEntry(String name, int fileId, long lengthBytes, long baseLengthBytes, long pageCount,
                             long deltaLengthBytes, String blake3Hex) {
        public DeltaEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(blake3Hex, "blake3Hex");
        }
    }

    /** A paged file of an incremental backup that did not change since the parent (same file id and length). */
    public record UnchangedEntry(String name, int fileId, long lengthBytes) {
        public UnchangedEntry {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A WAL segment (or its beginning) kept by an online backup, stored under its own name
     * ({@code <16 hex digits>.wal}, the first LSN) and replayed by a restore.
     *
     * @param firstLsn    LSN of its first record (the name)
     * @param lastLsn     LSN of its last record
     * @param lengthBytes stored length: the segment header and the frames up to {@code lastLsn}
     */
    public record WalEntry(String name, long firstLsn, long lastLsn, long lengthBytes, String blake3Hex) {
        public WalEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(blake3Hex, "blake3Hex");
        }
    }

    /** The name a WAL segment starting at {@code firstLsn} has, in the data directory and in a backup. */
    public static String walName(long firstLsn) {
        return String.format("%016x.wal", firstLsn);
    }

    /** Whether {@code name} has the form of a WAL segment name. */
    public static boolean isWalName(String name) {
        return name != null && name.matches("[0-9a-f]{16}\\.wal");
    }

    private final int formatVersion;
    private final Kind kind;
    private final long createdUnixSecs;
    private final long sourceLsn;
    private final long catalogVersion;
    private final int pageSizeBytes;
    private final String parentManifestBlake3;
    private final Long parentSourceLsn;
    private final List<FileEntry> files;
    private final List<DeltaEntry> deltas;
    private final List<UnchangedEntry> unchanged;
    private final List<String> removed;
    private final String manifestBlake3;
    private final long startLsn;
    private final long undoLsn;
    private final List<WalEntry> wal;

    private BackupManifest(int formatVersion, Kind kind, long createdUnixSecs, long sourceLsn, long startLsn,
                           long undoLsn, long catalogVersion, int pageSizeBytes, String parentManifestBlake3,
                           Long parentSourceLsn, List<FileEntry> files, List<DeltaEntry> deltas,
                           List<UnchangedEntry> unchanged, List<String> removed, List<WalEntry> wal,
                           String manifestBlake3) {
        this.startLsn = startLsn;
        this.undoLsn = undoLsn;
        this.wal = List.copyOf(wal);
        this.formatVersion = formatVersion;
        this.kind = kind;
        this.createdUnixSecs = createdUnixSecs;
        this.sourceLsn = sourceLsn;
        this.catalogVersion = catalogVersion;
        this.pageSizeBytes = pageSizeBytes;
        this.parentManifestBlake3 = parentManifestBlake3;
        this.parentSourceLsn = parentSourceLsn;
        this.files = List.copyOf(files);
        this.deltas = List.copyOf(deltas);
        this.unchanged = List.copyOf(unchanged);
        this.removed = List.copyOf(removed);
        this.manifestBlake3 = manifestBlake3;
    }

    /**
     * Builds the manifest of a full backup that needed no WAL (format version 1): consistent at {@code sourceLsn},
     * started right after it. {@code files} may be in any order; the manifest holds them sorted by name. The
     * self-hash is computed here.
     *
     * @throws ManifestException (code {@code INVALID_ARGUMENT}) if a value breaks a rule listed in the class comment
     */
    public static BackupManifest full(long createdUnixSecs, long sourceLsn, long catalogVersion, int pageSizeBytes,
                                      List<FileEntry> files) {
        return of(createdUnixSecs, sourceLsn, sourceLsn + 1, sourceLsn + 1, catalogVersion, pageSizeBytes, null, null,
                files, List.of(), List.of(), List.of(), List.of());
    }

    /**
     * Builds the manifest of an incremental backup that needed no WAL (format version 1) on top of the backup whose
     * manifest hash is {@code parentManifestBlake3} and whose source LSN is {@code parentSourceLsn}. Lists may be in
     * any order.
     *
     * @throws ManifestException (code {@code INVALID_ARGUMENT}) if a value breaks a rule listed in the class comment
     */
    public static BackupManifest incremental(long createdUnixSecs, long sourceLsn, long catalogVersion,
                                             int pageSizeBytes, String parentManifestBlake3, long parentSourceLsn,
                                             List<FileEntry> files, List<DeltaEntry> deltas,
                                             List<UnchangedEntry> unchanged, List<String> removed) {
        return of(createdUnixSecs, sourceLsn, sourceLsn + 1, sourceLsn + 1, catalogVersion, pageSizeBytes,
                Objects.requireNonNull(parentManifestBlake3), parentSourceLsn, files, deltas, unchanged, removed,
                List.of());
    }

    /**
     * Builds the manifest of a full or incremental backup (an increment when {@code parentManifestBlake3} is not
     * null) that started at {@code startLsn} and keeps the WAL {@code wal} up to {@code sourceLsn}. Written as
     * format version 1 when no WAL is kept and the backup is consistent right before its start, else version 2.
     */
    public static BackupManifest of(long createdUnixSecs, long sourceLsn, long startLsn, long undoLsn,
                                    long catalogVersion, int pageSizeBytes, String parentManifestBlake3,
                                    Long parentSourceLsn, List<FileEntry> files, List<DeltaEntry> deltas,
                                    List<UnchangedEntry> unchanged, List<String> removed, List<WalEntry> wal) {
        boolean v1 = wal.isEmpty() && startLsn == sourceLsn + 1 && undoLsn == startLsn;
        List<FileEntry> f = new ArrayList<>(files);
        f.sort(Comparator.comparing(FileEntry::name));
        List<DeltaEntry> d = new ArrayList<>(deltas);
        d.sort(Comparator.comparing(DeltaEntry::name));
        List<UnchangedEntry> u = new ArrayList<>(unchanged);
        u.sort(Comparator.comparing(UnchangedEntry::name));
        List<String> r = new ArrayList<>(removed);
        r.sort(Comparator.naturalOrder());
        List<WalEntry> w = new ArrayList<>(wal);
        w.sort(Comparator.comparingLong(WalEntry::firstLsn));
        Kind kind = parentManifestBlake3 == null ? Kind.FULL : Kind.INCREMENTAL;
        BackupManifest unsigned = new BackupManifest(v1 ? 1 : 2, kind, createdUnixSecs, sourceLsn, startLsn,
                undoLsn, catalogVersion, pageSizeBytes, parentManifestBlake3, parentSourceLsn, f, d, u, r, w, "");
        unsigned.check(ErrorCode.INVALID_ARGUMENT, RESOURCE_NEW);
        return unsigned.withHash(Blake3.hex(unsigned.canonicalBytes(false)));
    }

    private BackupManifest withHash(String hash) {
        return new BackupManifest(formatVersion, kind, createdUnixSecs, sourceLsn, startLsn, undoLsn,
                catalogVersion, pageSizeBytes, parentManifestBlake3, parentSourceLsn, files, deltas, unchanged,
                removed, wal, hash);
    }

    /** Reads and validates a manifest file; errors name {@code file}. */
    public static BackupManifest read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /**
     * Parses and validates a manifest.
     *
     * @param resource names the manifest in error messages (usually its path)
     * @throws FormatVersionException if {@code format_version} is outside the versions this build reads
     * @throws ManifestException (code {@code CORRUPT}) naming the field for every other violation
     */
    public static BackupManifest parse(String resource, byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw corrupt(resource, "(document)", "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw corrupt(resource, "(document)", "must be a JSON object");
        }
        // The version comes first, so a newer format is reported as "too new", not as its unknown fields.
        long version = nonNegativeLong(resource, root, "format_version");
        if (version < MIN_READ_VERSION || version > MAX_READ_VERSION) {
            throw new FormatVersionException(resource, (int) Math.min(version, Integer.MAX_VALUE),
                    MIN_READ_VERSION, MAX_READ_VERSION);
        }
        checkKeys(resource, root, "", version >= 2 ? TOP_LEVEL_KEYS_V2 : TOP_LEVEL_KEYS);
        String kindName = text(resource, root, "kind");
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.jsonName().equals(kindName)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw corrupt(resource, "kind", "unknown kind '" + kindName + "' (expected \"full\" or "
                    + "\"incremental\")");
        }
        long created = nonNegativeLong(resource, root, "created_unix_secs");
        long sourceLsn = nonNegativeLong(resource, root, "source_lsn");
        long catalogVersion = nonNegativeLong(resource, root, "catalog_version");
        long pageSize = nonNegativeLong(resource, root, "page_size");
        if (pageSize > MAX_PAGE_SIZE_BYTES) {
            throw corrupt(resource, "page_size", pageSizeProblem(pageSize));
        }
        JsonNode parentNode = root.get("parent_manifest_blake3");
        if (!parentNode.isNull() && !parentNode.isTextual()) {
            throw corrupt(resource, "parent_manifest_blake3", "must be a string or null");
        }
        String parent = parentNode.isNull() ? null : parentNode.textValue();
        Long parentLsn = root.get("parent_source_lsn").isNull() ? null
                : nonNegativeLong(resource, root, "parent_source_lsn");
        List<FileEntry> files = parseFiles(resource, root.get("files"));
        List<DeltaEntry> deltas = parseDeltas(resource, root.get("deltas"));
        List<UnchangedEntry> unchanged = parseUnchanged(resource, root.get("unchanged"));
        List<String> removed = parseRemoved(resource, root.get("removed"));
        String hash = text(resource, root, "manifest_blake3");
        long startLsn = version >= 2 ? nonNegativeLong(resource, root, "start_lsn") : sourceLsn + 1;
        long undoLsn = version >= 2 ? nonNegativeLong(resource, root, "undo_lsn") : sourceLsn + 1;
        List<WalEntry> wal = version >= 2 ? parseWal(resource, root.get("wal")) : List.of();
        BackupManifest manifest = new BackupManifest((int) version, kind, created, sourceLsn, startLsn, undoLsn,
                catalogVersion, (int) pageSize, parent, parentLsn, files, deltas, unchanged, removed, wal, hash);
        manifest.check(ErrorCode.CORRUPT, resource);
        if (!Blake3.isHex(hash)) {
            throw corrupt(resource, "manifest_blake3", hexProblem(hash));
        }
        String expected = Blake3.hex(manifest.canonicalBytes(false));
        if (!expected.equals(hash)) {
            throw corrupt(resource, "manifest_blake3", "does not match the manifest's contents (computed "
                    + expected + ", stored " + hash + "); the manifest was edited or damaged");
        }
        return manifest;
    }

    private static List<FileEntry> parseFiles(String resource, JsonNode node) {
        if (!node.isArray()) {
            throw corrupt(resource, "files", "must be an array");
        }
        List<FileEntry> files = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String field = "files[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                throw corrupt(resource, field, "must be an object {name, len, blake3_hex}");
            }
            checkKeys(resource, entry, field + ".", FILE_KEYS);
            files.add(new FileEntry(text(resource, entry, field + ".", "name"),
                    nonNegativeLong(resource, entry, field + ".", "len"),
                    text(resource, entry, field + ".", "blake3_hex"),
                    fileId(resource, entry, field + ".")));
        }
        return files;
    }

    private static List<DeltaEntry> parseDeltas(String resource, JsonNode node) {
        if (!node.isArray()) {
            throw corrupt(resource, "deltas", "must be an array");
        }
        List<DeltaEntry> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String field = "deltas[" + i + "].";
            JsonNode e = node.get(i);
            if (!e.isObject()) {
                throw corrupt(resource, "deltas[" + i + "]", "must be an object {" + String.join(", ", DELTA_KEYS)
                        + "}");
            }
            checkKeys(resource, e, field, DELTA_KEYS);
            out.add(new DeltaEntry(text(resource, e, field, "name"), fileId(resource, e, field),
                    nonNegativeLong(resource, e, field, "len"), nonNegativeLong(resource, e, field, "base_len"),
                    nonNegativeLong(resource, e, field, "pages"), nonNegativeLong(resource, e, field, "delta_len"),
                    text(resource, e, field, "blake3_hex")));
        }
        return out;
    }

    private static List<UnchangedEntry> parseUnchanged(String resource, JsonNode node) {
        if (!node.isArray()) {
            throw corrupt(resource, "unchanged", "must be an array");
        }
        List<UnchangedEntry> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String field = "unchanged[" + i + "].";
            JsonNode e = node.get(i);
            if (!e.isObject()) {
                throw corrupt(resource, "unchanged[" + i + "]", "must be an object {name, file_id, len}");
            }
            checkKeys(resource, e, field, UNCHANGED_KEYS);
            out.add(new UnchangedEntry(text(resource, e, field, "name"), fileId(resource, e, field),
                    nonNegativeLong(resource, e, field, "len")));
        }
        return out;
    }

    private static List<WalEntry> parseWal(String resource, JsonNode node) {
        if (!node.isArray()) {
            throw corrupt(resource, "wal", "must be an array");
        }
        List<WalEntry> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String field = "wal[" + i + "].";
            JsonNode e = node.get(i);
            if (!e.isObject()) {
                throw corrupt(resource, "wal[" + i + "]", "must be an object {" + String.join(", ", WAL_KEYS) + "}");
            }
            checkKeys(resource, e, field, WAL_KEYS);
            out.add(new WalEntry(text(resource, e, field, "name"), nonNegativeLong(resource, e, field, "first_lsn"),
                    nonNegativeLong(resource, e, field, "last_lsn"), nonNegativeLong(resource, e, field, "len"),
                    text(resource, e, field, "blake3_hex")));
        }
        return out;
    }

    private static List<String> parseRemoved(String resource, JsonNode node) {
        if (!node.isArray()) {
            throw corrupt(resource, "removed", "must be an array");
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw corrupt(resource, "removed[" + i + "]", "must be a string, found " + node.get(i).getNodeType());
            }
            out.add(node.get(i).textValue());
        }
        return out;
    }

    private static int fileId(String resource, JsonNode entry, String prefix) {
        long id = nonNegativeLong(resource, entry, prefix, "file_id");
        if (id > Integer.MAX_VALUE) {
            throw corrupt(resource, prefix + "file_id", "must be at most 2^31-1, found " + id);
        }
        return (int) id;
    }

    /** The semantic rules shared by building and parsing. */
    private void check(ErrorCode code, String resource) {
        requireNonNegative(code, resource, "created_unix_secs", createdUnixSecs);
        requireNonNegative(code, resource, "source_lsn", sourceLsn);
        requireNonNegative(code, resource, "catalog_version", catalogVersion);
        if (pageSizeBytes < MIN_PAGE_SIZE_BYTES || pageSizeBytes > MAX_PAGE_SIZE_BYTES
                || Integer.bitCount(pageSizeBytes) != 1) {
            throw new ManifestException(code, resource, "page_size", pageSizeProblem(pageSizeBytes));
        }
        checkParent(code, resource);
        checkWal(code, resource);
        java.util.Map<String, String> seen = new java.util.HashMap<>();
        String previous = null;
        for (int i = 0; i < files.size(); i++) {
            FileEntry file = files.get(i);
            String field = "files[" + i + "]";
            checkEntryName(code, resource, field, file.name(), previous, seen, false);
            requireNonNegative(code, resource, field + ".len", file.lengthBytes());
            if (!Blake3.isHex(file.blake3Hex())) {
                throw new ManifestException(code, resource, field + ".blake3_hex", hexProblem(file.blake3Hex()));
            }
            checkFileId(code, resource, field, file.name(), file.fileId());
            previous = file.name();
        }
        previous = null;
        for (int i = 0; i < deltas.size(); i++) {
            DeltaEntry d = deltas.get(i);
            String field = "deltas[" + i + "]";
            checkEntryName(code, resource, field, d.name(), previous, seen, true);
            checkFileId(code, resource, field, d.name(), d.fileId());
            checkPagedLength(code, resource, field + ".len", d.lengthBytes());
            checkPagedLength(code, resource, field + ".base_len", d.baseLengthBytes());
            requireNonNegative(code, resource, field + ".pages", d.pageCount());
            if (d.pageCount() > d.lengthBytes() / pageSizeBytes) {
                throw new ManifestException(code, resource, field + ".pages", d.pageCount() + " pages do not fit in "
                        + "a file of " + d.lengthBytes() + " bytes");
            }
            long expected = DeltaFile.lengthBytes(d.pageCount(), pageSizeBytes);
            if (d.deltaLengthBytes() != expected) {
                throw new ManifestException(code, resource, field + ".delta_len", "must be " + expected
                        + " for " + d.pageCount() + " pages, found " + d.deltaLengthBytes());
            }
            if (!Blake3.isHex(d.blake3Hex())) {
                throw new ManifestException(code, resource, field + ".blake3_hex", hexProblem(d.blake3Hex()));
            }
            previous = d.name();
        }
        previous = null;
        for (int i = 0; i < unchanged.size(); i++) {
            UnchangedEntry u = unchanged.get(i);
            String field = "unchanged[" + i + "]";
            checkEntryName(code, resource, field, u.name(), previous, seen, true);
            checkFileId(code, resource, field, u.name(), u.fileId());
            checkPagedLength(code, resource, field + ".len", u.lengthBytes());
            previous = u.name();
        }
        previous = null;
        for (int i = 0; i < removed.size(); i++) {
            checkEntryName(code, resource, "removed[" + i + "]", removed.get(i), previous, seen, false);
            previous = removed.get(i);
        }
    }

    /** Smallest stored WAL piece: a segment header and one frame header. */
    private static final long MIN_WAL_PIECE_BYTES = 32 + 33;

    private void checkWal(ErrorCode code, String resource) {
        if (startLsn < 1) {
            throw new ManifestException(code, resource, "start_lsn", "must be at least 1, found " + startLsn);
        }
        if (undoLsn > startLsn) {
            throw new ManifestException(code, resource, "undo_lsn", "must not be after start_lsn " + startLsn
                    + ", found " + undoLsn);
        }
        if (wal.isEmpty()) {
            if (sourceLsn != startLsn - 1 || undoLsn != startLsn) {
                throw new ManifestException(code, resource, "wal", "is empty, so source_lsn must be start_lsn - 1 "
                        + "and undo_lsn equal start_lsn (found source " + sourceLsn + ", start " + startLsn
                        + ", undo " + undoLsn + ")");
            }
            return;
        }
        if (sourceLsn < startLsn - 1) {
            throw new ManifestException(code, resource, "source_lsn", "must not be before start_lsn - 1 ("
                    + (startLsn - 1) + "), found " + sourceLsn);
        }
        for (int i = 0; i < wal.size(); i++) {
            WalEntry w = wal.get(i);
            String field = "wal[" + i + "]";
            if (!w.name().equals(walName(w.firstLsn()))) {
                throw new ManifestException(code, resource, field + ".name", "must be " + walName(w.firstLsn())
                        + " for first_lsn " + w.firstLsn() + ", found '" + w.name() + "'");
            }
            if (w.lastLsn() < w.firstLsn()) {
                throw new ManifestException(code, resource, field + ".last_lsn", "must not be before first_lsn "
                        + w.firstLsn() + ", found " + w.lastLsn());
            }
            if (w.lengthBytes() < MIN_WAL_PIECE_BYTES || w.lengthBytes() > Integer.MAX_VALUE) {
                throw new ManifestException(code, resource, field + ".len", "must be from " + MIN_WAL_PIECE_BYTES
                        + " to 2^31-1 bytes, found " + w.lengthBytes());
            }
            if (!Blake3.isHex(w.blake3Hex())) {
                throw new ManifestException(code, resource, field + ".blake3_hex", hexProblem(w.blake3Hex()));
            }
            if (i == 0 && w.firstLsn() > undoLsn) {
                throw new ManifestException(code, resource, field + ".first_lsn", "must not be after undo_lsn "
                        + undoLsn + " (the WAL must reach back to it), found " + w.firstLsn());
            }
            if (i > 0 && w.firstLsn() != wal.get(i - 1).lastLsn() + 1) {
                throw new ManifestException(code, resource, field + ".first_lsn", "must be "
                        + (wal.get(i - 1).lastLsn() + 1) + ", right after the previous piece, found "
                        + w.firstLsn());
            }
        }
        long last = wal.get(wal.size() - 1).lastLsn();
        if (last != sourceLsn) {
            throw new ManifestException(code, resource, "wal[" + (wal.size() - 1) + "].last_lsn", "must equal "
                    + "source_lsn " + sourceLsn + ", found " + last);
        }
    }

    private void checkParent(ErrorCode code, String resource) {
        if (kind == Kind.FULL) {
            if (parentManifestBlake3 != null) {
                throw new ManifestException(code, resource, "parent_manifest_blake3",
                        "must be null for a full backup, found '" + parentManifestBlake3 + "'");
            }
            if (parentSourceLsn != null) {
                throw new ManifestException(code, resource, "parent_source_lsn",
                        "must be null for a full backup, found " + parentSourceLsn);
            }
            for (String list : new String[] {"deltas", "unchanged", "removed"}) {
                boolean empty = list.equals("deltas") ? deltas.isEmpty()
                        : list.equals("unchanged") ? unchanged.isEmpty() : removed.isEmpty();
                if (!empty) {
                    throw new ManifestException(code, resource, list, "must be empty for a full backup");
                }
            }
            return;
        }
        if (parentManifestBlake3 == null || !Blake3.isHex(parentManifestBlake3)) {
            throw new ManifestException(code, resource, "parent_manifest_blake3", "an incremental backup needs "
                    + "its parent's manifest hash: " + hexProblem(String.valueOf(parentManifestBlake3)));
        }
        if (parentSourceLsn == null) {
            throw new ManifestException(code, resource, "parent_source_lsn",
                    "an incremental backup needs its parent's source LSN");
        }
        requireNonNegative(code, resource, "parent_source_lsn", parentSourceLsn);
        if (parentSourceLsn > sourceLsn) {
            throw new ManifestException(code, resource, "parent_source_lsn", "parent LSN " + parentSourceLsn
                    + " is after this backup's source LSN " + sourceLsn);
        }
    }

    private static void checkEntryName(ErrorCode code, String resource, String field, String name, String previous,
                                       java.util.Map<String, String> seen, boolean paged) {
        String nameField = field.startsWith("removed") ? field : field + ".name";
        checkFileName(code, resource, nameField, name);
        if (previous != null) {
            int order = previous.compareTo(name);
            if (order == 0) {
                throw new ManifestException(code, resource, nameField, "duplicate name '" + name + "' (also "
                        + seen.get(name) + ")");
            }
            if (order > 0) {
                throw new ManifestException(code, resource, nameField, "not sorted: '" + name
                        + "' comes after '" + previous + "' (names must be in increasing byte order)");
            }
        }
        String other = seen.putIfAbsent(name, field.startsWith("removed") ? field : field);
        if (other != null) {
            throw new ManifestException(code, resource, nameField, "duplicate name '" + name + "' (also " + other
                    + ")");
        }
        if (paged && !isPagedName(name)) {
            throw new ManifestException(code, resource, nameField, "'" + name + "' is not a heap or index file; "
                    + "only paged files can be stored as deltas or unchanged");
        }
    }

    private static void checkFileId(ErrorCode code, String resource, String field, String name, int fileId) {
        if (fileId < 0) {
            throw new ManifestException(code, resource, field + ".file_id", "must not be negative, found " + fileId);
        }
        if (isPagedName(name) != (fileId > 0)) {
            throw new ManifestException(code, resource, field + ".file_id", isPagedName(name)
                    ? "a heap or index file needs its file id (at least 1), found " + fileId
                    : "must be 0 for '" + name + "', found " + fileId);
        }
    }

    private void checkPagedLength(ErrorCode code, String resource, String field, long len) {
        requireNonNegative(code, resource, field, len);
        if (len % pageSizeBytes != 0) {
            throw new ManifestException(code, resource, field, len + " is not a whole number of " + pageSizeBytes
                    + "-byte pages");
        }
        if (len / pageSizeBytes > Integer.MAX_VALUE) {
            throw new ManifestException(code, resource, field, len + " bytes is more than 2^31-1 pages");
        }
    }

    /** Whether {@code name} is a heap or index file name. */
    public static boolean isPagedName(String name) {
        DataDirectory.FileKind k = DataDirectory.classify(name);
        return k == DataDirectory.FileKind.HEAP || k == DataDirectory.FileKind.INDEX;
    }

    /**
     * Checks that {@code name} is a plain durable file name of a data directory: not empty, not {@code .} or
     * {@code ..}, no path separator ({@code /} or {@code \}), not absolute, not the WAL directory {@code wal}, and
     * classified as durable ({@code control.bin}, {@code catalog.bin}, {@code <table>.heap},
     * {@code <table>_<column>.idx}) by {@link DataDirectory#classify}.
     *
     * @throws ManifestException with the given code, naming {@code field}
     */
    public static void checkFileName(ErrorCode code, String resource, String field, String name) {
        String problem = fileNameProblem(name);
        if (problem != null) {
            throw new ManifestException(code, resource, field, problem);
        }
    }

    /** Whether {@code name} passes {@link #checkFileName}. */
    public static boolean isPlainDurableName(String name) {
        return fileNameProblem(name) == null;
    }

    private static String fileNameProblem(String name) {
        if (name.isEmpty()) {
            return "empty file name";
        }
        if (name.startsWith("/") || name.startsWith("\\") || (name.length() >= 2 && name.charAt(1) == ':')) {
            return "absolute path '" + name + "' (expected a plain file name)";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return "'" + name + "' contains a path separator (expected a plain file name)";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is a directory reference, not a file name";
        }
        if (name.equals("wal")) {
            return "'wal' is the WAL directory, not a file";
        }
        DataDirectory.FileKind kind = DataDirectory.classify(name);
        if (!DataDirectory.isDurable(kind) || kind == DataDirectory.FileKind.WAL_SEGMENT) {
            return "'" + name + "' is not a durable file name (expected control.bin, catalog.bin, <table>.heap"
                    + " or <table>_<column>.idx)";
        }
        return null;
    }

    /**
     * The canonical JSON form (see the class comment): with the stored self-hash if {@code withHash}, else with
     * {@code manifest_blake3} set to the empty string (the bytes the self-hash is computed over).
     */
    public byte[] canonicalBytes(boolean withHash) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            gen.writeNumberField("format_version", formatVersion);
            gen.writeStringField("kind", kind.jsonName());
            gen.writeNumberField("created_unix_secs", createdUnixSecs);
            gen.writeNumberField("source_lsn", sourceLsn);
            if (formatVersion >= 2) {
                gen.writeNumberField("start_lsn", startLsn);
                gen.writeNumberField("undo_lsn", undoLsn);
            }
            gen.writeNumberField("catalog_version", catalogVersion);
            gen.writeNumberField("page_size", pageSizeBytes);
            if (parentManifestBlake3 == null) {
                gen.writeNullField("parent_manifest_blake3");
            } else {
                gen.writeStringField("parent_manifest_blake3", parentManifestBlake3);
            }
            if (parentSourceLsn == null) {
                gen.writeNullField("parent_source_lsn");
            } else {
                gen.writeNumberField("parent_source_lsn", parentSourceLsn);
            }
            gen.writeArrayFieldStart("files");
            for (FileEntry file : files) {
                gen.writeStartObject();
                gen.writeStringField("name", file.name());
                gen.writeNumberField("len", file.lengthBytes());
                gen.writeStringField("blake3_hex", file.blake3Hex());
                gen.writeNumberField("file_id", file.fileId());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("deltas");
            for (DeltaEntry d : deltas) {
                gen.writeStartObject();
                gen.writeStringField("name", d.name());
                gen.writeNumberField("file_id", d.fileId());
                gen.writeNumberField("len", d.lengthBytes());
                gen.writeNumberField("base_len", d.baseLengthBytes());
                gen.writeNumberField("pages", d.pageCount());
                gen.writeNumberField("delta_len", d.deltaLengthBytes());
                gen.writeStringField("blake3_hex", d.blake3Hex());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("unchanged");
            for (UnchangedEntry u : unchanged) {
                gen.writeStartObject();
                gen.writeStringField("name", u.name());
                gen.writeNumberField("file_id", u.fileId());
                gen.writeNumberField("len", u.lengthBytes());
                gen.writeEndObject();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("removed");
            for (String r : removed) {
                gen.writeString(r);
            }
            gen.writeEndArray();
            if (formatVersion >= 2) {
                gen.writeArrayFieldStart("wal");
                for (WalEntry w : wal) {
                    gen.writeStartObject();
                    gen.writeStringField("name", w.name());
                    gen.writeNumberField("first_lsn", w.firstLsn());
                    gen.writeNumberField("last_lsn", w.lastLsn());
                    gen.writeNumberField("len", w.lengthBytes());
                    gen.writeStringField("blake3_hex", w.blake3Hex());
                    gen.writeEndObject();
                }
                gen.writeEndArray();
            }
            gen.writeStringField("manifest_blake3", withHash ? manifestBlake3 : "");
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /** The bytes of the stored file: the canonical form with the self-hash, followed by {@code \n}. */
    public byte[] toFileBytes() {
        byte[] canonical = canonicalBytes(true);
        byte[] bytes = new byte[canonical.length + 1];
        System.arraycopy(canonical, 0, bytes, 0, canonical.length);
        bytes[canonical.length] = '\n';
        return bytes;
    }

    private static void checkKeys(String resource, JsonNode object, String prefix, List<String> expected) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!expected.contains(key)) {
                throw corrupt(resource, prefix + key, "unknown field (this build reads format versions "
                        + MIN_READ_VERSION + " to " + MAX_READ_VERSION + ")");
            }
        }
        for (String key : expected) {
            if (!object.has(key)) {
                throw corrupt(resource, prefix + key, "missing");
            }
        }
    }

    private static String text(String resource, JsonNode object, String key) {
        return text(resource, object, "", key);
    }

    private static String text(String resource, JsonNode object, String prefix, String key) {
        JsonNode node = object.get(key);
        if (node == null) {
            throw corrupt(resource, prefix + key, "missing");
        }
        if (!node.isTextual()) {
            throw corrupt(resource, prefix + key, "must be a string, found " + node.getNodeType());
        }
        return node.textValue();
    }

    private static long nonNegativeLong(String resource, JsonNode object, String key) {
        return nonNegativeLong(resource, object, "", key);
    }

    private static long nonNegativeLong(String resource, JsonNode object, String prefix, String key) {
        JsonNode node = object.get(key);
        if (node == null) {
            throw corrupt(resource, prefix + key, "missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw corrupt(resource, prefix + key, "must be an integer from 0 to 2^63-1, found " + node);
        }
        return node.longValue();
    }

    private static void requireNonNegative(ErrorCode code, String resource, String field, long value) {
        if (value < 0) {
            throw new ManifestException(code, resource, field, "must not be negative, found " + value);
        }
    }

    private static String pageSizeProblem(long pageSize) {
        return "must be a power of two from " + MIN_PAGE_SIZE_BYTES + " to " + MAX_PAGE_SIZE_BYTES + ", found "
                + pageSize;
    }

    private static String hexProblem(String hex) {
        return "must be " + Blake3.HEX_CHARS + " lower-case hex characters, found '" + hex + "' ("
                + hex.length() + " characters)";
    }

    private static ManifestException corrupt(String resource, String field, String problem) {
        return new ManifestException(ErrorCode.CORRUPT, resource, field, problem);
    }

    /** Format version of this manifest. */
    public int formatVersion() {
        return formatVersion;
    }

    /** Kind of backup. */
    public Kind kind() {
        return kind;
    }

    /** When the backup was taken, in seconds since the Unix epoch. */
    public long createdUnixSecs() {
        return createdUnixSecs;
    }

    /** The LSN the backup is consistent at. */
    public long sourceLsn() {
        return sourceLsn;
    }

    /** Version of the catalog the backup holds. */
    public long catalogVersion() {
        return catalogVersion;
    }

    /** Page size of the backed-up data files, in bytes. */
    public int pageSizeBytes() {
        return pageSizeBytes;
    }

    /** BLAKE3 (hex) of the parent backup's manifest; {@code null} for a full backup. */
    public String parentManifestBlake3() {
        return parentManifestBlake3;
    }

    /** The files stored whole, sorted by name; unmodifiable. */
    public List<FileEntry> files() {
        return files;
    }

    /** LSN of the parent backup; {@code null} for a full backup. */
    public Long parentSourceLsn() {
        return parentSourceLsn;
    }

    /** Paged files stored as changed pages (incremental only), sorted by name. */
    public List<DeltaEntry> deltas() {
        return deltas;
    }

    /** Paged files unchanged since the parent (incremental only), sorted by name. */
    public List<UnchangedEntry> unchanged() {
        return unchanged;
    }

    /** Names of files of the parent state that no longer exist (incremental only), sorted. */
    public List<String> removed() {
        return removed;
    }

    /**
     * The LSN of the checkpoint the backup started at: every change with a lower LSN is in its files (version 1:
     * {@code source_lsn + 1}). An increment on top of this backup stores the pages whose LSN is at least this.
     */
    public long startLsn() {
        return startLsn;
    }

    /** The first LSN of a transaction open at the start ({@link #startLsn()} when none was). */
    public long undoLsn() {
        return undoLsn;
    }

    /** The WAL kept for replay, in LSN order (empty for version 1 and when nothing was logged during the backup). */
    public List<WalEntry> wal() {
        return wal;
    }

    /** Bytes stored in the backup directory besides the manifest (whole files, deltas and WAL). */
    public long storedBytes() {
        long n = 0;
        for (WalEntry w : wal) {
            n += w.lengthBytes();
        }
        for (FileEntry f : files) {
            n += f.lengthBytes();
        }
        for (DeltaEntry d : deltas) {
            n += d.deltaLengthBytes();
        }
        return n;
    }

    /** This manifest's self-hash: BLAKE3 (hex) of {@link #canonicalBytes(boolean) canonicalBytes(false)}. */
    public String manifestBlake3() {
        return manifestBlake3;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackupManifest other && formatVersion == other.formatVersion && kind == other.kind
                && createdUnixSecs == other.createdUnixSecs && sourceLsn == other.sourceLsn
                && catalogVersion == other.catalogVersion && pageSizeBytes == other.pageSizeBytes
                && Objects.equals(parentManifestBlake3, other.parentManifestBlake3)
                && Objects.equals(parentSourceLsn, other.parentSourceLsn) && files.equals(other.files)
                && deltas.equals(other.deltas) && unchanged.equals(other.unchanged) && removed.equals(other.removed)
                && startLsn == other.startLsn && undoLsn == other.undoLsn && wal.equals(other.wal)
                && manifestBlake3.equals(other.manifestBlake3);
    }

    @Override
    public int hashCode() {
        return manifestBlake3.hashCode();
    }

    @Override
    public String toString() {
        return new String(canonicalBytes(true), java.nio.charset.StandardCharsets.UTF_8);
    }
}
