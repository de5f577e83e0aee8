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
     * The same clean-stop image with a new random database id: what a restore installs, so that the restored copy
     * and the database it came from are told apart by later backups.
     *
     * @throws dev.powdb.storage.CorruptionException when the image is damaged or does not record a clean stop
     */
    public static byte[] withNewDatabaseId(byte[] image, String resource) {
        ControlFile.State s = ControlFile.decodeImage(image, resource);
        if (!s.clean || s.redoLsn != s.nextLsn || s.undoLsn != s.nextLsn) {
            throw new dev.powdb.storage.CorruptionException(resource, 0, "control file of a backup",
                    "a clean stop with nothing to redo", "redo LSN " + s.redoLsn + ", next LSN " + s.nextLsn
                    + (s.clean ? "" : ", not clean"), "not written by a backup");
        }
        long[] id = ControlFile.newDatabaseId();
        return ControlFile.cleanImage(s.nextLsn, s.catalogVersion, s.timeMicros, id[0], id[1]);
    }
}
