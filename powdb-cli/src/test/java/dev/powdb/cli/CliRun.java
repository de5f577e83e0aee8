package dev.powdb.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@link Main} with captured streams, a given stdin and a {@link FakeRunner}. */
final class CliRun {
    final FakeRunner runner = new FakeRunner();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;

    static CliRun of(String stdin, boolean terminal, String... args) {
        CliRun r = new CliRun();
        CliContext ctx = new CliContext(db -> r.runner,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(r.out, true, StandardCharsets.UTF_8),
                new PrintStream(r.err, true, StandardCharsets.UTF_8), terminal);
        r.exit = Main.run(ctx, args);
        return r;
    }

    static CliRun of(String... args) {
        return of("", false, args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
