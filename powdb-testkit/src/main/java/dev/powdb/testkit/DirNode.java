package dev.powdb.testkit;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory: its entries as readers see them now ({@code current}) and as they were at its last successful
 * {@code syncDirectory} ({@code durable}). Sorted maps keep every walk, and so every seeded crash, deterministic.
 */
final class DirNode extends Node {
    /** Entries visible now, by name. */
    final TreeMap<String, Node> current = new TreeMap<>();
    /** Entries that survive a crash that drops unsynced directory changes, by name. */
    final TreeMap<String, Node> durable = new TreeMap<>();

    @Override
    DirNode copy(IdentityHashMap<Node, Node> copies) {
        DirNode copy = new DirNode();
        copies.put(this, copy);
        copyEntries(current, copy.current, copies);
        copyEntries(durable, copy.durable, copies);
        return copy;
    }

    /** Makes the current entries durable. */
    void sync() {
        durable.clear();
        durable.putAll(current);
    }

    private static void copyEntries(Map<String, Node> from, Map<String, Node> to, IdentityHashMap<Node, Node> copies) {
        for (Map.Entry<String, Node> e : from.entrySet()) {
            to.put(e.getKey(), copyOf(e.getValue(), copies));
        }
    }
}
