package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.DatabaseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code powdb demo}: the backup tour runs, produces a matching restore, re-runs, and never deletes other data. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    private static long rows(Path db, String table) {
        try (Database d = Database.openExisting(db, DatabaseOptions.defaults())) {
            return d.count(table, null);
        }
    }

    private CliRun demo(Path dir) {
        return CliRun.of("demo", "--dir", dir.toString(), "--rows", "3000");
    }

    @Test
    void theTourRestoresADatabaseEqualToTheOriginalAndCanBeRunAgain() throws Exception {
        Path dir = tmp.resolve("tour");
        CliRun first = demo(dir);
        assertEquals(0, first.exit, first.out() + first.err());
        assertEquals("", first.err());
        for (int step = 1; step <= 7; step++) {
            assertTrue(first.out().contains("\n[" + step + "/7] "), "step " + step + ":\n" + first.out());
        }
        assertTrue(first.out().contains("\nverify-backup: intact\n"), first.out());
        assertTrue(first.out().contains("\nmatch: restored/ holds exactly the data of data/"), first.out());
        assertFalse(first.out().contains("<- differs"), first.out());
        assertTrue(first.out().contains("bin/powdb --data-dir " + dir.resolve("restored") + " shell"),
                first.out());
        assertTrue(Files.isRegularFile(dir.resolve(DemoDirectory.MARKER)));
        assertTrue(Files.isRegularFile(dir.resolve("backups/full/manifest.json")));
        assertTrue(Files.isRegularFile(dir.resolve("backups/incr-1/manifest.json")));
        // 3000 loaded, 15 deleted, 2 inserted
        assertEquals(2987, rows(dir.resolve("data"), DemoWorkload.TYPE));
        assertEquals(2987, rows(dir.resolve("restored"), DemoWorkload.TYPE));
        assertEquals(1, rows(dir.resolve("restored"), DemoWorkload.NEW_TYPE));

        // something a user left there from the last run goes: the directory is the demo's
        Files.writeString(dir.resolve("leftover.txt"), "from the first run");
        CliRun second = demo(dir);
        assertEquals(0, second.exit, second.out() + second.err());
        assertFalse(Files.exists(dir.resolve("leftover.txt")));
        assertEquals(2987, rows(dir.resolve("restored"), DemoWorkload.TYPE));
    }

    @Test
    void refusesANonEmptyDirectoryItDidNotMake() throws Exception {
        Path dir = tmp.resolve("mine");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("thesis.txt"), "irreplaceable");
        Map<String, byte[]> before = BackupFixtures.contents(dir);
        CliRun r = demo(dir);
        assertEquals(1, r.exit);
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("Error: " + dir + " is not empty and was not made by 'powdb demo'"),
                r.err());
        assertTrue(BackupFixtures.sameContents(before, BackupFixtures.contents(dir)));
        assertTrue(Files.isDirectory(dir.resolve("sub")));

        Path file = Files.writeString(tmp.resolve("file"), "x");
        CliRun onFile = demo(file);
        assertEquals(1, onFile.exit);
        assertTrue(onFile.err().contains("is not a directory"), onFile.err());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void usesAnEmptyDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        CliRun r = demo(dir);
        assertEquals(0, r.exit, r.out() + r.err());
        assertTrue(Files.isRegularFile(dir.resolve(DemoDirectory.MARKER)));
    }

    @Test
    void refusesToDeleteADemoDatabaseThatIsOpen() throws Exception {
        Path dir = tmp.resolve("tour");
        assertEquals(0, demo(dir).exit);
        try (Database open = Database.openExisting(dir.resolve("restored"), DatabaseOptions.defaults())) {
            Set<String> names = BackupFixtures.contents(dir).keySet();
            Map<String, byte[]> inUse = BackupFixtures.contents(dir.resolve("restored"));
            CliRun r = demo(dir);
            assertEquals(1, r.exit, r.out());
            assertTrue(r.err().startsWith("Error: cannot start the demo again in " + dir), r.err());
            // nothing was deleted, and the open database was not touched (data/ may have been opened to check it)
            assertEquals(names, BackupFixtures.contents(dir).keySet());
            assertTrue(BackupFixtures.sameContents(inUse, BackupFixtures.contents(dir.resolve("restored"))));
            assertEquals(2987, open.count(DemoWorkload.TYPE, null));
        }
    }

    @Test
    void usageErrorsExit2() {
        Path dir = tmp.resolve("d");
        CliRun dataDir = CliRun.of("--data-dir", dir.toString(), "demo");
        assertEquals(2, dataDir.exit);
        assertTrue(dataDir.err().contains("use 'demo --dir DIR'"), dataDir.err());
        assertEquals(2, CliRun.of("demo", "--rows", "10", "--dir", dir.toString()).exit);
        assertEquals(2, CliRun.of("demo", "--rows", "many").exit);
        assertEquals(2, CliRun.of("demo", "--bogus").exit);
        assertFalse(Files.exists(dir));
    }
}
