package dev.powdb.storage;

import java.util.Objects;

/**
 * A column of a table: name, type, whether a value is required (not null), and an optional default used when an
 * insert leaves the column out and for rows that existed before the column was added.
 */
public final class ColumnDef {
    private final String name;
    private final ColumnType type;
    private final boolean required;
    private final Object defaultValue;

    /**
     * @param defaultValue value used when an insert omits the column, or null for none
     * @throws PowDbException when the name is not a valid identifier or the default does not fit the type
     */
    public ColumnDef(String name, ColumnType type, boolean required, Object defaultValue) {
        this.name = Names.checkIdentifier(name, "column name");
        this.type = Objects.requireNonNull(type, "type");
        this.required = required;
        this.defaultValue = type.coerce(defaultValue, "default of column " + name);
    }

    /** A required column without default. */
    public static ColumnDef required(String name, ColumnType type) {
        return new ColumnDef(name, type, true, null);
    }

    /** An optional (nullable) column without default. */
    public static ColumnDef optional(String name, ColumnType type) {
        return new ColumnDef(name, type, false, null);
    }

    public String name() {
        return name;
    }

    public ColumnType type() {
        return type;
    }

    public boolean required() {
        return required;
    }

    /** The default value (canonical Java class of the type), or null. */
    public Object defaultValue() {
        return defaultValue;
    }

    @Override
    public String toString() {
        return (required ? "required " : "") + name + ": " + type.keyword();
    }
}
