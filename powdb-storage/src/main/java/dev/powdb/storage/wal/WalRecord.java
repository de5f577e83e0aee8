package dev.powdb.storage.wal;

/** One record read back from the WAL. */
public final class WalRecord {
    public final long lsn;
    public final long durableHorizon;
    public final long txId;
    public final int type;
    /** The payload (owned by this record). */
    public final byte[] payload;
    /** The segment file and byte offset the record was read from, for messages. */
    public final String segment;
    public final long offset;

    public WalRecord(long lsn, long durableHorizon, long txId, int type, byte[] payload, String segment,
                     long offset) {
        this.lsn = lsn;
        this.durableHorizon = durableHorizon;
        this.txId = txId;
        this.type = type;
        this.payload = payload;
        this.segment = segment;
        this.offset = offset;
    }

    @Override
    public String toString() {
        return "lsn " + lsn + " tx " + txId + " " + WalRecordType.name(type) + " (" + payload.length + " bytes, "
                + segment + "@" + offset + ")";
    }
}
