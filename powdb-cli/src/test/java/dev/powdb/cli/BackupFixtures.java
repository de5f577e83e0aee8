package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Small databases and file helpers shared by the backup command tests. */
final class BackupFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private BackupFixtures() {
    }

    /** Creates a database at {@code dir} with table {@code item} (unique {@code id}, {@code name}) of ids 1..rows. */
    static void createDatabase(Path dir, int rows) {
        try (Database db = Database.open(dir)) {
            db.createTable(new TableSchema("item", List.of(ColumnDef.required("id", ColumnType.INT),
                    ColumnDef.optional("name", ColumnType.STR)), List.of(new IndexDef("id", true))));
            insert(db, 1, rows);
        }
    }

    /** Inserts rows with ids {@code from..to} into {@code item}. */
    static void insert(Database db, long from, long to) {
        try (Transaction tx = db.begin()) {
            for (long id = from; id <= to; id++) {
                tx.insertValues("item", id, "name-" + id);
            }
            tx.commit();
        }
    }

    /** Rows of {@code item} in the database at {@code dir}. */
    static long count(Path dir) {
        try (Database db = Database.openExisting(dir, dev.powdb.storage.DatabaseOptions.defaults())) {
            return db.count("item", null);
        }
    }

    /** Every regular file under {@code dir} (relative name, {@code /}-separated) and its bytes. */
    static Map<String, byte[]> contents(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Whether two {@link #contents} snapshots hold the same names with the same bytes. */
    static boolean sameContents(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The field names of a JSON object, sorted. */
    static TreeSet<String> keys(JsonNode node) {
        TreeSet<String> keys = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    /** The sorted set of {@code names}. */
    static TreeSet<String> set(String... names) {
        return new TreeSet<>(List.of(names));
    }

    /** Parses standard output that must be one JSON document. */
    static JsonNode json(CliRun r) {
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out() + "\nstderr: " + r.err(), e);
        }
    }

    /** Lines of {@code text}. */
    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\n")));
    }
}
