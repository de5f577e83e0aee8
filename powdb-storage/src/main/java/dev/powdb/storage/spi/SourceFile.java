package dev.powdb.storage.spi;

import dev.powdb.storage.DataDirectory;

/**
 * One durable file of a database as a backup sees it.
 *
 * @param name      plain file name in the data directory ({@code catalog.bin}, {@code users.heap}, ...)
 * @param kind      what the file is ({@link DataDirectory.FileKind#CATALOG}, {@code HEAP} or {@code INDEX})
 * @param fileId    the catalog's id of a paged file (never reused for another file); 0 for {@code catalog.bin}
 * @param sizeBytes length of the file at the backup's source LSN
 */
public record SourceFile(String name, DataDirectory.FileKind kind, int fileId, long sizeBytes) {
    /** Whether the file is made of pages that carry an LSN (heap and index files). */
    public boolean paged() {
        return kind == DataDirectory.FileKind.HEAP || kind == DataDirectory.FileKind.INDEX;
    }
}
