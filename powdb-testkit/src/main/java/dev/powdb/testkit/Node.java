package dev.powdb.testkit;

import java.util.IdentityHashMap;

/** A file or directory of the in-memory tree; like an inode, one node may be reachable under several names. */
abstract class Node {

    /**
     * A deep copy; {@code copies} maps nodes already copied to their copies so that shared nodes stay shared.
     */
    abstract Node copy(IdentityHashMap<Node, Node> copies);

    /** The copy of {@code node} in {@code copies}, making it if needed; null stays null. */
    static Node copyOf(Node node, IdentityHashMap<Node, Node> copies) {
        if (node == null) {
            return null;
        }
        Node done = copies.get(node);
        return done != null ? done : node.copy(copies);
    }
}
