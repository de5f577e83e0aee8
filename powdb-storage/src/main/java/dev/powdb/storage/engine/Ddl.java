package dev.powdb.storage.engine;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.Names;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.catalog.Catalog;
import dev.powdb.storage.catalog.ColumnMeta;
import dev.powdb.storage.catalog.IndexMeta;
import dev.powdb.storage.catalog.TableMeta;
import dev.powdb.storage.heap.HeapFile;
import dev.powdb.storage.index.BTree;
import dev.powdb.storage.page.PagedFile;

import java.util.ArrayList;
import java.util.List;

/**
 * Schema changes. Each logs the new catalog first (so recovery knows the files before it meets their pages),
 * installs it, then initialises or fills the files. Dropped files are deleted only once the drop has committed.
 */
final class Ddl {
    private Ddl() {
    }

    static void createTable(Engine e, TxContext ctx, TableSchema schema) {
        Catalog c = e.catalog();
        if (c.table(schema.name()) != null) {
            throw new PowDbException(ErrorCode.ALREADY_EXISTS, "table " + schema.name() + " already exists");
        }
        List<ColumnMeta> cols = new ArrayList<>();
        for (ColumnDef d : schema.columns()) {
            cols.add(new ColumnMeta(d.name(), d.type(), d.required(), d.defaultValue(), false));
        }
        int fileId = c.nextFileId;
        String fileName = c.freeFileName(schema.name(), ".heap", fileId);
        TableMeta t = new TableMeta(c.nextTableId, schema.name(), fileId, fileName, cols, List.of());
        e.installCatalog(ctx, c.with(schema.name(), t, fileId + 1, c.nextTableId + 1));
        PagedFile f = e.fileById(fileId);
        if (f.pageCount() == 0) {
            HeapFile.initialize(f, ctx);
        }
    }

    static void dropTable(Engine e, TxContext ctx, String table) {
        Catalog c = e.catalog();
        c.require(table);
        e.installCatalog(ctx, c.with(table, null, c.nextFileId, c.nextTableId));
    }

    static void addColumn(Engine e, TxContext ctx, String table, ColumnDef column) {
        Catalog c = e.catalog();
        TableMeta t = c.require(table);
        if (t.position(column.name()) >= 0) {
            throw new PowDbException(ErrorCode.ALREADY_EXISTS, "table " + table + " already has a column "
                    + column.name());
        }
        if (column.required() && column.defaultValue() == null) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "cannot add required column " + table + "."
                    + column.name() + " without a default: existing rows would have no value");
        }
        List<ColumnMeta> cols = new ArrayList<>(t.columns);
        cols.add(new ColumnMeta(column.name(), column.type(), column.required(), column.defaultValue(), false));
        e.installCatalog(ctx, c.with(table, t.withColumns(cols, t.indexes), c.nextFileId, c.nextTableId));
    }

    static void dropColumn(Engine e, TxContext ctx, String table, String column) {
        Catalog c = e.catalog();
        TableMeta t = c.require(table);
        int pos = t.position(column);
        if (pos < 0) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "table " + table + " has no column " + column);
        }
        if (t.livePositions().length == 1) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "cannot drop " + table + "." + column
                    + ": it is the table's only column (drop the table instead)");
        }
        List<ColumnMeta> cols = new ArrayList<>(t.columns);
        cols.set(pos, cols.get(pos).asDropped());
        List<IndexMeta> idx = new ArrayList<>();
        for (IndexMeta m : t.indexes) {
            if (!m.column.equals(column)) {
                idx.add(m);
            }
        }
        e.installCatalog(ctx, c.with(table, t.withColumns(cols, idx), c.nextFileId, c.nextTableId));
    }

    static void createIndex(Engine e, TxContext ctx, String table, String column, boolean unique) {
        Names.checkIdentifier(column, "column name");
        Catalog c = e.catalog();
        TableMeta t = c.require(table);
        int pos = t.position(column);
        if (pos < 0) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "table " + table + " has no column " + column);
        }
        if (t.index(column) != null) {
            throw new PowDbException(ErrorCode.ALREADY_EXISTS, "column " + table + "." + column
                    + " is already indexed");
        }
        int fileId = c.nextFileId;
        String fileName = c.freeFileName(table + "_" + column, ".idx", fileId);
        List<IndexMeta> idx = new ArrayList<>(t.indexes);
        idx.add(new IndexMeta(column, pos, unique, fileId, fileName));
        e.installCatalog(ctx, c.with(table, t.withColumns(t.columns, idx), fileId + 1, c.nextTableId));
        BTree tree = BTree.create(e.fileById(fileId), ctx);
        e.registerTree(table, column, tree);
        TableStore s = e.store(table);
        int i = s.indexMetas.size() - 1;
        s.heap.scan((rid, rec) -> {
            Object[] phys = s.decode(rid, rec);
            s.indexInsert(ctx, i, phys, rid);
            return true;
        });
    }

    static void dropIndex(Engine e, TxContext ctx, String table, String column) {
        Catalog c = e.catalog();
        TableMeta t = c.require(table);
        if (t.index(column) == null) {
            throw new PowDbException(ErrorCode.NOT_FOUND, "column " + table + "." + column + " has no index");
        }
        List<IndexMeta> idx = new ArrayList<>();
        for (IndexMeta m : t.indexes) {
            if (!m.column.equals(column)) {
                idx.add(m);
            }
        }
        e.installCatalog(ctx, c.with(table, t.withColumns(t.columns, idx), c.nextFileId, c.nextTableId));
    }
}
