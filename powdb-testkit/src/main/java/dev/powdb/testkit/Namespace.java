package dev.powdb.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The directory tree: roots (always present and durable), every directory's current and durable entries, and the
 * journal of directory changes not yet durable, in the order they were made. Paths given here are already
 * absolute and normalised. Not thread-safe.
 */
final class Namespace {
    /** One entry change: {@code node} becomes {@code dir}'s entry {@code name}, or the entry goes when null. */
    private record EntryChange(DirNode dir, String name, Node node) {
    }

    private final TreeMap<String, DirNode> roots = new TreeMap<>();
    /** Unsynced changes grouped by the call that made them, oldest first; a rename is one group of two. */
    private final List<List<EntryChange>> journal = new ArrayList<>();

    /** The node at {@code path}, or null. */
    Node lookup(Path path) {
        return walk(path, false);
    }

    /** The node at {@code path} in the durable tree (what a crash dropping every unsynced change would leave). */
    Node lookupDurable(Path path) {
        return walk(path, true);
    }

    /** The directory holding {@code path}'s last name, or null when it is missing or not a directory. */
    DirNode parentDir(Path path) {
        Path parent = path.getParent();
        Node node = parent == null ? null : lookup(parent);
        return node instanceof DirNode dir ? dir : null;
    }

    /** Makes {@code node} the entry {@code name} of {@code dir} (or removes the entry when null), unsynced. */
    void change(DirNode dir, String name, Node node) {
        List<EntryChange> group = new ArrayList<>(1);
        group.add(new EntryChange(dir, name, node));
        apply(group);
    }

    /** Moves {@code node} from one entry to another in one atomic change, replacing the target. */
    void move(DirNode fromDir, String fromName, DirNode toDir, String toName, Node node) {
        List<EntryChange> group = new ArrayList<>(2);
        group.add(new EntryChange(fromDir, fromName, null));
        group.add(new EntryChange(toDir, toName, node));
        apply(group);
    }

    /** Makes every change of {@code dir}'s entries durable. */
    void syncDirectory(DirNode dir) {
        dir.sync();
        for (List<EntryChange> group : journal) {
            group.removeIf(c -> c.dir == dir);
        }
        journal.removeIf(List::isEmpty);
    }

    /** Number of change groups (creations, deletions, renames) not yet durable. */
    int unsyncedChangeCount() {
        return journal.size();
    }

    /**
     * Power loss for directories: decides which unsynced changes survive, makes the result both current and
     * durable, and returns every file of the new tree once, in a fixed order.
     */
    List<FileNode> crash(CrashMode mode, Random random) {
        boolean keepAll = mode == CrashMode.KEEP_ALL;
        if (!keepAll) {
            int survivors = mode == CrashMode.DROP_ALL ? 0 : random.nextInt(journal.size() + 1);
            for (List<EntryChange> group : journal.subList(0, survivors)) {
                for (EntryChange c : group) {
                    put(c.dir.durable, c.name, c.node);
                }
            }
        }
        journal.clear();
        List<FileNode> files = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DirNode root : roots.values()) {
            settle(root, keepAll, seen, files);
        }
        return files;
    }

    /** Every file reachable now, once each, in a fixed order. */
    List<FileNode> currentFiles() {
        List<FileNode> files = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DirNode root : roots.values()) {
            collectFiles(root, seen, files);
        }
        return files;
    }

    /** A deep copy sharing nothing with this one. */
    Namespace deepCopy() {
        IdentityHashMap<Node, Node> copies = new IdentityHashMap<>();
        Namespace copy = new Namespace();
        for (Map.Entry<String, DirNode> e : roots.entrySet()) {
            copy.roots.put(e.getKey(), (DirNode) Node.copyOf(e.getValue(), copies));
        }
        for (List<EntryChange> group : journal) {
            List<EntryChange> copied = new ArrayList<>(group.size());
            for (EntryChange c : group) {
                copied.add(new EntryChange((DirNode) Node.copyOf(c.dir, copies), c.name,
                        Node.copyOf(c.node, copies)));
            }
            copy.journal.add(copied);
        }
        return copy;
    }

    private void apply(List<EntryChange> group) {
        for (EntryChange c : group) {
            put(c.dir.current, c.name, c.node);
        }
        journal.add(group);
    }

    private static void put(Map<String, Node> entries, String name, Node node) {
        if (node == null) {
            entries.remove(name);
        } else {
            entries.put(name, node);
        }
    }

    private Node walk(Path path, boolean durable) {
        Node node = roots.computeIfAbsent(path.getRoot().toString(), r -> new DirNode());
        for (Path name : path) {
            if (!(node instanceof DirNode dir)) {
                return null;
            }
            node = (durable ? dir.durable : dir.current).get(name.toString());
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** After a crash, the durable entries (or, keeping all, the current ones) become both views. */
    private static void settle(DirNode dir, boolean keepAll, Set<Node> seen, List<FileNode> files) {
        if (!seen.add(dir)) {
            return;
        }
        if (keepAll) {
            dir.sync();
        } else {
            dir.current.clear();
            dir.current.putAll(dir.durable);
        }
        for (Node child : dir.current.values()) {
            if (child instanceof DirNode sub) {
                settle(sub, keepAll, seen, files);
            } else if (seen.add(child)) {
                files.add((FileNode) child);
            }
        }
    }

    private static void collectFiles(DirNode dir, Set<Node> seen, List<FileNode> files) {
        if (!seen.add(dir)) {
            return;
        }
        for (Node child : dir.current.values()) {
            if (child instanceof DirNode sub) {
                collectFiles(sub, seen, files);
            } else if (seen.add(child)) {
                files.add((FileNode) child);
            }
        }
    }
}
