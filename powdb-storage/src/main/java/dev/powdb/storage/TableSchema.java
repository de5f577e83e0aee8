package dev.powdb.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A table's name, its columns in order and its indexes. Immutable. */
public final class TableSchema {
    private final String name;
    private final List<ColumnDef> columns;
    private final List<IndexDef> indexes;
    /** Column name to position, for lookups by name on every row. */
    private final java.util.Map<String, Integer> positions = new java.util.HashMap<>();

    /**
     * @throws PowDbException when a name is invalid, a column name repeats, or there are no columns
     */
    public TableSchema(String name, List<ColumnDef> columns, List<IndexDef> indexes) {
        this.name = Names.checkIdentifier(name, "table name");
        if (columns.isEmpty()) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "table " + name + " needs at least one column");
        }
        Set<String> seen = new HashSet<>();
        for (ColumnDef c : columns) {
            if (!seen.add(c.name())) {
                throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "table " + name + ": column " + c.name()
                        + " is declared twice");
            }
        }
        for (IndexDef i : indexes) {
            if (!seen.contains(i.column())) {
                throw new PowDbException(ErrorCode.NOT_FOUND, "table " + name + ": index on unknown column "
                        + i.column());
            }
        }
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        for (int i = 0; i < columns.size(); i++) {
            positions.put(columns.get(i).name(), i);
        }
        this.indexes = Collections.unmodifiableList(new ArrayList<>(indexes));
    }

    /** A table without indexes. */
    public TableSchema(String name, List<ColumnDef> columns) {
        this(name, columns, List.of());
    }

    public String name() {
        return name;
    }

    public List<ColumnDef> columns() {
        return columns;
    }

    public List<IndexDef> indexes() {
        return indexes;
    }

    /** Position of the column named {@code column}, or -1. */
    public int columnIndex(String column) {
        Integer i = positions.get(column);
        return i == null ? -1 : i;
    }

    /** The column named {@code column}; throws {@link ErrorCode#NOT_FOUND} when there is none. */
    public ColumnDef column(String column) {
        int i = columnIndex(column);
        if (i < 0) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "table " + name + " has no column " + column);
        }
        return columns.get(i);
    }

    /** The index on {@code column}, or null. */
    public IndexDef index(String column) {
        for (IndexDef i : indexes) {
            if (i.column().equals(column)) {
                return i;
            }
        }
        return null;
    }
}
