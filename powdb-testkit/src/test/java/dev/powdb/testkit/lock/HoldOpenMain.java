package dev.powdb.testkit.lock;

import dev.powdb.storage.Database;
import dev.powdb.storage.Transaction;

import java.nio.file.Path;

/**
 * Child process of {@link ProcessLockTest}: opens the database at {@code args[0]}, commits rows {@code args[1]}
 * .. {@code args[1] + args[2] - 1} (printing {@code ack <id>} after each), leaves one more transaction open and
 * uncommitted, prints {@code ready <pid>} and then holds the database open until it is killed (or its standard
 * input closes).
 */
public final class HoldOpenMain {
    private HoldOpenMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long start = Long.parseLong(args[1]);
        int count = Integer.parseInt(args[2]);
        Database db = Database.open(dir);
        if (db.tables().isEmpty()) {
            db.createTable(ProcessLockTest.schema());
        }
        for (long id = start; id < start + count; id++) {
            db.insertValues("t", id, "child" + id);
            System.out.println("ack " + id);
        }
        Transaction open = db.begin();
        open.insertValues("t", -1L, "uncommitted");
        open.updateBy("t", "id", start, java.util.Map.of("v", "uncommitted"));
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        // Hold the database (and the open transaction) until killed.
        while (System.in.read() >= 0) {
            // Ignore input.
        }
        open.rollback();
        db.close();
    }

}
