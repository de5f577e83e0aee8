package dev.powdb.backup;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.util.ByteSource;
import dev.powdb.storage.wal.WalFormat;
import dev.powdb.storage.wal.WalRecord;
import dev.powdb.storage.wal.WalRecordType;
import dev.powdb.storage.wal.WalSegmentReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Plans and installs the WAL of a point-in-time restore: the segments (from the archive, or kept by the last
 * backup) that cover the log from the backup's undo LSN to the target, and the LSN the target is. Planning reads
 * each needed segment once, checking its BLAKE3 and every record, and resolves the target on the way, before the
 * restore writes anything; gaps and damage are refused with the segment and LSNs. Installing copies the segments
 * again with their BLAKE3 checked while copying, so at most one segment is ever held in memory.
 */
final class PointInTime {
    /** A segment to install in the restored {@code wal/}: all of it, or its first {@code lengthBytes} bytes. */
    record Piece(Source source, long lengthBytes) {
    }

    /** The plan: the LSN replay stops at, and the segments. */
    record Plan(long untilLsn, List<Piece> pieces) {
        long bytes() {
            long n = 0;
            for (Piece p : pieces) {
                n += p.lengthBytes();
            }
            return n;
        }
    }

    /** A whole segment and what its listing or manifest entry says of it. */
    record Source(long firstLsn, long lastLsn, Path file, long lengthBytes, String blake3Hex) {
    }

    private PointInTime() {
    }

    static Plan plan(BackupChain.Link last, String backupDatabaseId, RestoreTarget target) {
        BackupManifest b = last.manifest();
        Path archive = target.archive();
        List<WalArchive.Segment> listed = WalArchive.list(archive);
        String owner = WalArchive.readOwner(archive);
        if (!owner.equals(backupDatabaseId)) {
            throw Targets.invalid("WAL archive " + archive + " holds the WAL of database " + owner + "; the backup "
                    + last.dir() + " is of database " + backupDatabaseId);
        }
        TreeMap<Long, Source> sources = new TreeMap<>();
        for (BackupManifest.WalEntry w : b.wal()) {
            sources.put(w.firstLsn(), new Source(w.firstLsn(), w.lastLsn(), last.dir().resolve(w.name()),
                    w.lengthBytes(), w.blake3Hex()));
        }
        for (WalArchive.Segment s : listed) {
            Source old = sources.get(s.firstLsn());
            if (old == null || s.lastLsn() >= old.lastLsn()) {
                sources.put(s.firstLsn(), new Source(s.firstLsn(), s.lastLsn(), archive.resolve(s.name()),
                        s.lengthBytes(), s.blake3Hex()));
            }
        }
        long from = Math.min(b.undoLsn(), b.startLsn());
        Long start = sources.floorKey(from);
        if (start == null || sources.get(start).lastLsn() < from - 1) {
            long earliest = sources.isEmpty() ? -1 : sources.firstKey();
            throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: the WAL archive " + archive
                    + " does not hold LSN " + from + " where replay on top of " + last.dir() + " must start"
                    + (earliest < 0 ? " (it is empty)" : " (its earliest segment starts at LSN " + earliest + ")")
                    + "; restore a later backup, or one taken after archiving began");
        }
        // The run of segments from the one holding `from` on, up to the first gap.
        List<Source> run = new ArrayList<>();
        long[] gap = null;
        for (Source s = sources.get(start); s != null; ) {
            run.add(s);
            Source next = sources.get(s.lastLsn() + 1);
            Long after = sources.higherKey(s.lastLsn() + 1);
            if (next == null && after != null) {
                gap = new long[] {s.lastLsn() + 1, after - 1};
            }
            s = next;
        }
        return new Resolver(target, b.sourceLsn(), run, gap, last.dir()).resolve();
    }

    /** Copies the planned segments into {@code walDir}, each checked against its BLAKE3; returns the bytes written. */
    static long install(Plan plan, HashingFileCopier copier, Path walDir) throws IOException {
        long total = 0;
        for (Piece p : plan.pieces()) {
            Source s = p.source();
            String name = s.file().getFileName().toString();
            if (p.lengthBytes() == s.lengthBytes()) {
                HashingFileCopier.Result r = copier.copy(s.file(), walDir, name);
                if (r.lengthBytes() != s.lengthBytes() || !r.blake3Hex().equals(s.blake3Hex())) {
                    throw damaged(s, r.blake3Hex());
                }
            } else {
                byte[] data = Files.readAllBytes(s.file());
                String hash = Blake3.hex(data);
                if (data.length != s.lengthBytes() || !hash.equals(s.blake3Hex())) {
                    throw damaged(s, hash);
                }
                copier.write(Arrays.copyOf(data, (int) p.lengthBytes()), walDir, name);
            }
            total += p.lengthBytes();
        }
        return total;
    }

    private static BackupException damaged(Source s, String actual) {
        return new BackupException(ErrorCode.CORRUPT, "restore refused: " + s.file() + " is damaged (BLAKE3 "
                + actual + ", its listing says " + s.blake3Hex() + "); nothing was published");
    }

    /** The whole segment, checked against its listing or manifest entry and record by record. */
    private static byte[] read(Source s, java.util.function.Consumer<WalRecord> visitor) {
        Restorer.checkStored(s.file().getParent(), s.file().getFileName().toString(), s.lengthBytes());
        try {
            byte[] data = Files.readAllBytes(s.file());
            String hash = Blake3.hex(data);
            if (!hash.equals(s.blake3Hex())) {
                throw damaged(s, hash);
            }
            WalSegmentReader.Contents c = WalSegmentReader.read(data, s.firstLsn(), s.file().toString(), visitor);
            if (c.lastLsn() != s.lastLsn()) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: " + s.file() + " holds LSNs up to "
                        + c.lastLsn() + ", its listing says " + s.lastLsn());
            }
            return data;
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot read " + s.file() + ": " + e.getMessage(), e);
        }
    }

    /** Walks the run once, checking each segment read and finding where the target cuts the log. */
    private static final class Resolver {
        private final RestoreTarget t;
        private final long backupEnd;
        private final List<Source> run;
        private final long[] gap;
        private final Path backup;
        private final long end;
        private final String gapText;
        private final long micros;
        /** LSN of the last record replayed, once known, and the byte where its segment is cut (-1: whole). */
        private long until = -1;
        private long cut = -1;
        private long lateCommitBeforeEnd = -1;
        private long pointBeforeEnd = -1;
        /** The segment being read. */
        private Source current;

        Resolver(RestoreTarget t, long backupEnd, List<Source> run, long[] gap, Path backup) {
            this.t = t;
            this.backupEnd = backupEnd;
            this.run = run;
            this.gap = gap;
            this.backup = backup;
            this.end = run.get(run.size() - 1).lastLsn();
            this.gapText = gap == null ? "" : "; the archive has a gap: LSNs " + gap[0] + " to " + gap[1]
                    + " are missing";
            this.micros = t.time() == null ? 0 : t.time().getEpochSecond() * 1_000_000L + t.time().getNano() / 1000;
        }

        Plan resolve() {
            if (end < backupEnd) {
                throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: the WAL archive ends at LSN " + end
                        + ", before the backup's end LSN " + backupEnd + gapText);
            }
            checkBounds();
            List<Piece> pieces = new ArrayList<>();
            for (Source s : run) {
                if (until >= 0 && s.firstLsn() > until) {
                    break;
                }
                current = s;
                byte[] data = read(s, this::visit);
                if (cut != WalFormat.SEGMENT_HEADER_SIZE) {
                    pieces.add(new Piece(s, cut >= 0 ? cut : data.length));
                }
                if (cut >= 0) {
                    break;
                }
            }
            if (t.kind() == RestoreTarget.Kind.TIME && lateCommitBeforeEnd >= 0) {
                throw Targets.invalid("--until-time " + t.time() + " is before the end of backup " + backup
                        + ": it holds a transaction committed later (LSN " + lateCommitBeforeEnd + "); restore an "
                        + "older backup");
            }
            if (until < 0) {
                notFound();
            }
            return new Plan(until, pieces);
        }

        /** Targets known before reading: the LSN, or the end of the run. */
        private void checkBounds() {
            switch (t.kind()) {
                case END -> {
                    if (gap != null) {
                        throw new BackupException(ErrorCode.CORRUPT, "restore refused: the WAL archive "
                                + t.archive() + " has a gap: LSNs " + gap[0] + " to " + gap[1] + " are missing, so "
                                + "the WAL after it cannot be replayed. Restore up to the gap with --until-lsn "
                                + (gap[0] - 1));
                    }
                    until = end;
                }
                case LSN -> {
                    if (t.lsn() < backupEnd) {
                        throw Targets.invalid("--until-lsn " + t.lsn() + " is before the end LSN " + backupEnd
                                + " of backup " + backup + ": restore an older backup to reach it");
                    }
                    if (t.lsn() > end) {
                        throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: --until-lsn " + t.lsn()
                                + " is past the end of the WAL archive (LSN " + end + ")" + gapText);
                    }
                    until = t.lsn();
                }
                default -> {
                    // Found while reading.
                }
            }
        }

        private void visit(WalRecord r) {
            if (cut >= 0) {
                return;
            }
            int frameEnd = (int) r.offset + WalFormat.FRAME_HEADER_SIZE + r.payload.length;
            switch (t.kind()) {
                case END, LSN -> {
                    if (r.lsn == until && until < current.lastLsn()) {
                        cut = frameEnd;
                    }
                }
                case TIME -> {
                    if (r.type == WalRecordType.COMMIT && r.payload.length >= 8
                            && new ByteSource(r.payload).i64() > micros) {
                        if (r.lsn <= backupEnd) {
                            lateCommitBeforeEnd = lateCommitBeforeEnd < 0 ? r.lsn : lateCommitBeforeEnd;
                        } else {
                            until = r.lsn - 1; // stop right before the first commit after the time
                            cut = (int) r.offset;
                        }
                    }
                }
                case POINT -> {
                    if (r.type == WalRecordType.RESTORE_POINT) {
                        ByteSource in = new ByteSource(r.payload);
                        in.i64();
                        if (in.str().equals(t.point())) {
                            if (r.lsn <= backupEnd) {
                                pointBeforeEnd = r.lsn;
                            } else {
                                until = r.lsn;
                                cut = frameEnd;
                            }
                        }
                    }
                }
                default -> throw new IllegalStateException(t.kind().toString());
            }
        }

        /** After reading the whole run without meeting a time or point target. */
        private void notFound() {
            if (t.kind() == RestoreTarget.Kind.TIME) {
                if (gap != null) {
                    throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: no commit after " + t.time()
                            + " before the end of the archive's contiguous WAL (LSN " + end + ")" + gapText
                            + "; give --until-lsn " + end + " to restore up to the gap");
                }
                until = end;
                return;
            }
            if (pointBeforeEnd >= 0) {
                throw Targets.invalid("restore point \"" + t.point() + "\" (LSN " + pointBeforeEnd + ") is before the "
                        + "end LSN " + backupEnd + " of backup " + backup + ": restore an older backup");
            }
            throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: no restore point named \"" + t.point()
                    + "\" in the WAL from LSN " + backupEnd + " to " + end + gapText);
        }
    }
}
