package dev.powdb.storage.catalog;

import dev.powdb.storage.ColumnType;
import dev.powdb.storage.CorruptionException;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.util.ByteSink;
import dev.powdb.storage.util.ByteSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The schema of a database: tables, columns and indexes, with the ids of their files. Immutable; every change makes
 * a new catalog with a higher version. Serialised form (inside {@code catalog.bin} and WAL catalog records):
 * <pre>
 *   u64 version, u32 nextFileId, u32 nextTableId, u32 tableCount, tables...
 *   table: u32 id, str name, u32 heapFileId, str heapFile, u16 columnCount, columns..., u16 indexCount, indexes...
 *   column: str name, u8 type code, u8 flags (1 required, 2 dropped, 4 has default), [default value]
 *   index: str column, u16 columnPos, u8 unique, u32 fileId, str fileName
 * </pre>
 */
public final class Catalog {
    public final long version;
    public final int nextFileId;
    public final int nextTableId;
    public final List<TableMeta> tables;

    public Catalog(long version, int nextFileId, int nextTableId, List<TableMeta> tables) {
        this.version = version;
        this.nextFileId = nextFileId;
        this.nextTableId = nextTableId;
        List<TableMeta> sorted = new ArrayList<>(tables);
        sorted.sort(Comparator.comparing(t -> t.name));
        this.tables = Collections.unmodifiableList(sorted);
    }

    /** The catalog of a new database. */
    public static Catalog empty() {
        return new Catalog(1, 1, 1, List.of());
    }

    public TableMeta table(String name) {
        for (TableMeta t : tables) {
            if (t.name.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The table, or {@link ErrorCode#NOT_FOUND}. */
    public TableMeta require(String name) {
        TableMeta t = table(name);
        if (t == null) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "no table named " + name);
        }
        return t;
    }

    /** File name (in the data directory) of file id {@code fileId}, or null. */
    public String fileName(int fileId) {
        for (TableMeta t : tables) {
            if (t.heapFileId == fileId) {
                return t.heapFile;
            }
            for (IndexMeta i : t.indexes) {
                if (i.fileId == fileId) {
                    return i.fileName;
                }
            }
        }
        return null;
    }

    /** Names of all files the catalog owns. */
    public Set<String> fileNames() {
        Set<String> names = new HashSet<>();
        for (TableMeta t : tables) {
            names.add(t.heapFile);
            for (IndexMeta i : t.indexes) {
                names.add(i.fileName);
            }
        }
        return names;
    }

    /** A new catalog with {@code table} replaced (or added, or removed when {@code replacement} is null). */
    public Catalog with(String name, TableMeta replacement, int newNextFileId, int newNextTableId) {
        List<TableMeta> ts = new ArrayList<>();
        for (TableMeta t : tables) {
            if (!t.name.equals(name)) {
                ts.add(t);
            }
        }
        if (replacement != null) {
            ts.add(replacement);
        }
        return new Catalog(version + 1, newNextFileId, newNextTableId, ts);
    }

    /** A file name not used by any file of this catalog, starting from {@code preferred}. */
    public String freeFileName(String preferred, String suffix, int fileId) {
        Set<String> used = fileNames();
        String name = preferred + suffix;
        return used.contains(name) ? preferred + "_" + fileId + suffix : name;
    }

    public byte[] serialize() {
        ByteSink out = new ByteSink(1024);
        out.i64(version).i32(nextFileId).i32(nextTableId).i32(tables.size());
        for (TableMeta t : tables) {
            out.i32(t.id).str(t.name).i32(t.heapFileId).str(t.heapFile).u16(t.columns.size());
            for (ColumnMeta c : t.columns) {
                int flags = (c.required ? 1 : 0) | (c.dropped ? 2 : 0) | (c.defaultValue != null ? 4 : 0);
                out.str(c.name).u8(c.type.code()).u8(flags);
                if (c.defaultValue != null) {
                    writeValue(out, c.type, c.defaultValue);
                }
            }
            out.u16(t.indexes.size());
            for (IndexMeta i : t.indexes) {
                out.str(i.column).u16(i.columnPos).u8(i.unique ? 1 : 0).i32(i.fileId).str(i.fileName);
            }
        }
        return out.toByteArray();
    }

    /**
     * Parses a serialised catalog.
     *
     * @param resource named in the error when the bytes are damaged
     */
    public static Catalog deserialize(byte[] bytes, String resource) {
        try {
            ByteSource in = new ByteSource(bytes);
            long version = in.i64();
            int nextFileId = in.i32();
            int nextTableId = in.i32();
            int n = in.i32();
            List<TableMeta> tables = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int id = in.i32();
                String name = in.str();
                int heapFileId = in.i32();
                String heapFile = in.str();
                int cn = in.u16();
                List<ColumnMeta> cols = new ArrayList<>();
                for (int c = 0; c < cn; c++) {
                    String cname = in.str();
                    ColumnType type = ColumnType.fromCode(in.u8());
                    if (type == null) {
                        throw new ByteSource.Underflow("unknown column type in table " + name);
                    }
                    int flags = in.u8();
                    Object def = (flags & 4) != 0 ? readValue(in, type) : null;
                    cols.add(new ColumnMeta(cname, type, (flags & 1) != 0, def, (flags & 2) != 0));
                }
                int in2 = in.u16();
                List<IndexMeta> idx = new ArrayList<>();
                for (int i = 0; i < in2; i++) {
                    idx.add(new IndexMeta(in.str(), in.u16(), in.u8() != 0, in.i32(), in.str()));
                }
                tables.add(new TableMeta(id, name, heapFileId, heapFile, cols, idx));
            }
            if (in.remaining() != 0) {
                throw new ByteSource.Underflow(in.remaining() + " unexpected trailing bytes");
            }
            return new Catalog(version, nextFileId, nextTableId, tables);
        } catch (ByteSource.Underflow | PowDbException e) {
            throw new CorruptionException(resource, 0, "catalog contents", "a well-formed catalog",
                    e.getMessage(), "damaged catalog");
        }
    }

    static void writeValue(ByteSink out, ColumnType type, Object v) {
        switch (type) {
            case INT: out.i64((Long) v); break;
            case FLOAT: out.i64(Double.doubleToRawLongBits((Double) v)); break;
            case BOOL: out.u8((Boolean) v ? 1 : 0); break;
            case STR: out.blob(((String) v).getBytes(java.nio.charset.StandardCharsets.UTF_8)); break;
            case BYTES: out.blob((byte[]) v); break;
            case DATETIME: {
                Instant i = (Instant) v;
                out.i64(Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000));
                break;
            }
            default: throw new IllegalStateException("unhandled type " + type);
        }
    }

    static Object readValue(ByteSource in, ColumnType type) {
        switch (type) {
            case INT: return in.i64();
            case FLOAT: return Double.longBitsToDouble(in.i64());
            case BOOL: return in.u8() != 0;
            case STR: return new String(in.blob(), java.nio.charset.StandardCharsets.UTF_8);
            case BYTES: return in.blob();
            case DATETIME: {
                long micros = in.i64();
                return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L);
            }
            default: throw new IllegalStateException("unhandled type " + type);
        }
    }
}
