package dev.powdb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.powdb.storage.page.Page;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End-to-end tests: {@code bin/powdb} run as a process (bash launcher, then {@code exec java -jar powdb.jar}), with
 * pipes for its streams, so standard output is not a terminal and rows come out as TSV. Each test uses fresh data
 * directories. Run by maven-failsafe in the {@code integration-test} phase, after {@code package} has built
 * {@code powdb-cli/target/powdb.jar}.
 *
 * <p>The launcher rebuilds the jar when any source is newer than it. So that an edit made to the working tree while
 * these tests run can never start a nested Maven build under them, the tests run the real {@code bin/powdb} through
 * a symbolic link in a scratch project root that holds only a link to the freshly packaged jar and no sources: the
 * launcher then always takes its {@code exec java} path, which is what is under test.
 */
class LauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    static Path scratchRoot;

    /** {@code bin/powdb} under {@link #scratchRoot}, a link to the project's launcher. */
    private static Path launcher;

    @TempDir
    Path tmp;

    @BeforeAll
    static void linkLauncher() throws IOException {
        Path projectRoot = Path.of(System.getProperty("user.dir")).getParent();
        Path realLauncher = Path.of(System.getProperty("powdb.launcher", projectRoot.resolve("bin/powdb").toString()));
        Path jar = Path.of(System.getProperty("powdb.jar",
                projectRoot.resolve("powdb-cli/target/powdb.jar").toString()));
        assertTrue(Files.isExecutable(realLauncher), "no executable launcher at " + realLauncher);
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": run the integration tests with 'mvn verify'"
                + " (they need the jar that 'package' builds)");
        launcher = scratchRoot.resolve("bin/powdb");
        Files.createDirectories(launcher.getParent());
        Files.createSymbolicLink(launcher, realLauncher.toAbsolutePath().normalize());
        Path linkedJar = scratchRoot.resolve("powdb-cli/target/powdb.jar");
        Files.createDirectories(linkedJar.getParent());
        Files.createSymbolicLink(linkedJar, jar.toAbsolutePath().normalize());
    }

    /** What a finished run printed and returned. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Starts {@code bin/powdb args}; its stdout and stderr go to files under {@link #tmp}, stdin is a pipe. */
    private Process start(List<String> args, Path outFile, Path errFile) throws IOException {
        return start(args, outFile, errFile, Map.of());
    }

    /** As {@link #start(List, Path, Path)}, with {@code extraEnv} added to the environment. */
    private Process start(List<String> args, Path outFile, Path errFile, Map<String, String> extraEnv)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(tmp.toFile())   // where the default ./powdb_data would go
                .redirectOutput(outFile.toFile())
                .redirectError(errFile.toFile());
        Map<String, String> env = pb.environment();
        env.remove("POWDB_JAVA_OPTS");
        // the JDK that runs the tests runs the launcher's java too
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
                + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.putAll(extraEnv);
        return pb.start();
    }

    /** Runs {@code bin/powdb args} with {@code stdin} piped in, and waits for it. */
    private Run runWithInput(String stdin, String... args) throws Exception {
        return runWithInput(stdin, Map.of(), args);
    }

    /** Runs {@code bin/powdb args} with {@code stdin} piped in and {@code extraEnv} set, and waits for it. */
    private Run runWithInput(String stdin, Map<String, String> extraEnv, String... args) throws Exception {
        Path outFile = Files.createTempFile(tmp, "out", ".txt");
        Path errFile = Files.createTempFile(tmp, "err", ".txt");
        Process p = start(List.of(args), outFile, errFile, extraEnv);
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the process exited without reading its input (a usage error, say): not an error here
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("bin/powdb " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
    }

    private Run run(String... args) throws Exception {
        return runWithInput("", args);
    }

    private static void assertSuccess(String expectedOut, Run r) {
        assertEquals(0, r.exit, r::toString);
        assertEquals(expectedOut, r.out, r::toString);
        assertEquals("", r.err, r::toString);
    }

    private static final String USERS = "type User { required name: str, age: int, city: str default \"Oslo\" };"
            + " insert User { name := \"Ada\", age := 36 }, { name := \"Bob\", age := 17, city := \"Rome\" },"
            + " { name := \"Cy\", age := 52 }, { name := \"Dee\", age := 29, city := \"Lima\" }, { name := \"Eve\" };";

    @Test
    void dashCRunsEveryStatementAndPrintsTsv() throws Exception {
        String db = tmp.resolve("db").toString();
        Run r = run("--data-dir", db, "-c", USERS
                + " User filter .age > 20 order .age desc limit 2 { .name, .age };"
                + " User filter .city = \"Oslo\" order .name { .name, .age };"
                + " count(User);"
                + " User filter .name = \"Ada\" update { age := .age + 1 };"
                + " User filter .age < 18 delete;"
                + " User order .name { .name, .age, .city };"
                + " count(User filter .age >= 29);");
        assertSuccess(String.join("\n",
                "created type User",
                "inserted 5",
                "name\tage",
                "Cy\t52",
                "Ada\t36",
                "name\tage",
                "Ada\t36",
                "Cy\t52",
                "Eve\t",
                "5",
                "updated 1",
                "deleted 1",
                "name\tage\tcity",
                "Ada\t37\tOslo",
                "Cy\t52\tOslo",
                "Dee\t29\tLima",
                "Eve\t\tOslo",
                "3",
                ""), r);

        // a second process sees the committed changes
        assertSuccess("name\nAda\nCy\nDee\nEve\n", run("--data-dir", db, "-c", "User order .name { .name };"));
    }

    @Test
    void anErrorStopsTheScriptWithExit1AndKeepsEarlierStatements() throws Exception {
        String db = tmp.resolve("db").toString();
        Run r = run("--data-dir", db, "-c", "type User { required name: str, age: int };\n"
                + "insert User { name := \"Ada\", age := 36 };\n"
                + "User filter .nope = 1 { .name };\n"
                + "insert User { name := \"Bob\", age := 17 };\n");
        assertEquals(1, r.exit, r::toString);
        assertEquals("created type User\ninserted 1\n", r.out, r::toString);
        assertTrue(r.err.matches("Error: line 3, column \\d+: [^\n]*nope[^\n]*\n"), r::toString);

        assertSuccess("name\tage\nAda\t36\n", run("--data-dir", db, "-c", "User { .name, .age };"));

        // an unfinished transaction is rolled back
        Run tx = run("--data-dir", db, "-c", "begin; insert User { name := \"Tx\", age := 1 }; bogus;");
        assertEquals(1, tx.exit, tx::toString);
        assertEquals("begin\ninserted 1\n", tx.out, tx::toString);
        assertTrue(tx.err.matches("Error: line 1, column \\d+: [^\n]*bogus[^\n]*\n"), tx::toString);
        assertSuccess("1\n", run("--data-dir", db, "-c", "count(User);"));
    }

    @Test
    void dashFReadsAFileOrStandardInput() throws Exception {
        String db = tmp.resolve("db").toString();
        Path script = tmp.resolve("setup.powql");
        Files.writeString(script, "# a comment\n" + USERS.replace("; ", ";\n") + "\ncount(User);\n");
        assertSuccess("created type User\ninserted 5\n5\n", run("--data-dir", db, "-f", script.toString()));

        assertSuccess("name\nBob\nEve\n", runWithInput("User filter .age < 18 or .age is null order .name { .name };\n"
                + "# trailing comment\n", "--data-dir", db, "-f", "-"));

        Run missing = run("--data-dir", db, "-f", tmp.resolve("nope.powql").toString());
        assertEquals(1, missing.exit, missing::toString);
        assertEquals("Error: no such file: " + tmp.resolve("nope.powql") + "\n", missing.err, missing::toString);
    }

    @Test
    void jsonPrintsOneObjectPerLine() throws Exception {
        String db = tmp.resolve("db").toString();
        assertEquals(0, run("--data-dir", db, "-c", USERS
                + " insert User { name := \"Q\\\"uote\\\\ ✓\", age := 1 };").exit);
        Run r = run("--data-dir", db, "--json", "-c", "User filter .age < 30 or .age is null order .name"
                + " { .name, .age, .city }; count(User);");
        assertEquals(0, r.exit, r::toString);
        assertEquals("", r.err, r::toString);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertEquals(5, lines.size(), r::toString);
        assertEquals(JSON.readTree("{\"name\":\"Bob\",\"age\":17,\"city\":\"Rome\"}"), lines.get(0));
        assertEquals(JSON.readTree("{\"name\":\"Dee\",\"age\":29,\"city\":\"Lima\"}"), lines.get(1));
        assertTrue(lines.get(2).get("age").isNull(), r::toString);
        assertEquals("Eve", lines.get(2).get("name").asText());
        assertEquals("Q\"uote\\ ✓", lines.get(3).get("name").asText());
        assertEquals(1, lines.get(3).get("age").asInt());
        assertEquals(6, lines.get(4).asLong());
    }

    @Test
    void usageErrorsExit2BeforeTouchingTheDataDirectory() throws Exception {
        Path db = tmp.resolve("db");
        String[][] cases = {
                {"--data-dir", db.toString(), "-c", "count(User);", "-f", "script.powql"},
                {"--data-dir", db.toString(), "--no-such-option", "-c", "count(User);"},
                {"--data-dir", db.toString(), "--sync", "sometimes", "-c", "count(User);"},
        };
        String[] messages = {"-c and -f cannot be used together", "Unknown option: '--no-such-option'",
                "Invalid value for option '--sync'"};
        for (int i = 0; i < cases.length; i++) {
            Run r = run(cases[i]);
            assertEquals(2, r.exit, r::toString);
            assertEquals("", r.out, r::toString);
            assertTrue(r.err.startsWith("Error: ") && r.err.contains(messages[i])
                    && r.err.endsWith("Try 'powdb --help'.\n"), r::toString);
        }
        assertFalse(Files.exists(db), "a usage error created the data directory");
    }

    @Test
    void shellReadsStatementsFromAPipe() throws Exception {
        String db = tmp.resolve("db").toString();
        Run r = runWithInput(String.join("\n",
                "type User { required name: str, age: int };",
                "insert User { name := \"Ada\", age := 36 },",
                "            { name := \"Bob\", age := 17 };",
                "help",
                "User filter .nope = 1;",
                "",
                "User order .name",
                "  { .name, .age };",
                "count(User)  ;",
                "quit",
                "insert User { name := \"never run\" };",
                ""), "--data-dir", db, "shell");
        assertEquals(1, r.exit, r::toString);   // one statement failed
        assertTrue(r.out.startsWith("created type User\ninserted 2\n"), r::toString);
        assertTrue(r.out.contains("Shell commands: help, quit, exit"), r::toString);
        assertTrue(r.out.endsWith("\nname\tage\nAda\t36\nBob\t17\n2\n"), r::toString);
        assertFalse(r.out.contains("powdb>"), "no prompts when not on a terminal:\n" + r);
        assertTrue(r.err.matches("Error: line 1, column \\d+: [^\n]*nope[^\n]*\n"), r::toString);

        // without errors the shell exits 0; end of input ends it like quit, and runs a last unterminated statement
        assertSuccess("2\nname\nAda\n", runWithInput("count(User);\nUser filter .age > 30 { .name }",
                "--data-dir", db, "shell"));
    }

    @Test
    void dumpLoadedIntoANewDatabaseDumpsIdentically() throws Exception {
        String db = tmp.resolve("db").toString();
        Run setup = run("--data-dir", db, "-c", "type Item { required sku: str, unique code: int, price: float,"
                + " active: bool, note: str default \"n/a\", blob: bytes, at: datetime };"
                + " type Tag { required label: str };"
                + " alter Item add index .price;"
                + " insert Item { sku := \"a\\\"b\\\\c\\nd\\te\", code := 1, price := 2.5, active := true,"
                + "   blob := b\"00ff\", at := datetime \"2024-01-02T03:04:05Z\" },"
                + " { sku := \"plain\", code := 2, price := -0.1, active := false, note := \"héllo ✓\" },"
                + " { sku := \"nulls\" };"
                + " insert Tag { label := \"y\" }, { label := \"x\" };"
                + " Item filter .sku = \"plain\" update { price := 0.3 };");
        assertEquals(0, setup.exit, setup::toString);

        Run dump = run("--data-dir", db, "dump");
        assertEquals(0, dump.exit, dump::toString);
        assertEquals("", dump.err, dump::toString);
        assertTrue(dump.out.startsWith("type Item {"), dump::toString);
        assertTrue(dump.out.contains("insert Tag { label := \"x\" };\ninsert Tag { label := \"y\" };\n"),
                dump::toString);
        assertTrue(dump.out.endsWith("alter Item add index .price;\n"), dump::toString);

        Path script = tmp.resolve("dump.powql");
        Files.writeString(script, dump.out);
        String copy = tmp.resolve("copy").toString();
        Run load = run("--data-dir", copy, "-f", script.toString());
        assertEquals(0, load.exit, load::toString);
        assertEquals("", load.err, load::toString);

        Path dumpFile = tmp.resolve("again.powql");
        assertSuccess("", run("--data-dir", copy, "dump", "-o", dumpFile.toString()));
        assertEquals(dump.out, Files.readString(dumpFile));
    }

    @Test
    void verifyFindsAFlippedByteInAHeapPage() throws Exception {
        Path db = tmp.resolve("db");
        assertEquals(0, run("--data-dir", db.toString(), "-c", USERS).exit);

        Run clean = run("--data-dir", db.toString(), "verify");
        assertEquals(0, clean.exit, clean::toString);
        assertTrue(clean.out.endsWith("verify: database is intact\n"), clean::toString);

        Path heap = db.resolve("User.heap");
        assertTrue(Files.size(heap) >= 2L * Page.SIZE, "expected a data page after the header page");
        try (RandomAccessFile f = new RandomAccessFile(heap.toFile(), "rw")) {
            long at = Page.SIZE + Page.SIZE / 2;   // the middle of page 1, the first data page
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
        Run bad = run("--data-dir", db.toString(), "verify");
        assertEquals(1, bad.exit, bad::toString);
        assertTrue(bad.out.contains("BAD   User.heap"), bad::toString);
        assertTrue(bad.out.contains("page 1 checksum mismatch"), bad::toString);
        assertTrue(bad.out.endsWith("verify: PROBLEMS FOUND\n"), bad::toString);

        Run json = run("--data-dir", db.toString(), "verify", "--json");
        assertEquals(1, json.exit, json::toString);
        JsonNode report = JSON.readTree(json.out);
        assertFalse(report.get("ok").asBoolean(), json::toString);
        boolean heapBad = false;
        for (JsonNode f : report.get("files")) {
            if (f.get("file").asText().equals("User.heap")) {
                heapBad = !f.get("ok").asBoolean() && f.get("problems").size() == 1;
            } else {
                assertTrue(f.get("ok").asBoolean(), json::toString);
            }
        }
        assertTrue(heapBad, json::toString);
    }

    /** {@code powdb --help} and {@code powdb COMMAND --help} for every command the parser knows. */
    static Stream<String> commands() {
        CommandLine cl = new CommandLine(new Main(CliContext.system()));
        return Stream.concat(Stream.of(""), cl.getSubcommands().keySet().stream());
    }

    @ParameterizedTest(name = "powdb {0} --help")
    @MethodSource("commands")
    void helpExits0(String command) throws Exception {
        Run r = command.isEmpty() ? run("--help") : run(command, "--help");
        assertEquals(0, r.exit, r::toString);
        assertEquals("", r.err, r::toString);
        assertTrue(r.out.startsWith("Usage: powdb" + (command.isEmpty() ? " " : " " + command + " ")), r::toString);
        assertFalse(Files.exists(tmp.resolve("powdb_data")), "--help opened the default data directory");
    }

    @Test
    void aDatabaseOpenInAShellIsLockedForOtherProcesses() throws Exception {
        String db = tmp.resolve("db").toString();
        assertEquals(0, run("--data-dir", db, "-c", USERS).exit);

        Path holderOut = tmp.resolve("holder.out");
        Path holderErr = tmp.resolve("holder.err");
        Process holder = start(List.of("--data-dir", db, "shell"), holderOut, holderErr);
        try (OutputStream in = holder.getOutputStream()) {
            in.write("count(User);\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            // the shell has the database open once it has answered
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!Files.readString(holderOut).equals("5\n")) {
                assertTrue(holder.isAlive(), () -> "the shell exited early: " + read(holderOut, holderErr));
                assertTrue(System.nanoTime() < deadline, () -> "the shell did not answer: "
                        + read(holderOut, holderErr));
                Thread.sleep(20);
            }

            Run second = run("--data-dir", db, "-c", "count(User);");
            assertEquals(1, second.exit, second::toString);
            assertEquals("", second.out, second::toString);
            // the launcher execs java, so the PID holding the lock is the one this test started
            assertTrue(second.err.startsWith("Error: database at ") && second.err.contains(
                    "is in use by another process (PID " + holder.pid() + ")"), second::toString);
        } finally {
            // closing the shell's input ends it
            if (!holder.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
                fail("the shell did not exit at end of input");
            }
        }
        assertEquals(0, holder.exitValue(), () -> read(holderOut, holderErr));
        assertEquals("5\n", Files.readString(holderOut));

        // the lock went with the process
        assertSuccess("5\n", run("--data-dir", db, "-c", "count(User);"));
    }

    @Test
    void backupInfoVerifyAndRestoreRoundTrip() throws Exception {
        String db = tmp.resolve("db").toString();
        assertEquals(0, run("--data-dir", db, "-c", USERS).exit);

        Run full = run("--data-dir", db, "backup", "full");
        assertEquals(0, full.exit, full::toString);
        assertEquals("", full.err, full::toString);
        assertTrue(full.out.matches("full backup of " + Pattern.quote(db)
                + " at LSN \\d+: \\d+ files, [^\n]+ -> full\n"), full::toString);

        assertEquals(0, run("--data-dir", db, "-c", "User filter .name = \"Ada\" update { age := 99 };"
                + " insert User { name := \"Fay\", age := 41 };").exit);
        Run incr = run("--data-dir", db, "backup", "incr", "--base", "full", "--json");
        assertEquals(0, incr.exit, incr::toString);
        JsonNode summary = JSON.readTree(incr.out);
        assertEquals("incremental", summary.get("kind").asText(), incr::toString);

        Run info = run("backup-info", "incr", "--json");
        assertEquals(0, info.exit, info::toString);
        JsonNode manifest = JSON.readTree(info.out);
        assertEquals(summary.get("parent").get("source_lsn").asLong(), manifest.get("parent_source_lsn").asLong());
        assertEquals(summary.get("source_lsn").asLong(), manifest.get("source_lsn").asLong());
        Run infoText = run("backup-info", "full");
        assertEquals(0, infoText.exit, infoText::toString);
        assertTrue(infoText.out.contains("\nkind             full\n"), infoText::toString);

        Run verified = run("verify-backup", "full", "--apply", "incr");
        assertEquals(0, verified.exit, verified::toString);
        assertEquals("", verified.err, verified::toString);
        assertTrue(verified.out.endsWith("verify-backup: intact\n"), verified::toString);

        Run restored = run("restore", "full", "restored", "--apply", "incr");
        assertEquals(0, restored.exit, restored::toString);
        assertTrue(restored.out.startsWith("restored full + 1 increment into restored at LSN "
                + summary.get("source_lsn").asLong() + ": "), restored::toString);
        String query = "User order .name { .name, .age, .city };";
        Run original = run("--data-dir", db, "-c", query);
        assertEquals(0, original.exit, original::toString);
        assertTrue(original.out.contains("Ada\t99\tOslo\n") && original.out.contains("Fay\t41\tOslo\n"),
                original::toString);
        assertSuccess(original.out, run("--data-dir", tmp.resolve("restored").toString(), "-c", query));

        // a second restore into the now non-empty directory is refused
        Run again = run("restore", "full", "restored");
        assertEquals(1, again.exit, again::toString);
        assertTrue(again.err.startsWith("Error: ") && again.err.contains("not empty"), again::toString);
    }

    @Test
    void powqlBackupThroughDashCResolvesRelativeDirectoriesAgainstTheWorkingDirectory() throws Exception {
        String db = tmp.resolve("db").toString();
        Path cwd = tmp.toRealPath();   // the process runs in tmp; what its JVM sees as the working directory
        Run full = run("--data-dir", db, "-c", USERS + " backup to \"full\"; restore point \"after-full\";");
        assertEquals(0, full.exit, full::toString);
        assertEquals("", full.err, full::toString);
        assertTrue(full.out.matches("created type User\ninserted 5\n"
                + "kind\tdestination\tbase\tsource_lsn\tfiles\tbytes\tmillis\tmanifest_blake3\n"
                + "full\t" + Pattern.quote(cwd.resolve("full").toString())
                + "\t\t\\d+\t\\d+\t\\d+\t\\d+\t[0-9a-f]{64}\n"
                + "restore_point\tlsn\nafter-full\t\\d+\n"), full::toString);
        assertTrue(Files.isRegularFile(tmp.resolve("full/manifest.json")), full::toString);

        assertEquals(0, run("--data-dir", db, "-c", "User filter .name = \"Ada\" update { age := 99 };"
                + " insert User { name := \"Fay\", age := 41 };").exit);
        Run incr = run("--data-dir", db, "--json", "-c", "backup to \"incr\" base \"full\";"
                + " restore point \"after-incr\";");
        assertEquals(0, incr.exit, incr::toString);
        assertEquals("", incr.err, incr::toString);
        String[] lines = incr.out.split("\n");
        assertEquals(2, lines.length, incr::toString);
        JsonNode summary = JSON.readTree(lines[0]);
        assertEquals("incremental", summary.get("kind").asText(), incr::toString);
        assertEquals(cwd.resolve("incr").toString(), summary.get("destination").asText(), incr::toString);
        assertEquals(cwd.resolve("full").toString(), summary.get("base").asText(), incr::toString);
        Run info = run("backup-info", "incr", "--json");
        assertEquals(0, info.exit, info::toString);
        JsonNode manifest = JSON.readTree(info.out);
        assertEquals(manifest.get("source_lsn").asLong(), summary.get("source_lsn").asLong());
        assertEquals(manifest.get("manifest_blake3").asText(), summary.get("manifest_blake3").asText());
        JsonNode point = JSON.readTree(lines[1]);
        assertEquals("after-incr", point.get("restore_point").asText(), incr::toString);
        assertTrue(point.get("lsn").asLong() > summary.get("source_lsn").asLong(), incr::toString);

        Run restored = run("restore", "full", "restored", "--apply", "incr");
        assertEquals(0, restored.exit, restored::toString);
        String query = "User order .name { .name, .age, .city };";
        Run original = run("--data-dir", db, "-c", query);
        assertTrue(original.out.contains("Ada\t99\tOslo\n") && original.out.contains("Fay\t41\tOslo\n"),
                original::toString);
        assertSuccess(original.out, run("--data-dir", tmp.resolve("restored").toString(), "-c", query));

        // refusals are one positioned Error: line, no stack trace, exit 1
        Run inTx = run("--data-dir", db, "-c", "begin;\n backup to \"tx\";");
        assertEquals(1, inTx.exit, inTx::toString);
        assertEquals("begin\n", inTx.out, inTx::toString);
        assertEquals("Error: line 2, column 2: backup cannot run inside a transaction: a backup holds only committed"
                + " work; commit or rollback first\n", inTx.err, inTx::toString);
        Run badBase = run("--data-dir", db, "-c", "backup to \"next\" base \"nope\";");
        assertEquals(1, badBase.exit, badBase::toString);
        assertEquals("Error: line 1, column 1: " + cwd.resolve("nope") + " is not a backup: no such directory\n",
                badBase.err, badBase::toString);
        assertFalse(Files.exists(tmp.resolve("tx")) || Files.exists(tmp.resolve("next")), "a refused backup wrote");
    }

    /**
     * The WAL archive end to end: sessions archive into {@code wal}, a backup, a restore point between inserts,
     * then restores to the point (by name and by its time, in UTC and as a local time in the process's time zone)
     * hold exactly the rows before it, and {@code archive-info} lists the point, then reports a removed segment as
     * a gap with exit 1.
     */
    @Test
    void pointInTimeRestoreFromTheWalArchive() throws Exception {
        String db = tmp.resolve("db").toString();
        String wal = tmp.resolve("wal").toString();
        assertSuccess("created type User\ninserted 5\n", run("--data-dir", db, "--archive", wal, "-c", USERS));
        Run full = run("--data-dir", db, "--archive", wal, "backup", "full");
        assertEquals(0, full.exit, full::toString);
        assertSuccess("inserted 2\n", run("--data-dir", db, "--archive", wal, "-c",
                "insert User { name := \"Fay\", age := 41 }, { name := \"Gus\", age := 8 };"));
        Run point = run("--data-dir", db, "--archive", wal, "-c", "restore point \"p1\";");
        assertEquals(0, point.exit, point::toString);
        java.util.regex.Matcher m = Pattern.compile("restore_point\tlsn\np1\t(\\d+)\n").matcher(point.out);
        assertTrue(m.matches(), point::toString);
        long pointLsn = Long.parseLong(m.group(1));
        assertSuccess("inserted 3\n", run("--data-dir", db, "--archive", wal, "-c",
                "insert User { name := \"Hal\" }, { name := \"Ivy\" }, { name := \"Jo\" };"));
        assertSuccess("updated 1\n", run("--data-dir", db, "--archive", wal, "-c",
                "User filter .name = \"Ada\" update { age := 99 };"));

        Run restore = run("restore", "full", "restored", "--archive", wal, "--until-point", "p1");
        assertEquals(0, restore.exit, restore::toString);
        assertEquals("", restore.err, restore::toString);
        assertTrue(restore.out.startsWith("restored full into restored at LSN " + pointLsn + ", WAL replayed from "
                + wal + " up to restore point \"p1\": "), restore::toString);
        String beforePoint = "name\tage\nAda\t36\nBob\t17\nCy\t52\nDee\t29\nEve\t\nFay\t41\nGus\t8\n";
        assertSuccess(beforePoint, run("--data-dir", "restored", "-c", "User order .name { .name, .age };"));

        // everything archived, with --archive before the command name
        Run all = run("--archive", wal, "restore", "full", "all", "--json");
        assertEquals(0, all.exit, all::toString);
        assertEquals("end", JSON.readTree(all.out).get("target").get("kind").asText(), all::toString);
        assertSuccess("10\nage\n99\n", run("--data-dir", "all", "-c",
                "count(User); User filter .name = \"Ada\" { .age };"));

        Run info = run("archive-info", wal);
        assertEquals(0, info.exit, info::toString);
        assertEquals("", info.err, info::toString);
        assertTrue(info.out.lines().anyMatch(l -> l.matches("p1 +" + pointLsn + " +\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z")),
                info::toString);
        assertTrue(info.out.endsWith("\narchive-info: intact\n"), info::toString);
        JsonNode checked = JSON.readTree(run("archive-info", wal, "--check", "--json").out);
        assertTrue(checked.get("ok").asBoolean() && checked.get("checked").asBoolean(), checked::toString);
        String pointTime = checked.get("restore_points").get(0).get("time").asText();

        // the point's time: every commit before the point is at or before it, every later one after it
        Run byTime = run("restore", "full", "by-time", "--archive", wal, "--until-time", pointTime);
        assertEquals(0, byTime.exit, byTime::toString);
        assertTrue(byTime.out.contains(" up to time " + pointTime + ": "), byTime::toString);
        assertSuccess(beforePoint, run("--data-dir", "by-time", "-c", "User order .name { .name, .age };"));
        // the same time without a zone, read in the process's time zone (TZ), which the summary names
        String local = java.time.LocalDateTime.ofInstant(java.time.Instant.parse(pointTime),
                java.time.ZoneId.of("Asia/Kolkata")).toString();
        Run byLocalTime = runWithInput("", Map.of("TZ", "Asia/Kolkata"), "restore", "full", "by-local-time",
                "--archive", wal, "--until-time", local);
        assertEquals(0, byLocalTime.exit, byLocalTime::toString);
        assertTrue(byLocalTime.out.contains(" up to time " + pointTime + " (" + local
                + " in time zone Asia/Kolkata): "), byLocalTime::toString);
        assertSuccess("7\n", run("--data-dir", "by-local-time", "-c", "count(User);"));

        Run noArchive = run("restore", "full", "refused", "--until-point", "p1");
        assertEquals(2, noArchive.exit, noArchive::toString);
        assertTrue(noArchive.err.startsWith("Error: --until-point needs the WAL archive to replay: give --archive"
                + " DIR"), noArchive::toString);
        assertFalse(Files.exists(tmp.resolve("refused")), "a refused restore created its target");

        // every session archived at least one segment: remove one from the middle
        List<Path> listings;
        try (Stream<Path> files = Files.list(Path.of(wal))) {
            listings = files.filter(p -> p.getFileName().toString().endsWith(".wal.json")).sorted().toList();
        }
        assertTrue(listings.size() >= 3, listings::toString);
        Path middle = listings.get(listings.size() / 2);
        JsonNode removed = JSON.readTree(Files.readString(middle));
        Files.delete(middle);
        Files.delete(Path.of(wal).resolve(removed.get("name").asText()));
        Run gap = run("archive-info", wal);
        assertEquals(1, gap.exit, gap::toString);
        long first = removed.get("first_lsn").asLong();
        long last = removed.get("last_lsn").asLong();
        assertTrue(gap.out.contains("\nGAP   " + (first == last ? "LSN " + first + " is" : "LSNs " + first + " to "
                + last + " are") + " missing, between "), gap::toString);
        assertTrue(gap.out.endsWith("\narchive-info: PROBLEMS FOUND (1)\n"), gap::toString);
        assertEquals("Error: WAL archive " + wal + " is not intact: 1 gap found\n", gap.err, gap::toString);
    }

    @Test
    void backupOfADatabaseHeldByAShellIsRefusedAndTouchesNothing() throws Exception {
        Path db = tmp.resolve("db");
        assertEquals(0, run("--data-dir", db.toString(), "-c", USERS).exit);
        Path holderOut = tmp.resolve("holder.out");
        Path holderErr = tmp.resolve("holder.err");
        Process holder = startAnsweringShell(db, holderOut, holderErr);
        try {
            Map<String, byte[]> before = BackupFixtures.contents(db);
            assertTrue(before.keySet().stream().anyMatch(n -> n.startsWith("wal/")), before::toString);
            assertTrue(before.containsKey("LOCK"), before::toString);

            Run backup = run("--data-dir", db.toString(), "backup", "dest");
            assertEquals(1, backup.exit, backup::toString);
            assertEquals("", backup.out, backup::toString);
            assertTrue(backup.err.startsWith("Error: database at ") && backup.err.contains(
                    "is in use by another process (PID " + holder.pid() + ")"), backup::toString);
            Map<String, byte[]> after = BackupFixtures.contents(db);
            assertEquals(before.keySet(), after.keySet());
            for (String name : before.keySet()) {
                assertTrue(java.util.Arrays.equals(before.get(name), after.get(name)), name + " changed");
            }
            assertFalse(Files.exists(tmp.resolve("dest")), "the refused backup created its destination");
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
                fail("the shell did not exit at end of input");
            }
        }
        assertEquals(0, holder.exitValue(), () -> read(holderOut, holderErr));
        Run backup = run("--data-dir", db.toString(), "backup", "dest");
        assertEquals(0, backup.exit, backup::toString);
    }

    /** Starts {@code bin/powdb shell} on {@code db} and returns once it has answered a query (it holds the lock). */
    private Process startAnsweringShell(Path db, Path out, Path err) throws Exception {
        Process shell = start(List.of("--data-dir", db.toString(), "shell"), out, err);
        OutputStream in = shell.getOutputStream();
        in.write("count(User);\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!Files.readString(out).equals("5\n")) {
            assertTrue(shell.isAlive(), () -> "the shell exited early: " + read(out, err));
            assertTrue(System.nanoTime() < deadline, () -> "the shell did not answer: " + read(out, err));
            Thread.sleep(20);
        }
        return shell;
    }

    @Test
    void demoRunsTheBackupTourInPowdbDemo() throws Exception {
        long t0 = System.nanoTime();
        Run demo = run("demo");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertEquals(0, demo.exit, demo::toString);
        assertEquals("", demo.err, demo::toString);
        assertTrue(demo.out.contains("\nmatch: restored/ holds exactly the data of data/"), demo::toString);
        assertTrue(seconds < 45, "the demo took " + seconds + " s");
        assertTrue(Files.isRegularFile(tmp.resolve("powdb_demo/.powdb-demo")));
        assertFalse(Files.exists(tmp.resolve("powdb_data")), "the demo touched the default data directory");
        assertSuccess("99502\n", run("--data-dir", "powdb_demo/restored", "-c", "count(Account);"));
        Run info = run("backup-info", "powdb_demo/backups/incr-1");
        assertEquals(0, info.exit, info::toString);
        assertTrue(info.out.contains("\nkind             incremental\n"), info::toString);
    }

    private static String read(Path out, Path err) {
        try {
            return "--- stdout\n" + Files.readString(out) + "--- stderr\n" + Files.readString(err);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
