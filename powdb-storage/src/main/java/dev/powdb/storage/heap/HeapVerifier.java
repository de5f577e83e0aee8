package dev.powdb.storage.heap;

import dev.powdb.storage.page.Page;
import dev.powdb.storage.page.PageType;
import dev.powdb.storage.page.PagedFile;

import java.util.List;

/** Structural checks of heap pages: slot array bounds, record bounds and overlaps. */
public final class HeapVerifier {
    private HeapVerifier() {
    }

    /** Appends a problem (naming file, page and slot) for each inconsistency found. */
    public static void checkPages(HeapFile heap, List<String> problems) {
        PagedFile f = heap.file();
        for (int pageNo = 1; pageNo < f.pageCount(); pageNo++) {
            Page p = f.pin(pageNo);
            try {
                int type = p.type();
                if (type == PageType.HEAP) {
                    checkHeapPage(f.name(), p, problems);
                } else if (type != PageType.FREE && type != PageType.OVERFLOW) {
                    problems.add(f.name() + " page " + pageNo + ": unexpected page type " + PageType.name(type));
                }
            } finally {
                p.unpin();
            }
        }
    }

    private static void checkHeapPage(String file, Page p, List<String> problems) {
        int slots = p.getUnsignedShort(HeapFile.OFF_SLOTS);
        int freeStart = p.getUnsignedShort(HeapFile.OFF_FREE_START);
        int freeEnd = p.getUnsignedShort(HeapFile.OFF_FREE_END);
        String where = file + " page " + p.pageNo();
        if (freeStart != HeapFile.SLOT_ARRAY + 4 * slots) {
            problems.add(where + ": slot array end " + freeStart + " does not match " + slots + " slots");
            return;
        }
        if (freeEnd < freeStart || freeEnd > Page.SIZE) {
            problems.add(where + ": free space end " + freeEnd + " outside [" + freeStart + ", " + Page.SIZE + "]");
            return;
        }
        boolean[] used = new boolean[Page.SIZE];
        for (int s = 0; s < slots; s++) {
            int off = p.getUnsignedShort(HeapFile.SLOT_ARRAY + 4 * s);
            int len = p.getUnsignedShort(HeapFile.SLOT_ARRAY + 4 * s + 2);
            if (off == 0) {
                continue;
            }
            if (off < freeEnd || off + len > Page.SIZE || len < 2) {
                problems.add(where + " slot " + s + ": record at " + off + " length " + len
                        + " lies outside the record area [" + freeEnd + ", " + Page.SIZE + ")");
                continue;
            }
            for (int i = off; i < off + len; i++) {
                if (used[i]) {
                    problems.add(where + " slot " + s + ": record overlaps another at byte " + i);
                    break;
                }
                used[i] = true;
            }
        }
    }
}
