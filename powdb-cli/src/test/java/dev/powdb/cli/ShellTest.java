package dev.powdb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shell loop, fed from a reader (no terminal), and {@code powdb shell} over standard input. */
class ShellTest {
    @TempDir
    Path tmp;

    private final FakeRunner runner = new FakeRunner();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String input) {
        Shell shell = new Shell(runner, new ResultPrinter(ps(out), ResultPrinter.Format.TSV), ps(out), ps(err));
        return shell.run(LineSource.of(new BufferedReader(new StringReader(input))));
    }

    private static PrintStream ps(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void multiLineStatementRunsOnceComplete() {
        assertEquals(0, run("insert User {\n  name := \"a;b\"\n};\ncount;\n"));
        assertEquals(List.of("insert User {\n  name := \"a", "b\"\n}", "count"), runner.executed,
                "the fake splits at every ';' but the shell must hand it the whole statement at once");
        assertEquals("ok: insert User {   name := \"a\nok: b\" }\n42\n", out());
    }

    @Test
    void errorsPrintAndTheShellContinues() {
        assertEquals(1, run("fail;\ncount;\n"));
        assertEquals("Error: boom at fail\n", err());
        assertEquals("42\n", out());
    }

    @Test
    void helpListsStatementForms() {
        run("help\nhelp;\n");
        assertTrue(out().contains("insert User { name := \"Ada\", age := 36 }"), out());
        assertTrue(out().contains("update { age := .age + 1 }"), out());
        assertTrue(out().contains("alter User add index .age;"), out());
        assertTrue(out().contains("backup to \"backups/incr-1\" base \"backups/full\";"), out());
        assertTrue(out().contains("restore point \"before-upgrade\";"), out());
        assertTrue(runner.executed.isEmpty());
    }

    @Test
    void quitAndExitStopReading() {
        run("one;\nquit\ntwo;\n");
        assertEquals(List.of("one"), runner.executed);
        runner.executed.clear();
        run("EXIT;\nthree;\n");
        assertTrue(runner.executed.isEmpty());
    }

    @Test
    void helpInsideAStatementIsPartOfIt() {
        run("select\nhelp;\n");
        assertEquals(List.of("select\nhelp"), runner.executed);
    }

    @Test
    void blankLinesAreSkippedAndAnUnfinishedStatementRunsAtEndOfInput() {
        run("\n   \nlast words");
        assertEquals(List.of("last words"), runner.executed);
    }

    @Test
    void promptShowsContinuationAndOpenTransaction() {
        Deque<String> lines = new ArrayDeque<>(List.of("begin;", "a", ";", "commit;"));
        List<String> prompts = new ArrayList<>();
        Shell shell = new Shell(runner, new ResultPrinter(ps(out), ResultPrinter.Format.TSV), ps(out), ps(err));
        shell.run(new LineSource() {
            @Override
            public String read(String prompt) {
                prompts.add(prompt);
                return lines.poll();
            }

            @Override
            public boolean interactive() {
                return true;
            }
        });
        assertEquals(List.of(Shell.PROMPT, Shell.TRANSACTION_PROMPT, JLineSource.CONTINUATION_PROMPT,
                Shell.TRANSACTION_PROMPT, Shell.PROMPT), prompts);
    }

    @Test
    void cancelledLineIsIgnored() {
        assertEquals(0, run("\ncount;\n"));
        assertEquals(List.of("count"), runner.executed);
    }

    @Test
    void completenessForTheLineEditor() {
        Shell shell = new Shell(runner, new ResultPrinter(ps(out), ResultPrinter.Format.TSV), ps(out), ps(err));
        assertTrue(shell.isComplete("help"));
        assertTrue(shell.isComplete(" quit "));
        assertTrue(shell.isComplete(""));
        assertTrue(shell.isComplete("a\nb;"));
        assertFalse(shell.isComplete("insert T {"));
        assertFalse(shell.isComplete("insert T { s := \"x;"));
    }

    @Test
    void shellCommandReadsStandardInputWhenNotATerminal() {
        CliRun r = CliRun.of("rows;\nfail;\ncount;\n", false, "--data-dir", tmp.resolve("db").toString(), "shell");
        assertEquals(1, r.exit, "a failed statement makes a non-interactive shell exit 1");
        assertEquals("id\tname\n1\tAda\n2\t\n42\n", r.out());
        assertEquals("Error: boom at fail\n", r.err());
    }

    @Test
    void shellCommandExitsZeroWhenEveryStatementSucceeds() {
        CliRun r = CliRun.of("count;\n", false, "--data-dir", tmp.resolve("db").toString(), "shell", "--json");
        assertEquals(0, r.exit, r.err());
        assertEquals("42\n", r.out());
    }
}
