package dev.powdb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb -c} and {@code powdb -f} with a fake statement runner. */
class ScriptExecutionTest {
    @TempDir
    Path tmp;

    private String db() {
        return tmp.resolve("db").toString();
    }

    @Test
    void dashCRunsStatementsAndPrintsEachResult() {
        CliRun r = CliRun.of("--data-dir", db(), "-c", "hello; count; rows");
        assertEquals(0, r.exit, r.err());
        assertEquals("ok: hello\n42\nid\tname\n1\tAda\n2\t\n", r.out());
        assertEquals("", r.err());
        assertTrue(Files.isDirectory(tmp.resolve("db")), "the database was opened");
    }

    @Test
    void outputOnATerminalIsATable() {
        CliRun r = CliRun.of("", true, "--data-dir", db(), "-c", "rows");
        assertEquals(0, r.exit, r.err());
        assertEquals("id | name\n---+-----\n 1 | Ada\n 2 | null\n(2 rows)\n", r.out());
    }

    @Test
    void jsonOutput() {
        CliRun r = CliRun.of("", true, "--data-dir", db(), "--json", "-c", "rows; count");
        assertEquals(0, r.exit, r.err());
        assertEquals("{\"id\":1,\"name\":\"Ada\"}\n{\"id\":2,\"name\":null}\n42\n", r.out());
    }

    @Test
    void stopsAtTheFirstErrorWithExitOne() {
        CliRun r = CliRun.of("--data-dir", db(), "-c", "one; fail; two");
        assertEquals(1, r.exit);
        assertEquals("ok: one\n", r.out());
        assertEquals("Error: boom at fail\n", r.err());
        assertEquals(List.of("one", "fail"), r.runner.executed);
    }

    @Test
    void dashFRunsAFile() throws Exception {
        Path script = tmp.resolve("s.pql");
        Files.writeString(script, "first;\nsecond;\n");
        CliRun r = CliRun.of("--data-dir", db(), "-f", script.toString());
        assertEquals(0, r.exit, r.err());
        assertEquals("ok: first\nok: second\n", r.out());
    }

    @Test
    void dashFDashReadsStandardInput() {
        CliRun r = CliRun.of("from stdin;\ncount;\n", false, "--data-dir", db(), "-f", "-");
        assertEquals(0, r.exit, r.err());
        assertEquals("ok: from stdin\n42\n", r.out());
    }

    @Test
    void missingFileFailsBeforeOpeningTheDatabase() {
        CliRun r = CliRun.of("--data-dir", db(), "-f", tmp.resolve("nope.pql").toString());
        assertEquals(1, r.exit);
        assertTrue(r.err().startsWith("Error: no such file: "), r.err());
        assertTrue(r.err().contains("nope.pql"), r.err());
        assertFalse(Files.exists(tmp.resolve("db")), "the data directory must not be created");
        assertTrue(r.runner.executed.isEmpty());
    }

    @Test
    void directoryAsFileFails() {
        CliRun r = CliRun.of("--data-dir", db(), "-f", tmp.toString());
        assertEquals(1, r.exit);
        assertTrue(r.err().contains("is a directory"), r.err());
    }

    @Test
    void dashCWithDashFIsAUsageError() throws Exception {
        Path script = tmp.resolve("s.pql");
        Files.writeString(script, "x;");
        CliRun r = CliRun.of("--data-dir", db(), "-c", "a", "-f", script.toString());
        assertEquals(2, r.exit);
        assertTrue(r.err().contains("-c and -f cannot be used together"), r.err());
        assertTrue(r.runner.executed.isEmpty());
    }

    @Test
    void dashCWithACommandIsAUsageError() {
        CliRun r = CliRun.of("--data-dir", db(), "-c", "a", "info");
        assertEquals(2, r.exit);
        assertTrue(r.err().contains("cannot be combined with the command 'info'"), r.err());
    }

    @Test
    void jsonWithoutStatementsOrCommandIsAUsageError() {
        assertEquals(2, CliRun.of("--data-dir", db(), "--json").exit);
    }

    @Test
    void withoutPowqlTheRealRunnerFailsWithExitOne() {
        assertEquals(1, Main.run("--data-dir", db(), "-c", "anything;"));
    }
}
