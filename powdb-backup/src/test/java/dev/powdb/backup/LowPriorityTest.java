package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup copy threads run at a lower CPU priority (Linux SCHED_IDLE, or a nice value) than the application's. */
class LowPriorityTest {
    @TempDir(factory = BackupFixtures.Shm.class)
    Path tmp;

    @AfterEach
    void clearProperty() {
        System.clearProperty(LowPriority.PROPERTY);
    }

    @Test
    void theSettingIsIdleOrAnIntegerFromZeroToNineteen() {
        assertEquals(LowPriority.Setting.DEFAULT, LowPriority.setting());
        assertTrue(LowPriority.setting().idle(), "idle by default");
        System.setProperty(LowPriority.PROPERTY, " IDLE ");
        assertEquals(LowPriority.Setting.DEFAULT, LowPriority.setting());
        System.setProperty(LowPriority.PROPERTY, " 0 ");
        assertEquals(new LowPriority.Setting(false, 0), LowPriority.setting());
        System.setProperty(LowPriority.PROPERTY, "19");
        assertEquals(new LowPriority.Setting(false, 19), LowPriority.setting());
        for (String bad : List.of("-1", "20", "low", "1.5")) {
            System.setProperty(LowPriority.PROPERTY, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, LowPriority::setting);
            assertTrue(e.getMessage().contains(LowPriority.PROPERTY) && e.getMessage().contains(bad.trim()),
                    e.getMessage());
        }
    }

    @Test
    void theNiceValueIsReadFromField19EvenWhenTheCommandNameHasSpacesAndParentheses() throws IOException {
        Path stat = tmp.resolve("stat");
        Files.writeString(stat, "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 30 10 7 0 1234 "
                + "5678 90 18446744073709551615\n");
        assertEquals(10, LowPriority.niceness(stat));
        assertEquals(Integer.MIN_VALUE, LowPriority.policy(stat), "too few fields for the policy");
        Files.writeString(stat, "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 39 19 7 0 1234 "
                + "5678 90 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 0 0 1 5 0 0 0\n");
        assertEquals(19, LowPriority.niceness(stat));
        assertEquals(LowPriority.SCHED_IDLE, LowPriority.policy(stat), "field 41");
        Files.writeString(stat, "4242 (short) S 1 2 3\n");
        assertEquals(Integer.MIN_VALUE, LowPriority.niceness(stat));
        assertEquals(Integer.MIN_VALUE, LowPriority.niceness(tmp.resolve("missing")));
    }

    @Test
    void whatTheWorkReturnsOrThrowsIsPassedOn() {
        assertEquals("done", assertDoesNotThrowIo(() -> LowPriority.call("t", () -> "done")));
        IOException io = new IOException("disk gone");
        assertSame(io, assertThrows(IOException.class, () -> LowPriority.call("t", () -> {
            throw io;
        })));
        IllegalStateException ise = new IllegalStateException("state");
        assertSame(ise, assertThrows(IllegalStateException.class, () -> LowPriority.call("t", () -> {
            throw ise;
        })));
        AssertionError err = new AssertionError("error");
        assertSame(err, assertThrows(AssertionError.class, () -> LowPriority.call("t", () -> {
            throw err;
        })));
    }

    @Test
    void theWorkAndTheThreadsItStartsRunUnderTheIdlePolicyOnAnotherThread() throws Exception {
        assumeLinuxWith("chrt");
        Thread caller = Thread.currentThread();
        int[] seen = new int[3];
        Thread[] ran = new Thread[1];
        String[] name = new String[1];
        LowPriority.call("powdb-test-low", () -> {
            ran[0] = Thread.currentThread();
            name[0] = ran[0].getName();
            seen[0] = LowPriority.currentPolicy();
            Thread child = new Thread(() -> seen[1] = LowPriority.currentPolicy());
            child.start();
            try {
                child.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        seen[2] = LowPriority.currentPolicy();
        assertNotEquals(caller, ran[0]);
        assertEquals("powdb-test-low", name[0], "the worker carries the call's name while it runs the work");
        assertEquals(LowPriority.SCHED_IDLE, seen[0], "the worker's policy");
        assertEquals(LowPriority.SCHED_IDLE, seen[1], "a thread started by the worker inherits it");
        assertNotEquals(LowPriority.SCHED_IDLE, seen[2], "the caller keeps its own policy");
    }

    @Test
    void callsOneAfterAnotherReuseOneLoweredThreadAndStartNoNewProcess() throws Exception {
        assumeLinuxWith("chrt");
        long startedBefore = LowPriority.threadsStarted();
        List<Thread> ran = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Integer> policies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "powdb-test-reuse-" + i;
            LowPriority.call(name, () -> {
                ran.add(Thread.currentThread());
                names.add(Thread.currentThread().getName());
                policies.add(LowPriority.currentPolicy());
                return null;
            });
        }
        assertEquals(1, ran.stream().distinct().count(), "threads: " + ran);
        assertTrue(LowPriority.threadsStarted() - startedBefore <= 1, "one thread at most is started");
        assertEquals(List.of("powdb-test-reuse-0", "powdb-test-reuse-1", "powdb-test-reuse-2"), names);
        assertEquals(List.of(LowPriority.SCHED_IDLE, LowPriority.SCHED_IDLE, LowPriority.SCHED_IDLE), policies);
        assertEquals("powdb-low-priority", ran.get(0).getName(), "the name is given back between calls");
        assertTrue(ran.get(0).isDaemon(), "an idle worker must not keep the JVM alive");
    }

    @Test
    void callsAtTheSameTimeRunOnThreadsOfTheirOwn() throws Exception {
        assumeLinuxWith("chrt");
        CountDownLatch bothRunning = new CountDownLatch(2);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        Callable<Boolean> call = () -> LowPriority.call("powdb-test-together", () -> {
            ran.add(Thread.currentThread());
            bothRunning.countDown();
            try {
                return bothRunning.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> a = callers.submit(call);
            Future<Boolean> b = callers.submit(call);
            assertTrue(a.get(60, TimeUnit.SECONDS) && b.get(60, TimeUnit.SECONDS), "one call waited for the other");
        } finally {
            callers.shutdownNow();
        }
        assertEquals(2, ran.size(), "threads: " + ran);
    }

    @Test
    void anInterruptOfTheCallerStopsItsWorkAndDoesNotReachTheNextCall() throws Exception {
        assumeLinuxWith("chrt");
        CountDownLatch working = new CountDownLatch(1);
        boolean[] seen = new boolean[2];
        Thread caller = new Thread(() -> {
            try {
                LowPriority.call("powdb-test-interrupt", () -> {
                    working.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        seen[0] = true;
                    }
                    return null;
                });
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            seen[1] = Thread.currentThread().isInterrupted();
        });
        caller.start();
        assertTrue(working.await(30, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(30_000);
        assertFalse(caller.isAlive(), "the caller still waits");
        assertTrue(seen[0], "the work was not interrupted");
        assertTrue(seen[1], "the caller's interrupt was not kept");
        boolean interruptedAtStart = LowPriority.call("powdb-test-after", () -> Thread.currentThread().isInterrupted());
        assertFalse(interruptedAtStart, "the next call's work began interrupted");
    }

    @Test
    void withoutChrtTheWorkRunsAtNice19() throws Exception {
        assumeLinuxWith("renice");
        LowPriority.chrtCommand = "powdb-no-such-chrt";
        try {
            int[] seen = new int[2];
            LowPriority.call("powdb-test-fallback", () -> {
                seen[0] = LowPriority.currentNiceness();
                seen[1] = LowPriority.currentPolicy();
                return null;
            });
            assertEquals(LowPriority.FALLBACK_NICENESS, seen[0], "the fallback nice value");
            assertNotEquals(LowPriority.SCHED_IDLE, seen[1]);
        } finally {
            LowPriority.chrtCommand = "chrt";
        }
    }

    @Test
    void aNiceValueRunsTheWorkNicedUnderTheNormalPolicy() throws Exception {
        assumeLinuxWith("renice");
        System.setProperty(LowPriority.PROPERTY, "10");
        int[] seen = new int[2];
        LowPriority.call("powdb-test-nice", () -> {
            seen[0] = LowPriority.currentNiceness();
            seen[1] = LowPriority.currentPolicy();
            return null;
        });
        assertEquals(10, seen[0], "the worker's nice value");
        assertNotEquals(LowPriority.SCHED_IDLE, seen[1], "not idle when a nice value is asked for");
        assertTrue(LowPriority.currentNiceness() < 10, "the caller keeps its priority");
    }

    @Test
    void zeroRunsTheWorkOnTheCallersThread() throws Exception {
        System.setProperty(LowPriority.PROPERTY, "0");
        Thread[] ran = new Thread[1];
        LowPriority.call("unused", () -> ran[0] = Thread.currentThread());
        assertSame(Thread.currentThread(), ran[0]);
    }

    @Test
    void aBackupCopiesOnIdleThreadsAndTheCallerKeepsItsPriority() throws Exception {
        assumeLinuxWith("chrt");
        int callerBefore = LowPriority.currentPolicy();
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            fill(db, "t", 0, 30000);
            Map<String, Integer> copyThreads = new TreeMap<>();
            List<Integer> progressNice = new ArrayList<>();
            Thread caller = Thread.currentThread();
            BackupProgress probe = bytes -> {
                if (Thread.currentThread() == caller) {
                    return; // the manifest, written by the caller once the copy is done
                }
                progressNice.add(LowPriority.currentPolicy());
                copyThreads.putAll(threadPolicies("powdb-backup"));
            };
            Backups.full(db, tmp.resolve("full"), probe);
            assertFalse(progressNice.isEmpty(), "no file was copied off the caller's thread");
            for (int policy : progressNice) {
                assertEquals(LowPriority.SCHED_IDLE, policy, "the copying thread's policy");
            }
            Map<String, Integer> threads = copyThreads;
            assertTrue(threads.keySet().stream().anyMatch(n -> n.contains("powdb-backup-co")), "copy threads: "
                    + threads);
            threads.forEach((name, policy) -> assertEquals(LowPriority.SCHED_IDLE, policy, name));
            fill(db, "t", 30000, 30100);
            Backups.incremental(db, tmp.resolve("inc"), tmp.resolve("full"), BackupProgress.NONE);
        }
        assertEquals(callerBefore, LowPriority.currentPolicy(), "the caller's policy changed");
        Path restored = tmp.resolve("restored");
        Backups.restore(tmp.resolve("full"), List.of(tmp.resolve("inc")), restored, BackupProgress.NONE);
        try (Database db = Database.open(restored)) {
            assertEquals(30100, countRows(db), "rows restored from the full backup and the increment");
        }
    }

    @Test
    void anInvalidSettingRefusesTheBackupBeforeWritingAnything() {
        Path data = tmp.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            System.setProperty(LowPriority.PROPERTY, "fast");
            Path dest = tmp.resolve("full");
            BackupException e = assertThrows(BackupException.class, () -> Backups.full(db, dest,
                    BackupProgress.NONE));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains(LowPriority.PROPERTY), e.getMessage());
            assertFalse(Files.exists(dest), "a refused backup created its destination");
        }
    }

    private static int countRows(Database db) {
        int[] n = new int[1];
        db.scan("t", r -> true, r -> n[0]++);
        return n[0];
    }

    private static <T> T assertDoesNotThrowIo(LowPriority.IoWork<T> work) {
        try {
            return work.run();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assumeLinuxWith(String tool) {
        assumeTrue(LowPriority.currentNiceness() != Integer.MIN_VALUE, "needs /proc/thread-self (Linux)");
        assumeTrue(LowPriority.currentNiceness() < 10, "the test runs niced already");
        assumeTrue(LowPriority.currentPolicy() != LowPriority.SCHED_IDLE, "the test runs idle already");
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
        assumeTrue(found, "needs " + tool + "(1) on the PATH");
    }

    /** Scheduling policy of every thread of this process whose name starts with {@code prefix} (names cut at 15). */
    private static Map<String, Integer> threadPolicies(String prefix) {
        Map<String, Integer> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                } catch (IOException e) {
                    continue; // the thread ended
                }
                if (comm.startsWith(prefix)) {
                    out.put(comm + "#" + task.getFileName(), LowPriority.policy(task.resolve("stat")));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
