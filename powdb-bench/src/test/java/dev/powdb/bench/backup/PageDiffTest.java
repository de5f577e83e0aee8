package dev.powdb.bench.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageDiffTest {
    private static final int PAGE = 64;

    @TempDir
    Path dir;

    private static byte[] pages(int count, int seed) {
        byte[] b = new byte[count * PAGE];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static void overwrite(Path file, long offset, byte value) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {value}), offset);
        }
    }

    @Test
    void countsChangedGrownAndNewPages() throws Exception {
        Path heap = dir.resolve("t.heap");
        Files.write(heap, pages(10, 1));
        Files.write(dir.resolve("ignored.log"), pages(3, 2));
        PageDiff before = PageDiff.snapshot(dir, PAGE, n -> n.endsWith(".heap") || n.endsWith(".idx"));
        assertEquals(10, before.totalPages());
        assertArrayEquals(new String[] {"t.heap"}, before.files());

        overwrite(heap, 3 * PAGE + 5, (byte) 0x5A);      // page 3
        overwrite(heap, 7 * PAGE, (byte) 0x11);          // page 7
        Files.write(heap, pages(2, 3), StandardOpenOption.APPEND); // pages 10 and 11 are new
        Files.write(dir.resolve("t_id.idx"), pages(1, 4));         // a new file: 1 page
        Files.write(dir.resolve("ignored.log"), pages(5, 5));      // not selected
        PageDiff after = PageDiff.snapshot(dir, PAGE, n -> n.endsWith(".heap") || n.endsWith(".idx"));

        assertEquals(13, after.totalPages());
        assertEquals(5, before.changedPages(after));
        assertEquals(0, after.changedPages(after));
    }

    @Test
    void shortLastPageIsAPage() throws Exception {
        Files.write(dir.resolve("a.heap"), new byte[PAGE + 1]);
        assertEquals(2, PageDiff.snapshot(dir, PAGE, n -> true).totalPages());
    }

    @Test
    void refusesMismatchedPageSizes() throws Exception {
        PageDiff a = PageDiff.snapshot(dir, PAGE, n -> true);
        PageDiff b = PageDiff.snapshot(dir, PAGE * 2, n -> true);
        assertThrows(IllegalArgumentException.class, () -> a.changedPages(b));
        assertThrows(IllegalArgumentException.class, () -> PageDiff.snapshot(dir, 0, n -> true));
    }
}
