package dev.powdb.testkit.lock;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.PowDbException;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer lock between processes: a database held open by a child JVM is refused to this one (open and verify)
 * with LOCKED and the child's PID; once the child is killed with SIGKILL its lock is taken over and its committed
 * data is intact. And the other way round: refused opens inside this JVM must not drop the operating-system lock
 * that keeps other processes out.
 */
class ProcessLockTest {
    @TempDir
    Path tmp;

    static TableSchema schema() {
        return new TableSchema("t", List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("v", ColumnType.STR)), List.of(new IndexDef("id", true)));
    }

    @Test
    void databaseHeldByAnotherProcessIsLockedUntilThatProcessDies() throws Exception {
        Path dir = tmp.resolve("db");
        try (Database db = Database.open(dir)) {
            db.createTable(schema());
            for (long i = 0; i < 50; i++) {
                db.insertValues("t", i, "parent" + i);
            }
        }
        Process child = java(HoldOpenMain.class, dir.toString(), "50", "50");
        try {
            long childPid;
            long lastAck = -1;
            try (BufferedReader out = reader(child)) {
                String line;
                while ((line = out.readLine()) != null && line.startsWith("ack ")) {
                    lastAck = Long.parseLong(line.substring(4));
                }
                assertNotNull(line, "child ended before it was ready");
                assertTrue(line.startsWith("ready "), line);
                childPid = Long.parseLong(line.substring(6));
                assertEquals(child.pid(), childPid);
                assertEquals(99, lastAck);

                Map<String, byte[]> before = files(dir);
                PowDbException open = assertThrows(PowDbException.class, () -> Database.open(dir));
                assertEquals(ErrorCode.LOCKED, open.code(), open.getMessage());
                assertTrue(open.getMessage().contains(String.valueOf(childPid)),
                        "message names the holder's PID " + childPid + ": " + open.getMessage());
                assertTrue(open.getMessage().contains(dir.toString()), "message names the directory: "
                        + open.getMessage());
                PowDbException verify = assertThrows(PowDbException.class, () -> Database.verify(dir));
                assertEquals(ErrorCode.LOCKED, verify.code(), verify.getMessage());
                assertTrue(verify.getMessage().contains(String.valueOf(childPid)), verify.getMessage());
                assertSameFiles(before, files(dir), "after the refused open and verify");
                assertTrue(child.isAlive(), "the child still holds the database");

                child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close.
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            }
            String stale = Files.readString(dir.resolve("LOCK"), StandardCharsets.US_ASCII).trim();
            assertEquals(String.valueOf(childPid), stale, "the dead child's lock file is left behind");

            try (Database db = Database.open(dir)) {
                assertEquals(String.valueOf(ProcessHandle.current().pid()),
                        Files.readString(dir.resolve("LOCK"), StandardCharsets.US_ASCII).trim(),
                        "the lock now names this process");
                Set<Long> ids = new HashSet<>();
                for (Row r : db.scan("t", null)) {
                    assertTrue(ids.add((Long) r.get("id")), "duplicate " + r);
                    long id = (Long) r.get("id");
                    assertEquals((id < 50 ? "parent" : "child") + id, r.get("v"), "row " + id);
                }
                Set<Long> expected = new HashSet<>();
                for (long i = 0; i < 100; i++) {
                    expected.add(i);
                    assertEquals(1, db.lookup("t", "id", i).size(), "index entry of " + i);
                }
                assertEquals(expected, ids, "committed rows of both processes, and not the child's open "
                        + "transaction");
                db.insertValues("t", 100L, "after takeover");
            }
            VerifyReport rep = Database.verify(dir);
            assertTrue(rep.ok(), rep.toString());
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * While this process holds the database, another process must stay locked out, also after this process itself
     * tried (and failed) to open or verify the directory a second time. On Linux, closing any file descriptor of
     * the LOCK file drops every POSIX lock the process holds on it, so a refused second attempt that opens and
     * closes its own channel to the LOCK file would silently release the real owner's lock.
     */
    @Test
    void refusedAttemptsInsideThisJvmKeepOtherProcessesOut() throws Exception {
        String me = String.valueOf(ProcessHandle.current().pid());
        List<String> outcomes = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        // Each case on its own directory, so that one failure cannot mask or cause another.
        String[][] cases = {{"nothing", "open"}, {"open", "open"}, {"open", "verify"}, {"verify", "open"},
                {"verify", "verify"}};
        for (String[] c : cases) {
            Path dir = tmp.resolve("db-" + c[0] + "-" + c[1]);
            try (Database db = Database.open(dir)) {
                db.createTable(schema());
                db.insertValues("t", 1L, "one");
                if (c[0].equals("open")) {
                    assertEquals(ErrorCode.LOCKED,
                            assertThrows(PowDbException.class, () -> Database.open(dir)).code());
                } else if (c[0].equals("verify")) {
                    assertEquals(ErrorCode.LOCKED,
                            assertThrows(PowDbException.class, () -> Database.verify(dir)).code());
                }
                String result = tryInChild(c[1], dir);
                String outcome = "child " + c[1] + " after a refused " + c[0] + " in this JVM: " + result;
                outcomes.add(outcome);
                if (!result.startsWith("LOCKED ") || !result.contains(me)) {
                    wrong.add(outcome);
                }
                db.insertValues("t", 2L, "two");
                assertEquals(2, db.count("t", null));
            }
        }
        assertEquals(List.of(), wrong, "another process must be refused with LOCKED naming PID " + me
                + "; all outcomes: " + outcomes);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static String tryInChild(String mode, Path dir) throws Exception {
        Process p = java(TryOpenMain.class, mode, dir.toString());
        try (BufferedReader out = reader(p)) {
            String line = out.readLine();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not finish");
            assertNotNull(line, "child printed nothing (exit " + p.exitValue() + ")");
            return line;
        } finally {
            p.destroyForcibly();
        }
    }

    private static Process java(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
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

    private static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after, String when) {
        assertEquals(before.keySet(), after.keySet(), when + ": files");
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertTrue(Arrays.equals(e.getValue(), after.get(e.getKey())), when + ": " + e.getKey() + " changed");
        }
    }
}
