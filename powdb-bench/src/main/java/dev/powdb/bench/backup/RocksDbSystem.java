package dev.powdb.bench.backup;

import org.rocksdb.BackupEngine;
import org.rocksdb.BackupEngineOptions;
import org.rocksdb.Env;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RestoreOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * RocksDB through its Java binding ({@code org.rocksdb:rocksdbjni}). A row is key = the id as 8 big-endian bytes,
 * value = the 80 name bytes followed by the age as 4 big-endian bytes; loaded in write batches of 1,000 rows with
 * the WAL on and no per-batch sync, then flushed and compacted (untimed) so the backup sees a settled LSM tree.
 *
 * <p>Backups use {@link BackupEngine} with its defaults (shared table files, so the second backup into the same
 * directory is incremental; {@code sync = true}; one background operation) and {@code createNewBackup(db, true)}
 * (flush the memtable first, inside the time). Restore is {@code restoreDbFromLatestBackup}, which checks each
 * file's CRC32C while copying. The Java binding has no {@code VerifyBackup}, so no deep check of RocksDB's own is
 * timed: only the {@code b3sum} reference.
 */
final class RocksDbSystem implements BackupSystem {
    private static final int LOAD_BATCH_ROWS = 1000;
    private static final int VALUE_BYTES = RowSource.NAME_BYTES + Integer.BYTES;

    static {
        RocksDB.loadLibrary();
    }

    private Path dataDir;
    private Options options;
    private RocksDB db;

    @Override
    public String name() {
        return "RocksDB";
    }

    @Override
    public String describe() throws RocksDBException {
        return "RocksDB " + RocksDB.rocksdbVersion() + " (rocksdbjni), default options (compression "
                + options.compressionType() + "); BackupEngine defaults, createNewBackup(db, flush = true)";
    }

    @Override
    public void load(Path dataDir, RowSource rows) throws RocksDBException {
        this.dataDir = dataDir;
        options = new Options().setCreateIfMissing(true);
        db = RocksDB.open(options, dataDir.toString());
        ByteBuffer key = ByteBuffer.allocate(Long.BYTES);
        ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES);
        try (WriteOptions write = new WriteOptions()) {
            while (rows.hasNext()) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (int i = 0; i < LOAD_BATCH_ROWS && rows.hasNext(); i++) {
                        key.clear();
                        key.putLong(rows.next());
                        value.clear();
                        value.put(rows.nameBytes()).putInt(rows.age());
                        batch.put(key.array(), value.array());
                    }
                    db.write(write, batch);
                }
            }
        }
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        }
        db.compactRange();
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    private static BackupEngine engine(Path backupDir) throws RocksDBException {
        try (BackupEngineOptions options = new BackupEngineOptions(backupDir.toString())) {
            return BackupEngine.open(Env.getDefault(), options);
        }
    }

    @Override
    public void fullBackup(Path dest) throws Exception {
        Files.createDirectory(dest); // the binding refuses a backup directory that does not exist
        try (BackupEngine engine = engine(dest)) {
            engine.createNewBackup(db, true);
        }
    }

    @Override
    public String verifyMethod() {
        return null;
    }

    @Override
    public void verify(Path backup) {
        throw new UnsupportedOperationException("the RocksDB Java binding has no VerifyBackup");
    }

    @Override
    public void restore(Path backup, Path dest) throws RocksDBException {
        try (BackupEngine engine = engine(backup); RestoreOptions restore = new RestoreOptions(false)) {
            engine.restoreDbFromLatestBackup(dest.toString(), dest.toString(), restore);
        }
    }

    @Override
    public long[] countAndAgeSum(Path dir) throws RocksDBException {
        try (Options o = new Options(); RocksDB restored = RocksDB.open(o, dir.toString());
             RocksIterator it = restored.newIterator()) {
            long count = 0;
            long sum = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                count++;
                sum += ByteBuffer.wrap(it.value()).getInt(RowSource.NAME_BYTES);
            }
            it.status();
            return new long[] {count, sum};
        }
    }

    @Override
    public void change(long[] ids) throws RocksDBException {
        ByteBuffer key = ByteBuffer.allocate(Long.BYTES);
        try (WriteOptions write = new WriteOptions().setSync(true); WriteBatch batch = new WriteBatch()) {
            for (long id : ids) {
                key.clear();
                key.putLong(id);
                byte[] value = db.get(key.array());
                if (value == null) {
                    throw new IllegalStateException("RocksDB: id " + id + " not found");
                }
                ByteBuffer v = ByteBuffer.wrap(value);
                v.putInt(RowSource.NAME_BYTES, v.getInt(RowSource.NAME_BYTES) + 1);
                batch.put(key.array(), value); // the batch copies key and value
            }
            db.write(write, batch);
        }
    }

    @Override
    public boolean supportsIncremental() {
        return true;
    }

    @Override
    public long incrementalBackup(Path base, Path dest) throws Exception {
        long before = Disk.sizeBytes(base);
        try (BackupEngine engine = engine(base)) {
            engine.createNewBackup(db, true);
        }
        return Disk.sizeBytes(base) - before;
    }

    @Override
    public void restoreChain(Path base, Path increment, Path dest) throws RocksDBException {
        restore(base, dest);
    }

    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
        if (options != null) {
            options.close();
            options = null;
        }
    }
}
