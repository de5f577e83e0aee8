package dev.powdb.storage;

import dev.powdb.storage.catalog.CatalogFile;
import dev.powdb.storage.engine.ControlFile;
import dev.powdb.storage.engine.Engine;
import dev.powdb.storage.wal.Wal;
import dev.powdb.storage.wal.WalFormat;

/**
 * The one place that says which files of a data directory are durable state. Backups copy exactly the durable
 * files; a census test fails when the engine writes a file this class does not know.
 */
public final class DataDirectory {
    /** What a file in a data directory is. */
    public enum FileKind {
        /** Checkpoint record ({@code control.bin}). */
        CONTROL,
        /** Schema ({@code catalog.bin}). */
        CATALOG,
        /** Paged heap file of a table ({@code <table>.heap}). */
        HEAP,
        /** Paged B+tree file of an index ({@code <table>_<column>.idx}). */
        INDEX,
        /** WAL segment ({@code wal/<16 hex>.wal}). */
        WAL_SEGMENT,
        /** The WAL directory itself. */
        WAL_DIR,
        /** The directory of change-tracking summaries ({@code track/}). */
        TRACK_DIR,
        /**
         * A change-tracking summary ({@code track/<16 hex>-<16 hex>.pgs}): never part of a backup (a restored
         * database starts tracking afresh), rebuilt by scanning page LSNs when lost.
         */
        TRACK_SUMMARY,
        /** Writer lock: never part of a backup. */
        LOCK,
        /**
         * Temporary file of an atomic replace in progress, or the WAL's next segment while it is prepared
         * ({@code wal/next-segment.tmp}): never part of a backup, removed at open.
         */
        TEMPORARY,
        /** Not written by PowDB. */
        UNKNOWN
    }

    private DataDirectory() {
    }

    /**
     * Classifies a path relative to the data directory, with {@code /} as separator (e.g. {@code wal/...}).
     */
    public static FileKind classify(String relative) {
        if (relative.equals(ControlFile.NAME)) {
            return FileKind.CONTROL;
        }
        if (relative.equals(CatalogFile.NAME)) {
            return FileKind.CATALOG;
        }
        if (relative.equals(Engine.LOCK_FILE)) {
            return FileKind.LOCK;
        }
        if (relative.equals(Engine.WAL_DIR)) {
            return FileKind.WAL_DIR;
        }
        if (relative.startsWith(Engine.WAL_DIR + "/")) {
            String name = relative.substring(Engine.WAL_DIR.length() + 1);
            if (name.equals(Wal.NEXT_SEGMENT_NAME)) {
                return FileKind.TEMPORARY; // the next segment while it is prepared; deleted at open
            }
            return WalFormat.parseSegmentName(name) >= 0 ? FileKind.WAL_SEGMENT : FileKind.UNKNOWN;
        }
        if (relative.equals("track")) {
            return FileKind.TRACK_DIR;
        }
        if (relative.startsWith("track/")) {
            return relative.substring(6).matches("[0-9a-f]{16}-[0-9a-f]{16}\\.pgs") ? FileKind.TRACK_SUMMARY
                    : FileKind.UNKNOWN;
        }
        if (relative.contains("/")) {
            return FileKind.UNKNOWN;
        }
        if (relative.endsWith(".tmp")) {
            return FileKind.TEMPORARY;
        }
        String stem = relative.endsWith(".heap") ? relative.substring(0, relative.length() - 5)
                : relative.endsWith(".idx") ? relative.substring(0, relative.length() - 4) : null;
        if (stem != null && stem.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return relative.endsWith(".heap") ? FileKind.HEAP : FileKind.INDEX;
        }
        return FileKind.UNKNOWN;
    }

    /** Whether files of this kind are durable state that a backup must hold. */
    public static boolean isDurable(FileKind kind) {
        return kind == FileKind.CONTROL || kind == FileKind.CATALOG || kind == FileKind.HEAP
                || kind == FileKind.INDEX || kind == FileKind.WAL_SEGMENT;
    }
}
