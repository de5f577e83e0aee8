package dev.powdb.storage.spi;

import dev.powdb.storage.engine.ControlFile;

/** Reading and rewriting {@code control.bin} images of backups without reaching into the engine. */
public final class ControlImages {
    private ControlImages() {
    }

    /**
     * The database id (32 hex characters) recorded in a {@code control.bin} image.
     *
     * @throws dev.powdb.storage.CorruptionException naming {@code resource} when the image is damaged
     */
    public static String databaseId(byte[] image, String resource) {
        ControlFile.State s = ControlFile.decodeImage(image, resource);
        return ControlFile.idHex(s.idHigh, s.idLow);
    }

    /**
     * The same image with a new random database id: what a restore installs, so that the restored copy and the
     * database it came from are told apart by later backups. The image must record what the backup's manifest
     * says: a clean stop at {@code sourceLsn + 1} for a backup without WAL, else a checkpoint at {@code startLsn}
     * and {@code undoLsn} whose WAL ends at {@code sourceLsn}.
     *
     * @throws dev.powdb.storage.CorruptionException when the image is damaged or records something else
     */
    public static byte[] withNewDatabaseId(byte[] image, String resource, long startLsn, long undoLsn,
                                           long sourceLsn, boolean keepsWal) {
        return withNewDatabaseId(image, resource, startLsn, undoLsn, sourceLsn, keepsWal, -1);
    }

    /**
     * Like the other overload; with {@code replayUntil >= 0} the result records a checkpoint at {@code startLsn}
     * and {@code undoLsn} whose WAL ends at {@code replayUntil} (a point-in-time restore installs that WAL).
     */
    public static byte[] withNewDatabaseId(byte[] image, String resource, long startLsn, long undoLsn,
                                           long sourceLsn, boolean keepsWal, long replayUntil) {
        ControlFile.State s = ControlFile.decodeImage(image, resource);
        boolean ok = keepsWal
                ? !s.clean && s.redoLsn == startLsn && s.undoLsn == undoLsn && s.nextLsn == sourceLsn + 1
                : s.clean && s.redoLsn == sourceLsn + 1 && s.undoLsn == sourceLsn + 1 && s.nextLsn == sourceLsn + 1;
        if (!ok) {
            String expected = keepsWal ? "a checkpoint at redo LSN " + startLsn + ", undo LSN " + undoLsn
                    + ", next LSN " + (sourceLsn + 1) : "a clean stop at LSN " + (sourceLsn + 1);
            throw new dev.powdb.storage.CorruptionException(resource, 0, "control file of a backup", expected
                    + " (as the manifest says)", "redo LSN " + s.redoLsn + ", undo LSN " + s.undoLsn + ", next LSN "
                    + s.nextLsn + (s.clean ? ", clean" : ", not clean"), "not written by this backup");
        }
        long[] id = ControlFile.newDatabaseId();
        if (replayUntil >= 0) {
            return ControlFile.image(startLsn, undoLsn, replayUntil + 1, false, s.catalogVersion, s.timeMicros,
                    id[0], id[1]);
        }
        return ControlFile.image(s.redoLsn, s.undoLsn, s.nextLsn, s.clean, s.catalogVersion, s.timeMicros, id[0],
                id[1]);
    }
}
