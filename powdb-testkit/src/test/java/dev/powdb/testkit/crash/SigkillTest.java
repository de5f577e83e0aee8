package dev.powdb.testkit.crash;

import dev.powdb.storage.Database;
import dev.powdb.storage.Row;
import dev.powdb.storage.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a real writer process and kills it with SIGKILL in the middle of committing, several times over the same
 * directory: every commit the process acknowledged must be there after reopening, and nothing else may be damaged.
 */
class SigkillTest {
    @TempDir
    Path tmp;

    @Test
    void acknowledgedCommitsSurviveSigkill() throws Exception {
        Path dir = tmp.resolve("db");
        long maxAcked = -1;
        long next = 0;
        for (int round = 0; round < 4; round++) {
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), KillWriterMain.class.getName(), dir.toString(),
                    String.valueOf(next)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            long acked = -1;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("ready", r.readLine(), "writer did not start");
                int target = 200 + round * 150;
                for (int i = 0; i < target; i++) {
                    String line = r.readLine();
                    if (line == null) {
                        break;
                    }
                    acked = Long.parseLong(line.substring(4));
                }
                p.destroyForcibly(); // SIGKILL on Linux
                // Acks printed before the kill landed are acknowledged commits too.
                try {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("ack ")) {
                            acked = Long.parseLong(line.substring(4));
                        }
                    }
                } catch (java.io.IOException closed) {
                    // The stream closes with the killed process; the acks read so far are what counts.
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "writer did not die");
            assertTrue(acked > next, "writer acknowledged nothing in round " + round);
            maxAcked = acked;
            try (Database db = Database.open(dir)) {
                Set<Long> ids = new HashSet<>();
                for (Row row : db.scan("t", null)) {
                    assertTrue(ids.add((Long) row.get("id")), "duplicate id " + row.get("id"));
                }
                for (long id = 0; id <= maxAcked; id++) {
                    assertTrue(ids.contains(id), "acknowledged id " + id + " lost after SIGKILL in round " + round);
                    assertEquals(1, db.lookup("t", "id", id).size(), "index entry for id " + id);
                }
                // Continue after the highest committed id: a commit may have landed without its ack being read.
                next = ids.stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
            }
            VerifyReport rep = Database.verify(dir);
            assertTrue(rep.ok(), rep.toString());
        }
    }
}
