package dev.powdb.testkit.oracle;

import dev.powdb.storage.*;
import org.junit.jupiter.api.Test;
import java.util.*;

class ScratchDebugTest {
    void dump(String what, TableOperations db) {
        List<String> rows = new ArrayList<>();
        db.scan("t", null, r -> rows.add(Long.toHexString(r.rowId()) + ":" + r));
        System.out.println(what + " " + rows);
    }

    @Test
    void seed4() throws Exception {
        for (int k = 39; k <= 45; k++) { int kk = 39;
        OracleWorkload w = new OracleWorkload(4, 400);
        w.runUpTo(kk);
        dump("k=" + k + " in tx", w.tx);
        w.tx.rollback();
        dump("after", w.db);
        }
    }
}
