package dev.powdb.backup;

import dev.powdb.storage.Database;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableSchema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** A canonical text of a database's whole content (schemas with indexes, every row with its id), for equality. */
final class Snapshots {
    private Snapshots() {
    }

    static String of(Database db) {
        StringBuilder out = new StringBuilder();
        List<TableSchema> tables = new ArrayList<>(db.tables());
        tables.sort(Comparator.comparing(TableSchema::name));
        for (TableSchema t : tables) {
            out.append("table ").append(t.name()).append(' ').append(t.columns()).append(' ').append(t.indexes())
                    .append('\n');
            List<Row> rows = new ArrayList<>();
            db.scan(t.name(), r -> true, rows::add);
            rows.sort(Comparator.comparingLong(Row::rowId));
            for (Row r : rows) {
                out.append("  ").append(r.rowId()).append(' ');
                for (Object v : r.values()) {
                    out.append(v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v)).append('|');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
