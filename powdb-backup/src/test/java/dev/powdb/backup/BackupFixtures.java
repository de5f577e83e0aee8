package dev.powdb.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.powdb.storage.ColumnDef;
import dev.powdb.storage.ColumnType;
import dev.powdb.storage.Database;
import dev.powdb.storage.IndexDef;
import dev.powdb.storage.TableSchema;
import dev.powdb.storage.Transaction;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** Helpers shared by the adversarial backup suites: directory trees, staging dirs, signed manifests, small databases. */
final class BackupFixtures {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private BackupFixtures() {
    }

    /**
     * Temporary directories on tmpfs ({@code /dev/shm}) when there is one, so suites that restore thousands of times
     * do not pay for real fsyncs; elsewhere the default temporary directory.
     */
    static final class Shm implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
                throws IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                return Files.createTempDirectory(shm, "powdb-backup-test");
            }
            return Files.createTempDirectory("powdb-backup-test");
        }
    }

    // ---- file system views

    /**
     * Every entry under {@code root} (not following links), relative path to a description: {@code dir},
     * {@code link -> target}, {@code fifo/other}, or {@code file <len> <blake3>}.
     */
    /** The whole-file entries of a manifest except control.bin (which holds the database id). */
    static List<BackupManifest.FileEntry> dataFiles(BackupManifest m) {
        List<BackupManifest.FileEntry> out = new java.util.ArrayList<>(m.files());
        out.removeIf(f -> f.name().equals("control.bin"));
        return out;
    }

    /** The backup {@code restoredBackup} of a restored database carries a database id other than the original's. */
    static void assertNewDatabaseId(Path originalBackup, Path restoredBackup) throws IOException {
        String original = dev.powdb.storage.spi.ControlImages.databaseId(
                java.nio.file.Files.readAllBytes(originalBackup.resolve("control.bin")), "original");
        String restored = dev.powdb.storage.spi.ControlImages.databaseId(
                java.nio.file.Files.readAllBytes(restoredBackup.resolve("control.bin")), "restored");
        org.junit.jupiter.api.Assertions.assertNotEquals("00000000000000000000000000000000", original);
        org.junit.jupiter.api.Assertions.assertNotEquals(original, restored,
                "a restored database must get a database id of its own");
    }

    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                out.put(rel(dir), "dir");
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    out.put(rel(file), "link -> " + Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile()) {
                    out.put(rel(file), "file " + attrs.size() + " " + Blake3.hex(file));
                } else {
                    out.put(rel(file), "other");
                }
                return FileVisitResult.CONTINUE;
            }

            private String rel(Path p) {
                return root.relativize(p).toString().replace('\\', '/');
            }
        });
        return out;
    }

    /** Names of the entries of {@code dir}, sorted; empty when it does not exist. */
    static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Restore staging directories ({@code .<dest>.restore-*}) left beside {@code dest}. */
    static List<String> stagingDirs(Path dest) throws IOException {
        Path abs = dest.toAbsolutePath().normalize();
        String prefix = "." + abs.getFileName() + ".restore-";
        List<String> out = new ArrayList<>();
        for (String name : list(abs.getParent())) {
            if (name.startsWith(prefix)) {
                out.add(name);
            }
        }
        return out;
    }

    /** A refused or failed restore: nothing at {@code dest} and no staging directory beside it. */
    static void assertNothingRestored(Path dest, String context) throws IOException {
        assertFalse(Files.exists(dest, LinkOption.NOFOLLOW_LINKS), context + ": " + dest + " must not exist");
        assertEquals(List.of(), stagingDirs(dest), context + ": staging directories left beside " + dest);
    }

    /** Every directory under {@code root} holding a {@code manifest.json}. */
    static List<Path> dirsWithManifest(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals(BackupManifest.FILE_NAME)).map(Path::getParent)
                    .sorted().toList();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void mkfifo(Path p) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        assertEquals(0, proc.waitFor(), "mkfifo " + p);
        assertTrue(Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
    }

    // ---- manifests

    static ObjectNode json(BackupManifest m) throws IOException {
        return (ObjectNode) MAPPER.readTree(m.toFileBytes());
    }

    static ObjectNode json(Path backupDir) throws IOException {
        return (ObjectNode) MAPPER.readTree(backupDir.resolve(BackupManifest.FILE_NAME).toFile());
    }

    /**
     * The stored bytes of {@code root} with a correct self-hash: the canonical form is the compact JSON of the
     * object in its key order, so a manifest edited this way is rejected for what it says, never for its hash.
     */
    static byte[] sign(ObjectNode root) throws IOException {
        root.put("manifest_blake3", "");
        root.put("manifest_blake3", Blake3.hex(MAPPER.writeValueAsBytes(root)));
        byte[] body = MAPPER.writeValueAsBytes(root);
        byte[] out = java.util.Arrays.copyOf(body, body.length + 1);
        out[body.length] = '\n';
        return out;
    }

    static void writeSigned(Path backupDir, ObjectNode root) throws IOException {
        Files.write(backupDir.resolve(BackupManifest.FILE_NAME), sign(root));
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- databases

    /** {@code t(id int unique-indexed, grp int indexed, s str, b bytes)}. */
    static void createT(Database db, String name) {
        db.createTable(new TableSchema(name, List.of(ColumnDef.required("id", ColumnType.INT),
                ColumnDef.optional("grp", ColumnType.INT), ColumnDef.optional("s", ColumnType.STR),
                ColumnDef.optional("b", ColumnType.BYTES)),
                List.of(new IndexDef("id", true), new IndexDef("grp", false))));
    }

    static void fill(Database db, String table, int from, int to) {
        try (Transaction tx = db.begin()) {
            for (int i = from; i < to; i++) {
                tx.insert(table, Map.of("id", (long) i, "grp", (long) (i % 7), "s", "row-" + i));
            }
            tx.commit();
        }
    }

    /** Throws any exception without declaring it (to fail from inside a callback that declares none). */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
