package dev.powdb.bench.backup;

import dev.powdb.backup.Blake3;
import dev.powdb.backup.HashingFileCopier;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits the cost of a PowDB full backup into its parts, measured one at a time on the files such a backup copies
 * (the data directory's heap, index and catalog files): reading them (1 MiB blocks, as the copier reads), BLAKE3 of
 * the bytes on one thread through {@code powdb-backup}'s {@link Blake3} (native or pure Java, whichever it picked:
 * {@link Blake3#implementation()} is printed), writing the same amount
 * and fsyncing it, and {@link HashingFileCopier} (the copier the backup uses: read-ahead, hash and write threads,
 * fsync, rename) on the same files. Each line reports seconds and MB/s of the files' total size.
 */
final class PhaseProbe {
    private static final int BLOCK_BYTES = 1 << 20;

    private PhaseProbe() {
    }

    /** Files of a PowDB data directory that a full backup copies (control.bin is written from memory). */
    static List<Path> backedUpFiles(Path dataDir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var entries = Files.list(dataDir)) {
            entries.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return BackupBench.isPagedFile(n) || n.equals("catalog.bin");
                    })
                    .sorted()
                    .forEach(files::add);
        }
        return files;
    }

    /**
     * Runs every phase once in {@code mode} and returns a Markdown table; {@code scratch} (created and deleted here)
     * receives the written files.
     */
    static String run(int sizeMb, Path dataDir, Path scratch, CacheMode mode, PrintStream out) throws IOException {
        List<Path> files = backedUpFiles(dataDir);
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "PowDB backup phases, %d MB size, %s cache, %d files of %.1f MB; "
                + "BLAKE3: %s:%n%n", sizeMb, mode.label(), files.size(), total / 1e6, Blake3.implementation()));
        md.append("| phase | seconds | MB/s |\n|---|---:|---:|\n");
        Files.createDirectories(scratch);
        try {
            prepare(mode, files);
            long t0 = System.nanoTime();
            readAll(files, null);
            row(md, "read (1 MiB blocks, one thread)", t0, total);

            prepare(mode, files);
            t0 = System.nanoTime();
            readAll(files, new Blake3());
            row(md, "read + BLAKE3 (same thread)", t0, total);

            t0 = System.nanoTime();
            hashInMemory(total);
            row(md, "BLAKE3 alone (bytes in memory)", t0, total);

            Path written = scratch.resolve("write-probe");
            long[] forceNanos = new long[1];
            t0 = System.nanoTime();
            writeAndForce(written, total, forceNanos);
            row(md, "write from memory + fsync", t0, total);
            md.append(String.format(Locale.ROOT, "| of which the final fsync | %.3f | |%n", forceNanos[0] / 1e9));
            Files.delete(written);

            prepare(mode, files);
            Path copies = scratch.resolve("copier");
            Files.createDirectory(copies);
            t0 = System.nanoTime();
            try (HashingFileCopier copier = new HashingFileCopier()) {
                for (Path f : files) {
                    copier.copy(f, copies, f.getFileName().toString());
                }
            }
            row(md, "HashingFileCopier of every file (read + hash + write + fsync)", t0, total);
        } finally {
            Disk.deleteTree(scratch);
        }
        out.println(md);
        return md.toString();
    }

    private static void prepare(CacheMode mode, List<Path> files) throws IOException {
        if (mode == CacheMode.COLD) {
            Disk.dropCaches();
        } else {
            Disk.syncAll();
            Disk.warm(files);
        }
    }

    private static void readAll(List<Path> files, Blake3 hasher) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BLOCK_BYTES);
        for (Path f : files) {
            try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
                while (in.read(buffer) >= 0) {
                    if (!buffer.hasRemaining() || buffer.position() > 0) {
                        buffer.flip();
                        if (hasher != null) {
                            hasher.update(buffer);
                        }
                        buffer.clear();
                    }
                }
            }
        }
        if (hasher != null) {
            hasher.finishHex();
        }
    }

    private static void hashInMemory(long total) {
        byte[] block = new byte[BLOCK_BYTES];
        new java.util.SplittableRandom(7).nextBytes(block);
        Blake3 hasher = new Blake3();
        for (long done = 0; done < total; done += block.length) {
            hasher.update(block, 0, (int) Math.min(block.length, total - done));
        }
        hasher.finishHex();
    }

    private static void writeAndForce(Path file, long total, long[] forceNanos) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < total; done += BLOCK_BYTES) {
                block.clear();
                block.limit((int) Math.min(BLOCK_BYTES, total - done));
                while (block.hasRemaining()) {
                    out.write(block);
                }
            }
            long f0 = System.nanoTime();
            out.force(true);
            forceNanos[0] = System.nanoTime() - f0;
        }
    }

    private static void row(StringBuilder md, String phase, long startNanos, long bytes) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %.0f |%n", phase, s, bytes / 1e6 / s));
    }
}
