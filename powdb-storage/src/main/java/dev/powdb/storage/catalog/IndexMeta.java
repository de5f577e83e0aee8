package dev.powdb.storage.catalog;

/** An index as stored: the column's physical position, uniqueness and its B+tree file. */
public final class IndexMeta {
    public final String column;
    public final int columnPos;
    public final boolean unique;
    public final int fileId;
    public final String fileName;

    public IndexMeta(String column, int columnPos, boolean unique, int fileId, String fileName) {
        this.column = column;
        this.columnPos = columnPos;
        this.unique = unique;
        this.fileId = fileId;
        this.fileName = fileName;
    }
}
