package dev.powdb.storage;

import dev.powdb.storage.DataDirectory.FileKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every file the engine leaves in a data directory must be claimed by {@link DataDirectory} as durable state or
 * excluded on purpose; a file nobody claims would silently be missing from backups.
 */
class CensusTest {
    @TempDir
    Path tmp;

    static List<String> census(Path dir) throws Exception {
        List<String> unknown = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (p.equals(dir)) {
                    continue;
                }
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (DataDirectory.classify(rel) == FileKind.UNKNOWN) {
                    unknown.add(rel);
                }
            }
        }
        return unknown;
    }

    @Test
    void everyFileAfterARichWorkloadIsClaimed() throws Exception {
        Path dir = tmp.resolve("db");
        DatabaseOptions opts = DatabaseOptions.defaults().withWalSegmentBytes(64 * 1024)
                .withCheckpointWalBytes(256 * 1024);
        Database db = Database.open(dir, opts);
        db.createTable(new TableSchema("a", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("s", ColumnType.STR)), List.of(new IndexDef("id", true))));
        db.createTable(new TableSchema("b", List.of(ColumnDef.required("x", ColumnType.INT))));
        for (long i = 0; i < 3000; i++) {
            db.insertValues("a", i, i % 100 == 0 ? "big".repeat(2000) : "s" + i);
        }
        db.addColumn("a", ColumnDef.optional("extra", ColumnType.BOOL));
        db.createIndex("a", "extra", false);
        db.dropTable("b");
        db.update("a", r -> ((Long) r.get("id")) % 7 == 0, r -> Map.of("s", "seven"));
        assertEquals(List.of(), census(dir), "unclaimed files while open");
        db.engine().abandonForTesting();
        assertEquals(List.of(), census(dir), "unclaimed files after a crash");
        try (Database again = Database.open(dir, opts)) {
            again.dropIndex("a", "extra");
            again.checkpoint();
        }
        assertEquals(List.of(), census(dir), "unclaimed files after close");
        assertFalse(Files.exists(dir.resolve("b.heap")), "dropped table's file must be gone");
        assertFalse(Files.exists(dir.resolve("a_extra.idx")), "dropped index's file must be gone");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "temporary files left behind");
        }
    }

    @Test
    void classificationOfNames() {
        assertEquals(FileKind.CONTROL, DataDirectory.classify("control.bin"));
        assertEquals(FileKind.CATALOG, DataDirectory.classify("catalog.bin"));
        assertEquals(FileKind.HEAP, DataDirectory.classify("users.heap"));
        assertEquals(FileKind.INDEX, DataDirectory.classify("users_id.idx"));
        assertEquals(FileKind.WAL_SEGMENT, DataDirectory.classify("wal/00000000000000ff.wal"));
        assertEquals(FileKind.LOCK, DataDirectory.classify("LOCK"));
        assertEquals(FileKind.TRACK_SUMMARY, DataDirectory.classify("track/0000000000000001-0000000000000a3a.pgs"));
        assertEquals(FileKind.UNKNOWN, DataDirectory.classify("track/1-2.pgs"));
        assertFalse(DataDirectory.isDurable(FileKind.TRACK_SUMMARY));
        assertEquals(FileKind.TEMPORARY, DataDirectory.classify("catalog.bin.tmp"));
        assertEquals(FileKind.TEMPORARY, DataDirectory.classify("wal/" + dev.powdb.storage.wal.Wal.NEXT_SEGMENT_NAME));
        assertEquals(FileKind.UNKNOWN, DataDirectory.classify("wal/ff.wal"));
        assertEquals(FileKind.UNKNOWN, DataDirectory.classify("../x.heap"));
        assertEquals(FileKind.UNKNOWN, DataDirectory.classify("notes.txt"));
        assertFalse(DataDirectory.isDurable(FileKind.LOCK));
        assertTrue(DataDirectory.isDurable(FileKind.WAL_SEGMENT));
    }
}
