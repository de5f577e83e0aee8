package dev.powdb.backup;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.util.ByteSource;
import dev.powdb.storage.wal.WalRecord;
import dev.powdb.storage.wal.WalRecordType;
import dev.powdb.storage.wal.WalSegmentReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Plans a point-in-time restore: which WAL segments (from the archive, or kept by the last backup) cover the log
 * from the backup's undo LSN to the target, and which LSN the target is. Everything is read and checked (BLAKE3,
 * every record) before the restore writes anything; gaps and damage are refused with the segment and LSNs.
 */
final class PointInTime {
    /** One segment to install in the restored {@code wal/}: its bytes, cut right after the target's record. */
    record Piece(String name, long firstLsn, byte[] bytes) {
    }

    /** The plan: the LSN replay stops at, and the segments. */
    record Plan(long untilLsn, List<Piece> pieces) {
        long bytes() {
            long n = 0;
            for (Piece p : pieces) {
                n += p.bytes().length;
            }
            return n;
        }
    }

    private record Source(long firstLsn, long lastLsn, Path file, String origin, WalArchive.Segment listing,
                          BackupManifest.WalEntry entry) {
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
                    "backup " + last.dir(), null, w));
        }
        for (WalArchive.Segment s : listed) {
            Source old = sources.get(s.firstLsn());
            if (old == null || s.lastLsn() >= old.lastLsn()) {
                sources.put(s.firstLsn(), new Source(s.firstLsn(), s.lastLsn(), archive.resolve(s.name()),
                        "archive " + archive, s, null));
            }
        }
        long from = Math.min(b.undoLsn(), b.startLsn());
        // The run of segments from the one holding `from` on, up to the first gap.
        List<Source> run = new ArrayList<>();
        Long start = sources.floorKey(from);
        if (start == null || sources.get(start).lastLsn() < from - 1) {
            long earliest = sources.isEmpty() ? -1 : sources.firstKey();
            throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: the WAL archive " + archive
                    + " does not hold LSN " + from + " where replay on top of " + last.dir() + " must start"
                    + (earliest < 0 ? " (it is empty)" : " (its earliest segment starts at LSN " + earliest + ")")
                    + "; restore a later backup, or one taken after archiving began");
        }
        long[] gap = null;
        for (Source s = sources.get(start); s != null; ) {
            run.add(s);
            Source next = sources.get(s.lastLsn() + 1);
            if (next == null) {
                Long after = sources.higherKey(s.lastLsn() + 1);
                if (after != null) {
                    gap = new long[] {s.lastLsn() + 1, after - 1};
                }
            }
            s = next;
        }
        long end = run.get(run.size() - 1).lastLsn();
        long until = resolve(target, b, run, end, gap, last.dir());
        List<Piece> pieces = new ArrayList<>();
        for (Source s : run) {
            if (s.firstLsn() > until) {
                break;
            }
            byte[] data = read(s);
            if (s.lastLsn() > until) {
                int[] cut = {-1};
                WalSegmentReader.read(data, s.firstLsn(), s.file().toString(), r -> {
                    if (r.lsn == until) {
                        cut[0] = (int) (r.offset + dev.powdb.storage.wal.WalFormat.FRAME_HEADER_SIZE
                                + r.payload.length);
                    }
                });
                data = java.util.Arrays.copyOf(data, cut[0]);
            }
            pieces.add(new Piece(s.file().getFileName().toString(), s.firstLsn(), data));
        }
        return new Plan(until, pieces);
    }

    /** The whole segment, checked against its listing or manifest entry. */
    private static byte[] read(Source s) {
        if (s.listing() != null) {
            return WalArchive.readChecked(s.file().getParent(), s.listing());
        }
        BackupManifest.WalEntry w = s.entry();
        Restorer.checkStored(s.file().getParent(), w.name(), w.lengthBytes());
        try {
            byte[] data = Files.readAllBytes(s.file());
            String hash = Blake3.hex(data);
            if (!hash.equals(w.blake3Hex())) {
                throw new BackupException(ErrorCode.CORRUPT, "restore refused: " + s.file() + " is damaged (BLAKE3 "
                        + hash + ", the manifest says " + w.blake3Hex() + ")");
            }
            WalSegmentReader.read(data, w.firstLsn(), s.file().toString(), null);
            return data;
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot read " + s.file() + ": " + e.getMessage(), e);
        }
    }

    private static long resolve(RestoreTarget t, BackupManifest b, List<Source> run, long end, long[] gap,
                                Path backup) {
        String gapText = gap == null ? "" : "; the archive has a gap: LSNs " + gap[0] + " to " + gap[1]
                + " are missing";
        long backupEnd = b.sourceLsn();
        if (end < backupEnd) {
            throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: the WAL archive ends at LSN " + end
                    + ", before the backup's end LSN " + backupEnd + gapText);
        }
        switch (t.kind()) {
            case END -> {
                if (gap != null) {
                    throw new BackupException(ErrorCode.CORRUPT, "restore refused: the WAL archive " + t.archive()
                            + " has a gap: LSNs " + gap[0] + " to " + gap[1] + " are missing, so the WAL after it "
                            + "cannot be replayed. Restore up to the gap with --until-lsn " + (gap[0] - 1));
                }
                return end;
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
                return t.lsn();
            }
            case TIME -> {
                long micros = t.time().getEpochSecond() * 1_000_000L + t.time().getNano() / 1000;
                long[] firstAfter = {-1};
                long[] lateBeforeEnd = {-1};
                scan(run, r -> {
                    if (r.type == WalRecordType.COMMIT && r.payload.length >= 8) {
                        long c = new ByteSource(r.payload).i64();
                        if (c > micros) {
                            if (r.lsn <= backupEnd && lateBeforeEnd[0] < 0) {
                                lateBeforeEnd[0] = r.lsn;
                            } else if (r.lsn > backupEnd && firstAfter[0] < 0) {
                                firstAfter[0] = r.lsn;
                            }
                        }
                    }
                    return firstAfter[0] < 0;
                });
                if (lateBeforeEnd[0] >= 0) {
                    throw Targets.invalid("--until-time " + t.time() + " is before the end of backup " + backup
                            + ": it holds a transaction committed later (LSN " + lateBeforeEnd[0] + "); restore an "
                            + "older backup");
                }
                if (firstAfter[0] < 0) {
                    if (gap != null) {
                        throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: no commit after "
                                + t.time() + " before the end of the archive's contiguous WAL (LSN " + end + ")"
                                + gapText + "; give --until-lsn " + end + " to restore up to the gap");
                    }
                    return end;
                }
                return firstAfter[0] - 1;
            }
            case POINT -> {
                long[] found = {-1, -1};
                scan(run, r -> {
                    if (r.type == WalRecordType.RESTORE_POINT) {
                        ByteSource in = new ByteSource(r.payload);
                        in.i64();
                        if (in.str().equals(t.point())) {
                            if (r.lsn <= backupEnd) {
                                found[1] = r.lsn;
                            } else {
                                found[0] = r.lsn;
                                return false;
                            }
                        }
                    }
                    return true;
                });
                if (found[0] >= 0) {
                    return found[0];
                }
                if (found[1] >= 0) {
                    throw Targets.invalid("restore point \"" + t.point() + "\" (LSN " + found[1] + ") is before the "
                            + "end LSN " + backupEnd + " of backup " + backup + ": restore an older backup");
                }
                throw new BackupException(ErrorCode.NOT_FOUND, "restore refused: no restore point named \""
                        + t.point() + "\" in the WAL from LSN " + backupEnd + " to " + end + gapText);
            }
            default -> throw new IllegalStateException(t.kind().toString());
        }
    }

    /** Visits the records of the run in order while {@code visitor} returns true. */
    private static void scan(List<Source> run, java.util.function.Predicate<WalRecord> visitor) {
        boolean[] go = {true};
        for (Source s : run) {
            if (!go[0]) {
                return;
            }
            byte[] data = read(s);
            WalSegmentReader.read(data, s.firstLsn(), s.file().toString(), r -> {
                if (go[0]) {
                    go[0] = visitor.test(r);
                }
            });
        }
    }
}
