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
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
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
