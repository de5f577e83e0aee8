package dev.powdb.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/** The writer lock on one {@code LOCK} file of a {@link FaultyFs}; closing releases it. */
final class FaultyLock implements Closeable {
    private final FaultyFs fs;
    private final Path path;
    private final long epoch;

    FaultyLock(FaultyFs fs, Path path, long epoch) {
        this.fs = fs;
        this.path = path;
        this.epoch = epoch;
    }

    /** The normalised path of the lock file. */
    Path path() {
        return path;
    }

    /** The crash epoch the lock was taken in; a crash releases it. */
    long epoch() {
        return epoch;
    }

    /**
     * Releases the lock. Closing twice, or after a crash already released it, does nothing.
     *
     * @throws IOException when the simulated machine has stopped
     */
    @Override
    public void close() throws IOException {
        fs.release(this);
    }
}
