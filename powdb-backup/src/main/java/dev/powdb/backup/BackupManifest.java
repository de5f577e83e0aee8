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
 * [{@code manifest_blake3}].
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
    /** Format version this build writes. */
    public static final int FORMAT_VERSION = 1;
    /** Oldest format version this build reads. */
    public static final int MIN_READ_VERSION = 1;
    /** Newest format version this build reads. */
    public static final int MAX_READ_VERSION = 1;
    /** Smallest page size accepted, in bytes. */
    public static final int MIN_PAGE_SIZE_BYTES = 512;
    /** Largest page size accepted, in bytes. */
    public static final int MAX_PAGE_SIZE_BYTES = 65536;

    private static final String RESOURCE_NEW = "new manifest";
    private static final List<String> TOP_LEVEL_KEYS = List.of("format_version", "kind", "created_unix_secs",
            "source_lsn", "catalog_version", "page_size", "parent_manifest_blake3", "files", "manifest_blake3");
    private static final List<String> FILE_KEYS = List.of("name", "len", "blake3_hex");
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What kind of backup a manifest describes. */
    public enum Kind {
        /** A complete copy of the durable files; has no parent. */
        FULL("full");

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
     * One file of a backup: its plain durable name, its length in bytes and the BLAKE3 of its contents (64
     * lower-case hex characters). Values are checked when the entry enters a manifest.
     */
    public record FileEntry(String name, long lengthBytes, String blake3Hex) {
        public FileEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(blake3Hex, "blake3Hex");
        }
    }

    private final int formatVersion;
    private final Kind kind;
    private final long createdUnixSecs;
    private final long sourceLsn;
    private final long catalogVersion;
    private final int pageSizeBytes;
    private final String parentManifestBlake3;
    private final List<FileEntry> files;
    private final String manifestBlake3;

    private BackupManifest(int formatVersion, Kind kind, long createdUnixSecs, long sourceLsn, long catalogVersion,
                           int pageSizeBytes, String parentManifestBlake3, List<FileEntry> files,
                           String manifestBlake3) {
        this.formatVersion = formatVersion;
        this.kind = kind;
        this.createdUnixSecs = createdUnixSecs;
        this.sourceLsn = sourceLsn;
        this.catalogVersion = catalogVersion;
        this.pageSizeBytes = pageSizeBytes;
        this.parentManifestBlake3 = parentManifestBlake3;
        this.files = List.copyOf(files);
        this.manifestBlake3 = manifestBlake3;
    }

    /**
     * Builds the manifest of a full backup in the current format version. {@code files} may be in any order; the
     * manifest holds them sorted by name. The self-hash is computed here.
     *
     * @throws ManifestException (code {@code INVALID_ARGUMENT}) if a value breaks a rule listed in the class comment
     */
    public static BackupManifest full(long createdUnixSecs, long sourceLsn, long catalogVersion, int pageSizeBytes,
                                      List<FileEntry> files) {
        List<FileEntry> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(FileEntry::name));
        BackupManifest unsigned = new BackupManifest(FORMAT_VERSION, Kind.FULL, createdUnixSecs, sourceLsn,
                catalogVersion, pageSizeBytes, null, sorted, "");
        unsigned.check(ErrorCode.INVALID_ARGUMENT, RESOURCE_NEW);
        return unsigned.withHash(Blake3.hex(unsigned.canonicalBytes(false)));
    }

    private BackupManifest withHash(String hash) {
        return new BackupManifest(formatVersion, kind, createdUnixSecs, sourceLsn, catalogVersion, pageSizeBytes,
                parentManifestBlake3, files, hash);
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
        checkKeys(resource, root, "", TOP_LEVEL_KEYS);
        String kindName = text(resource, root, "kind");
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.jsonName().equals(kindName)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw corrupt(resource, "kind", "unknown kind '" + kindName + "' (expected \"full\")");
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
        List<FileEntry> files = parseFiles(resource, root.get("files"));
        String hash = text(resource, root, "manifest_blake3");
        BackupManifest manifest = new BackupManifest((int) version, kind, created, sourceLsn, catalogVersion,
                (int) pageSize, parent, files, hash);
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
                    text(resource, entry, field + ".", "blake3_hex")));
        }
        return files;
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
        if (kind == Kind.FULL && parentManifestBlake3 != null) {
            throw new ManifestException(code, resource, "parent_manifest_blake3",
                    "must be null for a full backup, found '" + parentManifestBlake3 + "'");
        }
        String previous = null;
        for (int i = 0; i < files.size(); i++) {
            FileEntry file = files.get(i);
            String field = "files[" + i + "]";
            checkFileName(code, resource, field + ".name", file.name());
            if (previous != null) {
                int order = previous.compareTo(file.name());
                if (order == 0) {
                    throw new ManifestException(code, resource, field + ".name", "duplicate name '" + file.name()
                            + "' (also files[" + (i - 1) + "])");
                }
                if (order > 0) {
                    throw new ManifestException(code, resource, field + ".name", "not sorted: '" + file.name()
                            + "' comes after '" + previous + "' (names must be in increasing byte order)");
                }
            }
            requireNonNegative(code, resource, field + ".len", file.lengthBytes());
            if (!Blake3.isHex(file.blake3Hex())) {
                throw new ManifestException(code, resource, field + ".blake3_hex", hexProblem(file.blake3Hex()));
            }
            previous = file.name();
        }
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
            gen.writeNumberField("catalog_version", catalogVersion);
            gen.writeNumberField("page_size", pageSizeBytes);
            if (parentManifestBlake3 == null) {
                gen.writeNullField("parent_manifest_blake3");
            } else {
                gen.writeStringField("parent_manifest_blake3", parentManifestBlake3);
            }
            gen.writeArrayFieldStart("files");
            for (FileEntry file : files) {
                gen.writeStartObject();
                gen.writeStringField("name", file.name());
                gen.writeNumberField("len", file.lengthBytes());
                gen.writeStringField("blake3_hex", file.blake3Hex());
                gen.writeEndObject();
            }
            gen.writeEndArray();
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

    /** The files, sorted by name; unmodifiable. */
    public List<FileEntry> files() {
        return files;
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
                && Objects.equals(parentManifestBlake3, other.parentManifestBlake3) && files.equals(other.files)
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
