package dev.powdb.storage.index;

import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.FormatVersionException;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.page.EditLog;
import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageEdit;
import dev.powdb.storage.page.PageType;
import dev.powdb.storage.page.PagedFile;

import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

import static dev.powdb.storage.index.BTreeNode.Tie;

/**
 * A B+tree of {@code (key, rowId)} entries stored in a {@link PagedFile}. Entries are ordered by key (unsigned
 * lexicographic bytes) and then by row id (signed), so every entry is unique and duplicate keys are simply
 * neighbouring entries.
 *
 * <p>File layout: page 0 is the paged-file header, page 1 the meta page ({@link #create}), every other page a node
 * (see {@link BTreeNode} and {@code docs/formats/btree.md}). Meta page:
 * <pre>
 *   0..23  common page header (type BTREE_META)
 *  24  u32  magic 0x50574254 ("PWBT")
 *  28  u32  format version (1)
 *  32  u32  root page
 *  36  u32  height: levels of nodes, 1 when the root is a leaf
 *  40  u32  maximum key bytes the tree was created with (1024)
 * </pre>
 *
 * <p>Concurrency: mutations run under the database's writer lock, held by the caller; readers may run concurrently
 * with each other, never with a writer. The object keeps no mutable state (the root is re-read from the meta page by
 * each call, so an undo of the meta page is always seen), which is what makes concurrent readers safe. Readers hold a
 * page's read latch only while copying from it, never while calling back into the caller.
 *
 * <p>Deletes never merge nodes: a leaf may become empty and stays linked in the leaf chain, which scans skip.
 */
public final class BTree {
    /** Maximum key length in bytes accepted by insert (larger keys are rejected with INVALID_ARGUMENT). */
    public static final int MAX_KEY_BYTES = 1024;
    /** Format version of the meta page and nodes written by this build. */
    public static final int FORMAT_VERSION = 1;

    static final int META_PAGE = 1;
    static final int META_MAGIC = 0x50574254;
    static final int OFF_MAGIC = Page.HEADER_SIZE;
    static final int OFF_VERSION = OFF_MAGIC + 4;
    static final int OFF_ROOT = OFF_VERSION + 4;
    static final int OFF_HEIGHT = OFF_ROOT + 4;
    static final int OFF_MAX_KEY = OFF_HEIGHT + 4;
    /** Far above any real height (fan-out is at least 3); larger values mean a damaged meta page. */
    static final int MAX_HEIGHT = 40;

    static {
        // A node must hold three maximum-size cells, so that a split always leaves both halves non-empty.
        if (3 * (MAX_KEY_BYTES + BTreeNode.INNER_CELL_OVERHEAD + 2) > BTreeNode.USABLE) {
            throw new AssertionError("page too small for MAX_KEY_BYTES");
        }
    }

    private final PagedFile file;

    private BTree(PagedFile file) {
        this.file = file;
    }

    /**
     * Initialises an empty tree in a new, empty file: header page 0, meta page 1 and an empty root leaf (page 2).
     *
     * @throws PowDbException INVALID_ARGUMENT when the file already has pages
     */
    public static BTree create(PagedFile file, EditLog log) {
        if (file.pageCount() != 0) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "cannot create a B+tree in " + file.name()
                    + ": the file already has " + file.pageCount() + " pages");
        }
        file.writeHeader(log, PagedFile.KIND_INDEX);
        Page meta = file.allocate();
        try {
            Page root = file.allocate();
            try (PageEdit e = PageEdit.begin(root, log)) {
                e.page().format(PageType.BTREE_LEAF);
                NodeImage.fresh(true, 0).writeTo(e.page());
            } finally {
                root.unpin();
            }
            try (PageEdit e = PageEdit.begin(meta, log)) {
                e.page().format(PageType.BTREE_META);
                meta.putInt(OFF_MAGIC, META_MAGIC);
                meta.putInt(OFF_VERSION, FORMAT_VERSION);
                meta.putInt(OFF_ROOT, root.pageNo());
                meta.putInt(OFF_HEIGHT, 1);
                meta.putInt(OFF_MAX_KEY, MAX_KEY_BYTES);
            }
        } finally {
            meta.unpin();
        }
        return new BTree(file);
    }

    /**
     * Opens an existing tree.
     *
     * @throws CorruptionException when the header or meta page is damaged
     * @throws FormatVersionException when the meta page has a version this build does not read
     */
    public static BTree open(PagedFile file) {
        file.checkHeader(PagedFile.KIND_INDEX);
        if (file.pageCount() <= META_PAGE) {
            throw new CorruptionException(file.name(), (long) META_PAGE * Page.SIZE, "B+tree meta page",
                    "page 1", "a file of " + file.pageCount() + " page(s)", "file truncated?");
        }
        BTree tree = new BTree(file);
        tree.readMeta();
        return tree;
    }

    /** The file holding the tree. */
    public PagedFile file() {
        return file;
    }

    // ---- meta page -----------------------------------------------------------------------------------------------

    /** Root page and height, as read from the meta page at one moment. */
    record Meta(int root, int height) {
    }

    Meta readMeta() {
        Page p = file.pin(META_PAGE);
        try {
            p.latch().readLock().lock();
            try {
                return checkMeta(p);
            } finally {
                p.latch().readLock().unlock();
            }
        } finally {
            p.unpin();
        }
    }

    private Meta checkMeta(Page p) {
        long at = (long) META_PAGE * Page.SIZE;
        if (p.type() != PageType.BTREE_META) {
            throw new CorruptionException(file.name(), at, "B+tree meta page type", PageType.name(PageType.BTREE_META),
                    PageType.name(p.type()), "not an index file, or page 1 was overwritten");
        }
        int magic = p.getInt(OFF_MAGIC);
        if (magic != META_MAGIC) {
            throw new CorruptionException(file.name(), at + OFF_MAGIC, "B+tree magic",
                    Integer.toHexString(META_MAGIC), Integer.toHexString(magic), "damaged meta page");
        }
        int version = p.getInt(OFF_VERSION);
        if (version != FORMAT_VERSION) {
            throw new FormatVersionException(file.name(), version, FORMAT_VERSION, FORMAT_VERSION);
        }
        int root = p.getInt(OFF_ROOT);
        int height = p.getInt(OFF_HEIGHT);
        if (root <= META_PAGE || root >= file.pageCount()) {
            throw new CorruptionException(file.name(), at + OFF_ROOT, "B+tree root page",
                    "a page in [2, " + file.pageCount() + ")", String.valueOf(root), "damaged meta page");
        }
        if (height < 1 || height > MAX_HEIGHT) {
            throw new CorruptionException(file.name(), at + OFF_HEIGHT, "B+tree height",
                    "1 to " + MAX_HEIGHT, String.valueOf(height), "damaged meta page");
        }
        return new Meta(root, height);
    }

    // ---- descent ---------------------------------------------------------------------------------------------------

    /**
     * Walks from the root to the leaf whose key range holds the probe.
     *
     * @param path  when not null (length = height), receives the page of each level, root first
     * @param slots when not null, receives for each inner level the index at which a separator for the chosen
     *              child would be inserted (the number of separators at or below the probe)
     * @return the leaf's page number
     */
    private int descend(Meta meta, byte[] key, long rowId, Tie tie, int[] path, int[] slots) {
        int pageNo = meta.root();
        for (int depth = 0; depth < meta.height() - 1; depth++) {
            if (path != null) {
                path[depth] = pageNo;
            }
            Page p = file.pin(pageNo);
            try {
                p.latch().readLock().lock();
                try {
                    expectNode(p, meta.height() - 1 - depth);
                    int i = BTreeNode.upperBound(p, key, rowId, tie);
                    if (slots != null) {
                        slots[depth] = i;
                    }
                    pageNo = i == 0 ? BTreeNode.link(p) : BTreeNode.child(p, BTreeNode.cellOffset(p, i - 1));
                } finally {
                    p.latch().readLock().unlock();
                }
            } finally {
                p.unpin();
            }
        }
        if (path != null) {
            path[meta.height() - 1] = pageNo;
        }
        return pageNo;
    }

    /** The first leaf of the chain. */
    private int leftmostLeaf(Meta meta) {
        int pageNo = meta.root();
        for (int level = meta.height() - 1; level > 0; level--) {
            Page p = file.pin(pageNo);
            try {
                expectNode(p, level);
                pageNo = BTreeNode.link(p);
            } finally {
                p.unpin();
            }
        }
        return pageNo;
    }

    /** Refuses to interpret a page as a node of the given level when its type or level says otherwise. */
    private void expectNode(Page p, int level) {
        int expectedType = level == 0 ? PageType.BTREE_LEAF : PageType.BTREE_INNER;
        if (p.type() != expectedType || BTreeNode.level(p) != level) {
            throw new CorruptionException(file.name(), (long) p.pageNo() * Page.SIZE,
                    "B+tree node of page " + p.pageNo(), PageType.name(expectedType) + " at level " + level,
                    PageType.name(p.type()) + " at level " + BTreeNode.level(p), "damaged index; rebuild it");
        }
    }

    // ---- writes ----------------------------------------------------------------------------------------------------

    /**
     * Adds the entry {@code (key, rowId)}. The caller holds the database's writer lock; every page change goes
     * through {@code log}. A full node splits, and splits may propagate up to a new root.
     *
     * @param key   0 to {@link #MAX_KEY_BYTES} bytes; not retained
     * @throws PowDbException        INVALID_ARGUMENT when the key is longer than {@link #MAX_KEY_BYTES}
     * @throws IllegalStateException when exactly this entry is already present (the tree is unchanged)
     * @throws NullPointerException  when {@code key} is null
     */
    public void insert(EditLog log, byte[] key, long rowId) {
        insert(log, key, rowId, false);
    }

    /**
     * Adds (key, rowId) unless some entry already has this key; one descent does both the check and the insert.
     *
     * @return false, changing nothing, when the key is present
     */
    public boolean insertUnique(EditLog log, byte[] key, long rowId) {
        return insert(log, key, rowId, true);
    }

    private boolean insert(EditLog log, byte[] key, long rowId, boolean unique) {
        Objects.requireNonNull(key, "key");
        if (key.length > MAX_KEY_BYTES) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "index key of " + key.length
                    + " bytes is longer than the maximum of " + MAX_KEY_BYTES + " bytes");
        }
        int fast = appendToRightmostLeaf(log, key, rowId, unique);
        if (fast >= 0) {
            return fast == 1;
        }
        Meta meta = readMeta();
        int height = meta.height();
        int[] path = new int[height];
        int[] slots = new int[height];
        descend(meta, key, rowId, Tie.EXACT, path, slots);
        NodeSplitter.Split split;
        Page leaf = file.pin(path[height - 1]);
        try {
            int pos = BTreeNode.lowerBound(leaf, key, rowId, Tie.EXACT);
            if (pos < BTreeNode.count(leaf)
                    && BTreeNode.compare(leaf, BTreeNode.cellOffset(leaf, pos), key, rowId, Tie.EXACT) == 0) {
                throw new IllegalStateException("entry (" + hex(key) + ", " + rowId + ") is already in "
                        + file.name());
            }
            if (unique && hasKeyNear(leaf, pos, key)) {
                return false;
            }
            if (BTreeNode.link(leaf) == 0) {
                rightmostLeafHint = leaf.pageNo();
            }
            split = NodeSplitter.insert(file, log, leaf, pos, BTreeNode.leafCell(key, rowId));
        } finally {
            leaf.unpin();
        }
        for (int depth = height - 2; split != null && depth >= 0; depth--) {
            Page parent = file.pin(path[depth]);
            try {
                byte[] cell = BTreeNode.innerCell(split.separator(), split.rightPage());
                split = NodeSplitter.insert(file, log, parent, slots[depth], cell);
            } finally {
                parent.unpin();
            }
        }
        if (split != null) {
            growRoot(log, meta, split);
        }
        return true;
    }

    /**
     * Page number of the rightmost leaf as last seen by the writer. Only a hint for ascending inserts: it is
     * checked (a leaf, no right sibling, entries below the new one) before every use, so a stale value after a
     * split or rollback costs nothing but the normal descent.
     */
    private volatile int rightmostLeafHint = -1;

    /**
     * Ascending keys (the common load pattern) go at the end of the rightmost leaf; when the hint says which
     * leaf that is and the entry fits, this inserts it without descending from the root.
     *
     * @return 1 inserted, 0 refused as a duplicate key (unique), -1 not applicable: take the normal path
     */
    private int appendToRightmostLeaf(EditLog log, byte[] key, long rowId, boolean unique) {
        int hint = rightmostLeafHint;
        if (hint <= 1 || hint >= file.pageCount()) {
            return -1;
        }
        Page leaf = file.pin(hint);
        try {
            if (leaf.type() != PageType.BTREE_LEAF) {
                return -1;
            }
            int next = BTreeNode.link(leaf);
            if (next != 0) {
                // The hinted leaf was split: its new right sibling may be the rightmost leaf now.
                rightmostLeafHint = next;
                return -1;
            }
            int n = BTreeNode.count(leaf);
            if (n == 0) {
                return -1;
            }
            int last = BTreeNode.cellOffset(leaf, n - 1);
            if (BTreeNode.compare(leaf, last, key, rowId, Tie.EXACT) >= 0) {
                return -1;
            }
            if (unique && BTreeNode.compareKey(leaf, last, key) == 0) {
                return 0;
            }
            return NodeSplitter.insertInPlace(log, leaf, n, BTreeNode.leafCell(key, rowId)) ? 1 : -1;
        } finally {
            leaf.unpin();
        }
    }

    /**
     * Whether an entry with {@code key} exists, given that (key, rowId) would go at {@code pos} of {@code leaf}:
     * such entries sit right before or at {@code pos}; only at a leaf's edge may they be in a neighbour leaf.
     */
    private boolean hasKeyNear(Page leaf, int pos, byte[] key) {
        int n = BTreeNode.count(leaf);
        if (pos > 0 && BTreeNode.compareKey(leaf, BTreeNode.cellOffset(leaf, pos - 1), key) == 0) {
            return true;
        }
        if (pos < n && BTreeNode.compareKey(leaf, BTreeNode.cellOffset(leaf, pos), key) == 0) {
            return true;
        }
        if (pos > 0 && pos < n) {
            return false;
        }
        if (pos == n && n > 0 && BTreeNode.link(leaf) == 0) {
            return false; // the rightmost leaf: nothing follows (the common case of ascending keys)
        }
        return containsKey(key);
    }

    /** Puts a new root above the old one after the old root split; the tree gets one level taller. */
    private void growRoot(EditLog log, Meta meta, NodeSplitter.Split split) {
        Page root = file.allocate();
        try (PageEdit e = PageEdit.begin(root, log)) {
            NodeImage img = NodeImage.fresh(false, meta.height());
            img.setLink(meta.root());
            img.insert(0, BTreeNode.innerCell(split.separator(), split.rightPage()));
            e.page().format(PageType.BTREE_INNER);
            img.writeTo(e.page());
        } finally {
            root.unpin();
        }
        Page m = file.pin(META_PAGE);
        try (PageEdit e = PageEdit.begin(m, log)) {
            e.page().putInt(OFF_ROOT, root.pageNo());
            e.page().putInt(OFF_HEIGHT, meta.height() + 1);
        } finally {
            m.unpin();
        }
    }

    /**
     * Removes the entry {@code (key, rowId)}. The caller holds the writer lock. Nodes are not merged: a leaf may be
     * left empty.
     *
     * @return false when the entry was not present (including any key longer than {@link #MAX_KEY_BYTES})
     */
    public boolean delete(EditLog log, byte[] key, long rowId) {
        Objects.requireNonNull(key, "key");
        if (key.length > MAX_KEY_BYTES) {
            return false;
        }
        Meta meta = readMeta();
        Page leaf = file.pin(descend(meta, key, rowId, Tie.EXACT, null, null));
        try {
            int pos = BTreeNode.lowerBound(leaf, key, rowId, Tie.EXACT);
            if (pos == BTreeNode.count(leaf)
                    || BTreeNode.compare(leaf, BTreeNode.cellOffset(leaf, pos), key, rowId, Tie.EXACT) != 0) {
                return false;
            }
            NodeImage img = NodeImage.of(leaf, true);
            img.remove(pos);
            try (PageEdit e = PageEdit.begin(leaf, log)) {
                img.writeTo(e.page());
            }
            return true;
        } finally {
            leaf.unpin();
        }
    }

    // ---- reads -----------------------------------------------------------------------------------------------------

    /** Visitor of {@link #range}: receives each entry in order and returns false to stop the scan. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * @param key   the entry's key (a fresh array the visitor may keep)
         * @param rowId the entry's row id
         * @return true to continue, false to stop
         */
        boolean visit(byte[] key, long rowId);
    }

    /** True if the entry {@code (key, rowId)} exists: one descent, whatever the number of equal keys. */
    public boolean containsEntry(byte[] key, long rowId) {
        Objects.requireNonNull(key, "key");
        if (key.length > MAX_KEY_BYTES) {
            return false;
        }
        Meta meta = readMeta();
        Page leaf = file.pin(descend(meta, key, rowId, Tie.EXACT, null, null));
        try {
            int pos = BTreeNode.lowerBound(leaf, key, rowId, Tie.EXACT);
            return pos < BTreeNode.count(leaf)
                    && BTreeNode.compare(leaf, BTreeNode.cellOffset(leaf, pos), key, rowId, Tie.EXACT) == 0;
        } finally {
            leaf.unpin();
        }
    }

    /** True if any entry has exactly this key (unique checks). */
    public boolean containsKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        boolean[] found = new boolean[1];
        new LeafScan(file, key, true, key, true, false).run(readMeta(), this::findLeaf, (k, rowId) -> {
            found[0] = true;
            return false;
        });
        return found[0];
    }

    /** Calls {@code visitor} with the row id of every entry whose key equals {@code key}, in row-id order. */
    public void lookup(byte[] key, LongConsumer visitor) {
        Objects.requireNonNull(key, "key");
        new LeafScan(file, key, true, key, true, false).run(readMeta(), this::findLeaf, (k, rowId) -> {
            visitor.accept(rowId);
            return true;
        });
    }

    /**
     * Visits, in order, the entries whose key lies between {@code lo} and {@code hi}.
     *
     * @param lo          lower key bound, or null for no lower bound
     * @param loInclusive whether entries with key equal to {@code lo} are included
     * @param hi          upper key bound, or null for no upper bound
     * @param hiInclusive whether entries with key equal to {@code hi} are included
     * @param visitor     called per entry; returning false ends the scan
     */
    public void range(byte[] lo, boolean loInclusive, byte[] hi, boolean hiInclusive, EntryVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        new LeafScan(file, lo, loInclusive, hi, hiInclusive, true).run(readMeta(), this::findLeaf, visitor);
    }

    /** The leaf where a scan starting at {@code lo} begins (the first leaf when {@code lo} is null). */
    private int findLeaf(Meta meta, byte[] lo, Tie tie) {
        return lo == null ? leftmostLeaf(meta) : descend(meta, lo, 0, tie, null, null);
    }

    /** Number of entries, counted by walking the leaf chain. */
    public long count() {
        Meta meta = readMeta();
        long n = 0;
        int pageNo = leftmostLeaf(meta);
        int visited = 0;
        while (pageNo != 0) {
            LeafScan.checkChainLength(file, pageNo, ++visited);
            Page p = file.pin(pageNo);
            try {
                expectNode(p, 0);
                n += BTreeNode.count(p);
                pageNo = BTreeNode.link(p);
            } finally {
                p.unpin();
            }
        }
        return n;
    }

    /**
     * Checks the tree's structure: page types and levels, slot and cell bounds, key order within and across pages,
     * separators bounding their children, the leaf chain, reachability of every non-free page and the height.
     * Checksums are checked by the page layer when pages are read; failures are reported here too.
     *
     * @param problems receives one human-readable line per problem, naming the page
     * @return the number of entries seen in the leaves
     */
    public long verify(List<String> problems) {
        return new BTreeVerifier(file, problems).run();
    }

    static String hex(byte[] key) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(key.length, 32);
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", key[i] & 0xFF));
        }
        if (key.length > n) {
            sb.append("...(").append(key.length).append(" bytes)");
        }
        return sb.length() == 0 ? "<empty>" : sb.toString();
    }

    @Override
    public String toString() {
        return "BTree[" + file.name() + "]";
    }
}
