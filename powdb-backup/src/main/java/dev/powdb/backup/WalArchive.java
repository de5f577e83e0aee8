package dev.powdb.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.spi.WalArchiveService;
import dev.powdb.storage.util.ByteSource;
import dev.powdb.storage.wal.WalRecordType;
import dev.powdb.storage.wal.WalSegmentReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A WAL archive directory (format: {@code docs/formats/wal-archive.md}): {@code archive.json} naming the database
 * whose WAL it holds, and per archived segment {@code <16 hex>.wal} (the segment, byte for byte) with its listing
 * {@code <16 hex>.wal.json}: first and last LSN, length, BLAKE3, the commit times it holds and its restore points.
 * A segment counts as archived only once its listing exists; both are written to a temporary name, fsynced and
 * renamed, the listing last.
 */
public final class WalArchive implements WalArchiveService.Target {
    /** Name of the archive's identity file. */
    public static final String ID_FILE = "archive.json";
    /** Suffix of a segment's listing. */
    public static final String LISTING_SUFFIX = ".json";
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A restore point found in the WAL. */
    public record RestorePoint(String name, long lsn, long timeMicros) {
    }

    /**
     * The listing of one archived segment.
     *
     * @param firstCommitMicros time of its first commit (-1 when it holds none), {@code lastCommitMicros} likewise
     */
    public record Segment(String name, long firstLsn, long lastLsn, long lengthBytes, String blake3Hex,
                          long firstCommitMicros, long lastCommitMicros, List<RestorePoint> restorePoints) {
    }

    private final Path dir;
    private final String databaseId;
    private final HashingFileCopier copier = new HashingFileCopier();

    private WalArchive(Path dir, String databaseId) {
        this.dir = dir;
        this.databaseId = databaseId;
    }

    /** Found by the storage engine through {@link java.util.ServiceLoader}. */
    public static final class Service implements WalArchiveService {
        @Override
        public Target open(Path dir, String databaseId) throws IOException {
            return WalArchive.open(dir, databaseId);
        }
    }

    /** Opens (creating if needed) the archive at {@code dir} for the database {@code databaseId}. */
    static WalArchive open(Path dir, String databaseId) throws IOException {
        Targets.checkCopySettings();
        if (Files.isSymbolicLink(dir)) {
            throw Targets.invalid("WAL archive " + dir + " is a symbolic link; give the real directory");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw Targets.invalid("WAL archive " + dir + ": its parent directory does not exist");
            }
            HashingFileCopier.createPrivateDirectory(dir);
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw Targets.invalid("WAL archive " + dir + " exists and is not a directory");
        }
        Path id = dir.resolve(ID_FILE);
        if (Files.exists(id, LinkOption.NOFOLLOW_LINKS)) {
            String owner = readOwner(dir);
            if (!owner.equals(databaseId)) {
                throw Targets.invalid("WAL archive " + dir + " holds the WAL of database " + owner + ", not of this "
                        + "database (" + databaseId + "). A restored database is a new database: give it an archive "
                        + "directory of its own");
            }
            return new WalArchive(dir, databaseId);
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            if (s.iterator().hasNext()) {
                throw Targets.invalid("WAL archive " + dir + " is not empty and has no " + ID_FILE + ": it is not a "
                        + "PowDB WAL archive; give an empty or new directory");
            }
        }
        WalArchive a = new WalArchive(dir, databaseId);
        try {
            ObjectNode n = JSON.createObjectNode();
            n.put("format_version", FORMAT_VERSION);
            n.put("database_id", databaseId);
            a.copier.write((JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8), dir, ID_FILE);
            return a;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /** Stops the copier's threads. */
    @Override
    public void close() {
        copier.close();
    }

    /** The database id an archive belongs to. */
    static String readOwner(Path dir) {
        Path id = dir.resolve(ID_FILE);
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(id));
            if (n == null || !n.path("database_id").isTextual() || n.path("format_version").asInt() != FORMAT_VERSION) {
                throw new BackupException(ErrorCode.CORRUPT, id + " is not a WAL archive identity of format version "
                        + FORMAT_VERSION);
            }
            return n.get("database_id").textValue();
        } catch (IOException e) {
            throw new BackupException(ErrorCode.CORRUPT, "cannot read " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean contains(long firstLsn) {
        return Files.exists(dir.resolve(BackupManifest.walName(firstLsn) + LISTING_SUFFIX), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void archive(Path segment, long firstLsn, long lastLsn) throws IOException {
        String name = BackupManifest.walName(firstLsn);
        if (contains(firstLsn)) {
            return;
        }
        byte[] data = Files.readAllBytes(segment);
        Segment listing = describe(data, name, firstLsn, segment.toString());
        if (listing.lastLsn() != lastLsn) {
            throw new BackupException(ErrorCode.CORRUPT, segment + " holds LSNs " + firstLsn + " to "
                    + listing.lastLsn() + ", expected up to " + lastLsn);
        }
        Path target = dir.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // A copy whose listing never got written (a crash in between): replace it.
            Files.delete(target);
        }
        HashingFileCopier.Result r = copier.write(data, dir, name);
        if (!r.blake3Hex().equals(listing.blake3Hex())) {
            throw new BackupException(ErrorCode.IO, "archived copy of " + segment + " does not hash as its source");
        }
        copier.write(toJson(listing), dir, name + LISTING_SUFFIX);
    }

    /** Checks a whole segment's bytes and describes them (commit times, restore points, BLAKE3). */
    static Segment describe(byte[] data, String name, long firstLsn, String resource) {
        long[] commits = {-1, -1};
        List<RestorePoint> points = new ArrayList<>();
        WalSegmentReader.Contents c = WalSegmentReader.read(data, firstLsn, resource, r -> {
            if (r.type == WalRecordType.COMMIT && r.payload.length >= 8) {
                long t = new ByteSource(r.payload).i64();
                commits[0] = commits[0] < 0 ? t : commits[0];
                commits[1] = t;
            } else if (r.type == WalRecordType.RESTORE_POINT) {
                ByteSource in = new ByteSource(r.payload);
                long t = in.i64();
                points.add(new RestorePoint(in.str(), r.lsn, t));
            }
        });
        return new Segment(name, firstLsn, c.lastLsn(), data.length, Blake3.hex(data), commits[0], commits[1],
                List.copyOf(points));
    }

    private byte[] toJson(Segment s) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", FORMAT_VERSION);
        n.put("database_id", databaseId);
        n.put("name", s.name());
        n.put("first_lsn", s.firstLsn());
        n.put("last_lsn", s.lastLsn());
        n.put("len", s.lengthBytes());
        n.put("blake3_hex", s.blake3Hex());
        n.put("first_commit_unix_micros", s.firstCommitMicros());
        n.put("last_commit_unix_micros", s.lastCommitMicros());
        ArrayNode rp = n.putArray("restore_points");
        for (RestorePoint p : s.restorePoints()) {
            rp.addObject().put("name", p.name()).put("lsn", p.lsn()).put("time_unix_micros", p.timeMicros());
        }
        return (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a listing; errors name the file and the field. */
    static Segment readListing(Path file, String expectedDatabaseId) {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            String where = file.toString();
            if (n == null || !n.isObject() || n.path("format_version").asInt() != FORMAT_VERSION) {
                throw new BackupException(ErrorCode.CORRUPT, where + ": not a WAL archive listing of format version "
                        + FORMAT_VERSION);
            }
            if (!expectedDatabaseId.equals(n.path("database_id").asText())) {
                throw new BackupException(ErrorCode.CORRUPT, where + ": lists WAL of database "
                        + n.path("database_id").asText() + ", the archive belongs to " + expectedDatabaseId);
            }
            String name = n.path("name").asText();
            long first = n.path("first_lsn").asLong(-1);
            long last = n.path("last_lsn").asLong(-1);
            long len = n.path("len").asLong(-1);
            String hash = n.path("blake3_hex").asText();
            if (!name.equals(BackupManifest.walName(first)) || !(name + LISTING_SUFFIX).equals(
                    file.getFileName().toString()) || last < first || len < 65 || !Blake3.isHex(hash)) {
                throw new BackupException(ErrorCode.CORRUPT, where + ": inconsistent listing (name " + name
                        + ", LSNs " + first + " to " + last + ", " + len + " bytes)");
            }
            List<RestorePoint> points = new ArrayList<>();
            for (JsonNode p : n.path("restore_points")) {
                points.add(new RestorePoint(p.path("name").asText(), p.path("lsn").asLong(),
                        p.path("time_unix_micros").asLong()));
            }
            return new Segment(name, first, last, len, hash, n.path("first_commit_unix_micros").asLong(-1),
                    n.path("last_commit_unix_micros").asLong(-1), List.copyOf(points));
        } catch (IOException e) {
            throw new BackupException(ErrorCode.CORRUPT, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every listed segment of the archive at {@code dir}, in LSN order. */
    static List<Segment> list(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(ErrorCode.NOT_FOUND, "no WAL archive at " + dir + ": no such directory");
        }
        if (!Files.exists(dir.resolve(ID_FILE))) {
            throw new BackupException(ErrorCode.NOT_FOUND, "no WAL archive at " + dir + ": it has no " + ID_FILE);
        }
        String owner = readOwner(dir);
        List<Segment> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.wal" + LISTING_SUFFIX)) {
            for (Path p : s) {
                out.add(readListing(p, owner));
            }
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparingLong(Segment::firstLsn));
        return out;
    }

    /**
     * Reads an archived segment whole and checks it against its listing (length, BLAKE3, every record).
     *
     * @throws BackupException CORRUPT naming the file and what differs
     */
    static byte[] readChecked(Path dir, Segment s) {
        Path p = dir.resolve(s.name());
        Restorer.StoredFileProblem problem = Restorer.storedFileProblem(dir, s.name(), s.lengthBytes());
        if (problem != null) {
            throw new BackupException(ErrorCode.CORRUPT, "WAL archive: " + problem.message());
        }
        try {
            byte[] data = Files.readAllBytes(p);
            String hash = Blake3.hex(data);
            if (!hash.equals(s.blake3Hex())) {
                throw new BackupException(ErrorCode.CORRUPT, "WAL archive: " + p + " is damaged: its BLAKE3 is "
                        + hash + ", the listing says " + s.blake3Hex());
            }
            WalSegmentReader.Contents c = WalSegmentReader.read(data, s.firstLsn(), p.toString(), null);
            if (c.lastLsn() != s.lastLsn()) {
                throw new BackupException(ErrorCode.CORRUPT, "WAL archive: " + p + " holds LSNs up to " + c.lastLsn()
                        + ", the listing says " + s.lastLsn());
            }
            return data;
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Where the archive at {@code dir} skips LSNs: pairs {missing first, missing last}. */
    static List<long[]> gaps(List<Segment> segments) {
        List<long[]> out = new ArrayList<>();
        for (int i = 1; i < segments.size(); i++) {
            long expected = segments.get(i - 1).lastLsn() + 1;
            if (segments.get(i).firstLsn() != expected) {
                out.add(new long[] {expected, segments.get(i).firstLsn() - 1});
            }
        }
        return out;
    }
}
