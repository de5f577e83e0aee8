package dev.powdb.storage.catalog;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;

/**
 * A column as stored: its position in the row encoding never changes. A dropped column keeps its position (rows
 * still carry its bytes) but is hidden from the schema.
 */
public final class ColumnMeta {
    public final String name;
    public final ColumnType type;
    public final boolean required;
    public final Object defaultValue;
    public final boolean dropped;

    public ColumnMeta(String name, ColumnType type, boolean required, Object defaultValue, boolean dropped) {
        this.name = name;
        this.type = type;
        this.required = required;
        this.defaultValue = defaultValue;
        this.dropped = dropped;
    }

    public ColumnDef toDef() {
        return new ColumnDef(name, type, required, defaultValue);
    }

    public ColumnMeta asDropped() {
        return new ColumnMeta(name, type, required, defaultValue, true);
    }
}
