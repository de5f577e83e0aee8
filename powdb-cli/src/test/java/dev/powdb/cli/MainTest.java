package dev.powdb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exit codes of the command line: 0 success, 1 failure, 2 usage error. */
class MainTest {
    @TempDir
    Path tmp;

    @Test
    void demoThenVerifyThenDetectDamage() throws Exception {
        Path demo = tmp.resolve("demo");
        assertEquals(0, Main.run("demo", "--dir", demo.toString(), "--rows", "2000"));
        String dir = demo.resolve("data").toString();
        assertEquals(0, Main.run("--data-dir", dir, "verify"));
        assertEquals(0, Main.run("--data-dir", dir, "verify", "--json"));
        assertEquals(0, Main.run("--data-dir", dir, "info"));
        assertEquals(0, Main.run("--data-dir", demo.resolve("restored").toString(), "verify"));
        Path heap = demo.resolve("data").resolve("Account.heap");
        assertTrue(Files.size(heap) > 3 * 4096);
        try (RandomAccessFile f = new RandomAccessFile(heap.toFile(), "rw")) {
            f.seek(2 * 4096 + 100);
            int b = f.read();
            f.seek(2 * 4096 + 100);
            f.write(b ^ 1);
        }
        assertEquals(1, Main.run("--data-dir", dir, "verify"));
    }

    @Test
    void usageErrorsExitWithTwoAndFailuresWithOne() {
        assertEquals(2, Main.run("no-such-command"));
        assertEquals(2, Main.run("verify", "--no-such-option"));
        assertEquals(2, Main.run(new String[0]));
        assertEquals(1, Main.run("--data-dir", tmp.resolve("missing").toString(), "verify"));
        assertEquals(2, Main.run("--data-dir", tmp.resolve("x").toString(), "--sync", "sometimes", "info"));
        assertEquals(0, Main.run("--help"));
        assertEquals(0, Main.run("verify", "--help"));
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "verify", "info", "checkpoint", "shell", "dump", "backup",
                "restore", "verify-backup", "backup-info", "archive-info"}) {
            CliRun r = CliRun.of(command, "--help");
            assertEquals(0, r.exit, command);
            assertTrue(r.out().startsWith("Usage: powdb " + command), command + ": " + r.out());
        }
        CliRun top = CliRun.of("--help");
        assertEquals(0, top.exit);
        assertTrue(top.out().contains("-c=STATEMENTS") && top.out().contains("-f=FILE")
                && top.out().contains("shell") && top.out().contains("dump") && top.out().contains("backup-info")
                && top.out().contains("verify-backup") && top.out().contains("restore")
                && top.out().contains("--archive=DIR") && top.out().contains("archive-info"), top.out());
    }

    @Test
    void newCommandsRejectUnknownOptions() {
        assertEquals(2, CliRun.of("shell", "--no-such-option").exit);
        assertEquals(2, CliRun.of("dump", "--no-such-option").exit);
        assertEquals(2, CliRun.of("-c").exit);
    }
}
