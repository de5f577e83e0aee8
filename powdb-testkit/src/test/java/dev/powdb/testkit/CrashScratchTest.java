package dev.powdb.testkit;

import dev.powdb.storage.*;
import dev.powdb.testkit.oracle.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import java.time.Instant;
import java.util.*;

class CrashScratchTest {
    @TempDir Path tmp;

    void dump(String what, TableOperations db) {
        List<String> rows = new ArrayList<>();
        db.scan("t", null, r -> rows.add(Long.toHexString(r.rowId()) + ":" + r.get("id")));
        System.out.println(what + " " + rows);
    }

    @Test
    void rollbackOfDeleteAndInsert() {
        for (int variant = 0; variant < 4; variant++) {
        try (Database db = Database.open(tmp.resolve("db" + variant))) {
            db.createTable(OracleTable.SCHEMA);
            for (long i = 1; i <= 5; i++) {
                db.insertValues("t", i, i % 2, "n" + i, null, 1.0, true, null);
            }
            if (variant >= 1) db.updateBy("t", "id", 5L, Map.of("data", new byte[30000]));
            db.deleteBy("t", "id", 5L);
            db.deleteBy("t", "id", 2L);
            if (variant >= 2) { db.engine().abandonForTesting(); }
            if (variant >= 2) { Database d2 = Database.open(tmp.resolve("db" + variant)); runTx(d2, variant); d2.close(); continue; }
            runTx(db, variant);
        } catch (Exception e) { throw new RuntimeException(e); }
        }
    }

    void runTx(Database db, int variant) {
            dump("v" + variant + " before", db);
            Transaction tx = db.begin();
            tx.updateBy("t", "id", 1L, Map.of("ts", Instant.now()));
            tx.insertValues("t", 6L, 7L, "n6", null, 1.0, null, null);
            tx.updateBy("t", "id", 3L, Map.of("flag", false));
            tx.insertValues("t", 7L, 0L, "n7", null, 1.0, null, null);
            dump("in tx", tx);
            tx.rollback();
            dump("after rollback", db);
    }
}
