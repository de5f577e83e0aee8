package dev.powdb.storage;

import dev.powdb.storage.page.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The invariant incremental backups depend on: after any workload, every page whose bytes changed since LSN x has a
 * page LSN greater than x, and every page whose LSN is at most x is byte-for-byte unchanged.
 */
class PageLsnInvariantTest {
    @TempDir
    Path tmp;

    static Map<String, byte[]> snapshot(Path dir) throws Exception {
        Map<String, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".heap") || n.endsWith(".idx")) {
                    m.put(n, Files.readAllBytes(p));
                }
            }
        }
        return m;
    }

    @Test
    void changedPagesCarryNewerLsnsAcrossRandomWorkloads() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            Path dir = tmp.resolve("db" + seed);
            Random rnd = new Random(seed);
            long x;
            Map<String, byte[]> before;
            try (Database db = Database.open(dir)) {
                db.createTable(new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                        ColumnDef.optional("s", ColumnType.STR), ColumnDef.optional("n", ColumnType.INT)),
                        List.of(new IndexDef("id", true), new IndexDef("n", false))));
                for (long i = 0; i < 2000; i++) {
                    db.insertValues("t", i, "s".repeat(rnd.nextInt(300)), (long) rnd.nextInt(50));
                }
            }
            before = snapshot(dir);
            try (Database db = Database.open(dir)) {
                x = db.maxLsn();
                for (int op = 0; op < 300; op++) {
                    long id = rnd.nextInt(2500);
                    switch (rnd.nextInt(5)) {
                        case 0 -> db.deleteBy("t", "id", id);
                        case 1 -> db.updateBy("t", "id", id, Map.of("s", "u".repeat(rnd.nextInt(2000))));
                        case 2 -> db.updateBy("t", "id", id, Map.of("n", (long) rnd.nextInt(50)));
                        case 3 -> {
                            if (db.getBy("t", "id", id).isEmpty()) {
                                db.insertValues("t", id, "new", 1L);
                            }
                        }
                        default -> {
                            try (Transaction tx = db.begin()) {
                                tx.deleteBy("t", "id", id);
                                tx.rollback();
                            }
                        }
                    }
                }
                if (seed % 2 == 0) {
                    db.addColumn("t", ColumnDef.optional("extra", ColumnType.INT));
                    db.createIndex("t", "extra", false);
                }
            }
            Map<String, byte[]> after = snapshot(dir);
            int changed = 0;
            for (Map.Entry<String, byte[]> e : after.entrySet()) {
                byte[] a = e.getValue();
                byte[] b = before.getOrDefault(e.getKey(), new byte[0]);
                for (int off = 0; off < a.length; off += Page.SIZE) {
                    byte[] pa = Arrays.copyOfRange(a, off, off + Page.SIZE);
                    byte[] pb = off + Page.SIZE <= b.length ? Arrays.copyOfRange(b, off, off + Page.SIZE) : null;
                    long lsn = Page.imageLsn(pa);
                    boolean same = pb != null && Arrays.equals(pa, pb);
                    if (!same) {
                        changed++;
                        assertTrue(lsn > x, "seed " + seed + ": " + e.getKey() + " page " + off / Page.SIZE
                                + " changed but its LSN " + lsn + " is not above " + x);
                    } else {
                        assertTrue(lsn <= x, "seed " + seed + ": unchanged page with LSN " + lsn + " > " + x);
                    }
                }
            }
            assertTrue(changed > 0, "the workload changed no page");
        }
    }
}
