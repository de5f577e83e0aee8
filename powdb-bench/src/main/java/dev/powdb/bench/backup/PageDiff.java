package dev.powdb.bench.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Counts the pages of a directory's files that changed between two moments, independently of the engine: a snapshot
 * keeps one CRC32C per page of every selected regular file (the directory's own entries, no subdirectories), and
 * {@link #changedPages} compares two snapshots. A page counts as changed when its checksum differs, when it did not
 * exist before (the file grew or is new); pages of files that disappeared are not counted.
 */
public final class PageDiff {
    private final int pageBytes;
    private final Map<String, long[]> pageCrcs;

    private PageDiff(int pageBytes, Map<String, long[]> pageCrcs) {
        this.pageBytes = pageBytes;
        this.pageCrcs = pageCrcs;
    }

    /**
     * Reads every selected file of {@code dir} and records one CRC32C per {@code pageBytes} bytes (a short last page
     * is checksummed as it is).
     *
     * @param include which file names to take (for example heap and index files only)
     */
    public static PageDiff snapshot(Path dir, int pageBytes, Predicate<String> include) throws IOException {
        if (pageBytes < 1) {
            throw new IllegalArgumentException("pageBytes must be positive: " + pageBytes);
        }
        Map<String, long[]> crcs = new TreeMap<>();
        ByteBuffer page = ByteBuffer.allocate(pageBytes);
        CRC32C crc = new CRC32C();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                String name = file.getFileName().toString();
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !include.test(name)) {
                    continue;
                }
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                    long size = in.size();
                    long[] perPage = new long[(int) ((size + pageBytes - 1) / pageBytes)];
                    for (int p = 0; p < perPage.length; p++) {
                        page.clear();
                        long position = (long) p * pageBytes;
                        while (page.hasRemaining() && in.read(page, position + page.position()) >= 0) {
                            // keep reading until the page is full or the file ends
                        }
                        page.flip();
                        crc.reset();
                        crc.update(page);
                        perPage[p] = crc.getValue();
                    }
                    crcs.put(name, perPage);
                }
            }
        }
        return new PageDiff(pageBytes, crcs);
    }

    /** Pages recorded in this snapshot, all files together. */
    public long totalPages() {
        long total = 0;
        for (long[] crcs : pageCrcs.values()) {
            total += crcs.length;
        }
        return total;
    }

    /** Pages of {@code after} that are new or differ from this snapshot. */
    public long changedPages(PageDiff after) {
        if (after.pageBytes != pageBytes) {
            throw new IllegalArgumentException("snapshots with different page sizes: " + pageBytes + " and "
                    + after.pageBytes);
        }
        long changed = 0;
        for (Map.Entry<String, long[]> file : after.pageCrcs.entrySet()) {
            long[] before = pageCrcs.getOrDefault(file.getKey(), new long[0]);
            long[] now = file.getValue();
            for (int p = 0; p < now.length; p++) {
                if (p >= before.length || before[p] != now[p]) {
                    changed++;
                }
            }
        }
        return changed;
    }

    /** File names in the snapshot, sorted. */
    public String[] files() {
        return pageCrcs.keySet().toArray(new String[0]);
    }

    @Override
    public String toString() {
        return "PageDiff" + Arrays.toString(files()) + " (" + totalPages() + " pages of " + pageBytes + " B)";
    }
}
