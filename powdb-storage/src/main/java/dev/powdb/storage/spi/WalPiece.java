package dev.powdb.storage.spi;

/**
 * A WAL segment, or the beginning of one, that an online backup keeps so that a restore can replay it.
 *
 * @param name        the segment's file name ({@code <16 hex digits>.wal}, its first LSN)
 * @param firstLsn    LSN of its first record
 * @param lastLsn     LSN of the last record the piece holds
 * @param lengthBytes bytes to copy: the segment header and the frames up to {@code lastLsn}, nothing after them
 */
public record WalPiece(String name, long firstLsn, long lastLsn, long lengthBytes) {
}
