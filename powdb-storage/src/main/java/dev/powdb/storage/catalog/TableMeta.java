package dev.powdb.storage.catalog;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A table as stored: columns by physical position (dropped ones included), indexes, and its heap file. */
public final class TableMeta {
    public final int id;
    public final String name;
    public final int heapFileId;
    public final String heapFile;
    public final List<ColumnMeta> columns;
    public final List<IndexMeta> indexes;
    private final TableSchema schema;
    private final int[] livePositions;

    public TableMeta(int id, String name, int heapFileId, String heapFile, List<ColumnMeta> columns,
                     List<IndexMeta> indexes) {
        this.id = id;
        this.name = name;
        this.heapFileId = heapFileId;
        this.heapFile = heapFile;
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.indexes = Collections.unmodifiableList(new ArrayList<>(indexes));
        List<ColumnDef> defs = new ArrayList<>();
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            ColumnMeta c = columns.get(i);
            if (!c.dropped) {
                defs.add(c.toDef());
                live.add(i);
            }
        }
        List<IndexDef> idx = new ArrayList<>();
        for (IndexMeta m : indexes) {
            idx.add(new IndexDef(m.column, m.unique));
        }
        this.schema = new TableSchema(name, defs, idx);
        this.livePositions = live.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The public view: live columns only. */
    public TableSchema schema() {
        return schema;
    }

    /** Physical positions of the live columns, in schema order. */
    public int[] livePositions() {
        return livePositions;
    }

    /** Physical position of live column {@code name}, or -1. */
    public int position(String name) {
        for (int p : livePositions) {
            if (columns.get(p).name.equals(name)) {
                return p;
            }
        }
        return -1;
    }

    public IndexMeta index(String column) {
        for (IndexMeta m : indexes) {
            if (m.column.equals(column)) {
                return m;
            }
        }
        return null;
    }

    public TableMeta withColumns(List<ColumnMeta> cols, List<IndexMeta> idx) {
        return new TableMeta(id, name, heapFileId, heapFile, cols, idx);
    }
}
