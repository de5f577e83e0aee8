package dev.powdb.storage.wal;

/** Record types of the WAL. Codes are part of the on-disk format. */
public final class WalRecordType {
    /**
     * Change of one page: {@code u32 fileId, u32 pageNo, u8 flags (1 = full image: zero the page first),
     * u16 n, n x (u16 offset, u16 length, bytes)} redo ranges, then {@code u16 m, m x (u16 offset, u16 length,
     * bytes)} undo ranges holding the bytes before the change; bit 15 of an undo length marks a range that was all
     * zeros, stored without its bytes.
     */
    public static final int PAGE_EDIT = 1;
    /** End of a transaction that took effect: {@code u64 commit time in microseconds since the epoch}. */
    public static final int COMMIT = 2;
    /** End of a transaction whose changes were all undone (by compensating PAGE_EDITs before it). */
    public static final int ABORT = 3;
    /** New catalog: {@code blob after, blob before} (serialised catalogs). */
    public static final int CATALOG = 4;
    /**
     * A named point to restore to, outside any transaction (transaction id 0): {@code u64 time in microseconds
     * since the epoch, str name}. Recovery skips it; point-in-time restore stops right after it.
     */
    public static final int RESTORE_POINT = 5;

    private WalRecordType() {
    }

    public static String name(int type) {
        switch (type) {
            case PAGE_EDIT: return "page-edit";
            case COMMIT: return "commit";
            case ABORT: return "abort";
            case CATALOG: return "catalog";
            case RESTORE_POINT: return "restore-point";
            default: return "unknown(" + type + ")";
        }
    }
}
