package dev.powdb.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data directory's writer lock within one JVM: a second open and a verify of a directory that is open are
 * refused with LOCKED, name the directory, and change nothing; the first handle keeps working. The same against a
 * second process is {@code dev.powdb.testkit.lock.ProcessLockTest}.
 */
class LockTest {
    @TempDir
    Path tmp;

    private static TableSchema schema() {
        return new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("v", ColumnType.STR)), List.of(new IndexDef("id", true)));
    }

    @Test
    void secondOpenInSameJvmIsRefusedAndChangesNothing() throws IOException {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(schema());
            for (long i = 0; i < 100; i++) {
                db.insertValues("t", i, "v" + i);
            }
            Map<String, byte[]> before = files(dir);
            assertTrue(before.containsKey("LOCK"), "a LOCK file exists: " + before.keySet());
            String lockText = new String(before.get("LOCK"), java.nio.charset.StandardCharsets.US_ASCII).trim();
            assertEquals(String.valueOf(ProcessHandle.current().pid()), lockText, "LOCK holds the owner's PID");

            for (int attempt = 0; attempt < 2; attempt++) {
                PowDbException e = assertThrows(PowDbException.class, () -> Database.open(dir));
                assertEquals(ErrorCode.LOCKED, e.code(), e.getMessage());
                assertTrue(e.getMessage().contains(dir.toString()), "message names the directory: " + e.getMessage());
                assertSameFiles(before, files(dir), "after refused open #" + (attempt + 1));
            }
            PowDbException withOptions = assertThrows(PowDbException.class,
                    () -> Database.open(dir, DatabaseOptions.defaults().withSyncMode(SyncMode.OFF)));
            assertEquals(ErrorCode.LOCKED, withOptions.code());
            assertSameFiles(before, files(dir), "after refused open with other options");

            // The first handle is unaffected.
            db.insertValues("t", 100L, "after");
            assertEquals(101, db.count("t", null));
            assertEquals("v5", db.getBy("t", "id", 5L).orElseThrow().get("v"));
        }
        try (Database db = Database.open(dir)) {
            assertEquals(101, db.count("t", null));
            assertEquals("after", db.getBy("t", "id", 100L).orElseThrow().get("v"));
        }
        VerifyReport rep = Database.verify(dir);
        assertTrue(rep.ok(), rep.toString());
    }

    @Test
    void verifyOfOpenDatabaseIsRefused() throws IOException {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(schema());
            db.insertValues("t", 1L, "one");
            Map<String, byte[]> before = files(dir);
            PowDbException e = assertThrows(PowDbException.class, () -> Database.verify(dir));
            assertEquals(ErrorCode.LOCKED, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toString()), "message names the directory: " + e.getMessage());
            assertSameFiles(before, files(dir), "after refused verify");
            db.insertValues("t", 2L, "two");
        }
        VerifyReport rep = Database.verify(dir);
        assertTrue(rep.ok(), rep.toString());
        try (Database db = Database.open(dir)) {
            assertEquals(2, db.count("t", null));
        }
    }

    /** A refused open leaves nothing behind: once the owner closes, the directory opens again, repeatedly. */
    @Test
    void lockIsReleasedByCloseEvenAfterRefusedOpens() throws IOException {
        Path dir = tmp.resolve("db");
        Database db = Database.open(dir);
        db.createTable(schema());
        assertEquals(ErrorCode.LOCKED, assertThrows(PowDbException.class, () -> Database.open(dir)).code());
        assertEquals(ErrorCode.LOCKED, assertThrows(PowDbException.class, () -> Database.verify(dir)).code());
        db.close();
        assertEquals(0, Files.size(dir.resolve("LOCK")), "a closed database's LOCK file names no owner");
        for (int i = 0; i < 3; i++) {
            try (Database again = Database.open(dir)) {
                again.insertValues("t", (long) i, "r" + i);
                assertEquals(ErrorCode.LOCKED, assertThrows(PowDbException.class, () -> Database.open(dir)).code());
            }
        }
        try (Database again = Database.open(dir)) {
            assertEquals(3, again.count("t", null));
        }
    }

    /** Every regular file under {@code dir} (relative path to contents). */
    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after, String when) {
        assertEquals(before.keySet(), after.keySet(), when + ": files");
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertTrue(Arrays.equals(e.getValue(), after.get(e.getKey())), when + ": " + e.getKey() + " changed");
        }
    }
}
