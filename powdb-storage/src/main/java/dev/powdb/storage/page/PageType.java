package dev.powdb.storage.page;

/** Values of the page-type byte of the common page header. */
public final class PageType {
    /** Never written (all zeros) or freed and available for reuse. */
    public static final int FREE = 0;
    /** Page 0 of every paged file: magic, format version, file kind, file id. */
    public static final int FILE_HEADER = 1;
    /** Slotted page of table rows. */
    public static final int HEAP = 2;
    /** Continuation page of a value too large to stay inside its row. */
    public static final int OVERFLOW = 3;
    /** B+tree leaf. */
    public static final int BTREE_LEAF = 4;
    /** B+tree inner node. */
    public static final int BTREE_INNER = 5;
    /** B+tree meta page (root pointer). */
    public static final int BTREE_META = 6;

    private PageType() {
    }

    /** A short name for reports. */
    public static String name(int type) {
        switch (type) {
            case FREE: return "free";
            case FILE_HEADER: return "file-header";
            case HEAP: return "heap";
            case OVERFLOW: return "overflow";
            case BTREE_LEAF: return "btree-leaf";
            case BTREE_INNER: return "btree-inner";
            case BTREE_META: return "btree-meta";
            default: return "unknown(" + type + ")";
        }
    }
}
