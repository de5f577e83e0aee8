package dev.powdb.backup;

import dev.powdb.storage.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A full backup and the increments applied on top of it, read and checked as a whole before anything is written:
 * each increment must name the previous backup of the chain as its parent, by manifest hash and by LSN, and must
 * account for every file of the state it builds on.
 */
final class BackupChain {
    /** One backup of a chain: its directory and validated manifest. */
    record Link(Path dir, BackupManifest manifest) {
    }

    /** A file of the state a chain builds: where its bytes come from last. */
    record StateFile(String name, int fileId, long lengthBytes) {
    }

    private BackupChain() {
    }

    /**
     * Reads and validates {@code dir/manifest.json}.
     *
     * @throws BackupException NOT_FOUND when {@code dir} is not a directory holding a manifest, INVALID_ARGUMENT
     *                         when the manifest is a symlink or not a regular file
     */
    static BackupManifest readManifest(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BackupException(ErrorCode.NOT_FOUND, dir + " is not a backup: no such directory");
        }
        Path file = dir.resolve(BackupManifest.FILE_NAME);
        if (Files.isSymbolicLink(file)) {
            throw new BackupException(ErrorCode.INVALID_ARGUMENT, file + " is a symbolic link; a backup's manifest "
                    + "must be a regular file");
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(ErrorCode.NOT_FOUND, dir + " is not a backup: it has no "
                    + BackupManifest.FILE_NAME + " (an interrupted backup never writes one)");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(ErrorCode.INVALID_ARGUMENT, file + " is not a regular file");
        }
        try {
            return BackupManifest.read(file);
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the chain {@code full}, {@code increments...} and checks every link.
     *
     * @throws BackupException CORRUPT naming the link that is wrong
     */
    static List<Link> load(Path full, List<Path> increments) {
        List<Link> links = new ArrayList<>();
        links.add(new Link(full, readManifest(full)));
        for (Path inc : increments) {
            links.add(new Link(inc, readManifest(inc)));
        }
        check(links);
        return links;
    }

    /** Checks the links of an already read chain (see {@link #load}) and returns the state it ends in. */
    static Map<String, StateFile> check(List<Link> links) {
        Link first = links.get(0);
        if (first.manifest().kind() != BackupManifest.Kind.FULL) {
            throw new BackupException(ErrorCode.INVALID_ARGUMENT, first.dir() + " is an incremental backup (its "
                    + "parent is at LSN " + first.manifest().parentSourceLsn() + "); give the full backup it builds "
                    + "on first and this one with --apply");
        }
        for (int i = 1; i < links.size(); i++) {
            Link prev = links.get(i - 1);
            Link cur = links.get(i);
            BackupManifest m = cur.manifest();
            String where = "increment " + i + " (" + cur.dir() + ")";
            if (m.kind() != BackupManifest.Kind.INCREMENTAL) {
                throw new BackupException(ErrorCode.INVALID_ARGUMENT, where + " is a full backup; only incremental "
                        + "backups can be applied on top of another backup");
            }
            if (!m.parentManifestBlake3().equals(prev.manifest().manifestBlake3())
                    || m.parentSourceLsn() != prev.manifest().sourceLsn()) {
                throw new BackupException(ErrorCode.CORRUPT, where + " does not follow " + prev.dir() + ": its "
                        + "parent is the backup at LSN " + m.parentSourceLsn() + " with manifest hash "
                        + m.parentManifestBlake3() + ", but " + prev.dir() + " is at LSN "
                        + prev.manifest().sourceLsn() + " with hash " + prev.manifest().manifestBlake3()
                        + " (wrong order, a missing increment, or a backup of another database)");
            }
            if (m.pageSizeBytes() != prev.manifest().pageSizeBytes()) {
                throw new BackupException(ErrorCode.CORRUPT, where + " has page size " + m.pageSizeBytes()
                        + " but its parent has " + prev.manifest().pageSizeBytes());
            }
        }
        Map<String, StateFile> state = stateOf(first);
        for (int i = 1; i < links.size(); i++) {
            state = apply(state, links.get(i), "increment " + i);
        }
        return state;
    }

    /** The state a full backup holds: every file, by name. */
    static Map<String, StateFile> stateOf(Link full) {
        Map<String, StateFile> state = new TreeMap<>();
        for (BackupManifest.FileEntry f : full.manifest().files()) {
            state.put(f.name(), new StateFile(f.name(), f.fileId(), f.lengthBytes()));
        }
        requireCoreFiles(state, full.dir());
        return state;
    }

    /** The state after applying increment {@code link} to {@code parent}; checks that the two fit together. */
    static Map<String, StateFile> apply(Map<String, StateFile> parent, Link link, String where) {
        BackupManifest m = link.manifest();
        String label = where + " (" + link.dir() + ")";
        Map<String, StateFile> next = new TreeMap<>();
        for (BackupManifest.FileEntry f : m.files()) {
            next.put(f.name(), new StateFile(f.name(), f.fileId(), f.lengthBytes()));
        }
        for (BackupManifest.DeltaEntry d : m.deltas()) {
            StateFile base = parent.get(d.name());
            if (base == null || base.fileId() != d.fileId() || base.lengthBytes() != d.baseLengthBytes()) {
                throw new BackupException(ErrorCode.CORRUPT, label + ": the delta of " + d.name() + " applies to "
                        + "file id " + d.fileId() + " of " + d.baseLengthBytes() + " bytes, but the parent state "
                        + (base == null ? "has no such file" : "has file id " + base.fileId() + " of "
                        + base.lengthBytes() + " bytes") + " (wrong parent)");
            }
            next.put(d.name(), new StateFile(d.name(), d.fileId(), d.lengthBytes()));
        }
        for (BackupManifest.UnchangedEntry u : m.unchanged()) {
            StateFile base = parent.get(u.name());
            if (base == null || base.fileId() != u.fileId() || base.lengthBytes() != u.lengthBytes()) {
                throw new BackupException(ErrorCode.CORRUPT, label + ": " + u.name() + " is listed as unchanged "
                        + "(file id " + u.fileId() + ", " + u.lengthBytes() + " bytes), but the parent state "
                        + (base == null ? "has no such file" : "has file id " + base.fileId() + " of "
                        + base.lengthBytes() + " bytes") + " (wrong parent)");
            }
            next.put(u.name(), base);
        }
        for (String r : m.removed()) {
            if (!parent.containsKey(r)) {
                throw new BackupException(ErrorCode.CORRUPT, label + ": removes " + r + ", which the parent state "
                        + "does not have (wrong parent)");
            }
        }
        for (String name : parent.keySet()) {
            if (!next.containsKey(name) && !m.removed().contains(name)) {
                throw new BackupException(ErrorCode.CORRUPT, label + ": says nothing about " + name + " of the "
                        + "parent state (neither stored, unchanged nor removed)");
            }
        }
        requireCoreFiles(next, link.dir());
        return next;
    }

    private static void requireCoreFiles(Map<String, StateFile> state, Path dir) {
        for (String core : List.of("catalog.bin", "control.bin")) {
            if (!state.containsKey(core)) {
                throw new BackupException(ErrorCode.CORRUPT, dir + ": the backup has no " + core);
            }
        }
    }

    /**
     * The state a single manifest ends in (the base of a new increment): every file it stores, deltas and
     * unchanged files included. Only names, file ids and lengths; no parent needed.
     */
    static Map<String, StateFile> endState(BackupManifest m) {
        Map<String, StateFile> state = new TreeMap<>();
        for (BackupManifest.FileEntry f : m.files()) {
            state.put(f.name(), new StateFile(f.name(), f.fileId(), f.lengthBytes()));
        }
        for (BackupManifest.DeltaEntry d : m.deltas()) {
            state.put(d.name(), new StateFile(d.name(), d.fileId(), d.lengthBytes()));
        }
        for (BackupManifest.UnchangedEntry u : m.unchanged()) {
            state.put(u.name(), new StateFile(u.name(), u.fileId(), u.lengthBytes()));
        }
        return state;
    }
}
