package dev.powdb.storage;

/** A secondary index on one column. Unique indexes reject a second row with the same non-null key. */
public final class IndexDef {
    private final String column;
    private final boolean unique;

    public IndexDef(String column, boolean unique) {
        this.column = column;
        this.unique = unique;
    }

    /** The indexed column. */
    public String column() {
        return column;
    }

    /** Whether two rows may not share a non-null key. */
    public boolean unique() {
        return unique;
    }

    @Override
    public String toString() {
        return (unique ? "unique ." : "index .") + column;
    }
}
