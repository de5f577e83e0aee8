package dev.powdb.testkit;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * The armed faults of one {@link FaultyFs} and its operation counters. "Writes" are {@code write} and
 * {@code truncate} calls; "syncs" are {@code StorageFile.sync} calls; directory syncs are counted and failed
 * apart. Guarded by the owning {@link FaultyFs}'s monitor.
 */
final class FaultInjector {
    /** Message of the exception thrown when the simulated disk is full, as Linux words ENOSPC. */
    static final String DISK_FULL = "No space left on device";

    private static final int DISARMED = -1;

    private int writesBeforeFailure = DISARMED;
    private int syncsBeforeFailure = DISARMED;
    private boolean failNextSync;
    private boolean failNextDirectorySync;
    private long capacityBytes = Long.MAX_VALUE;
    private int writesBeforePowerOff = DISARMED;
    private boolean poweredOff;

    private long writeCount;
    private long syncCount;
    private long directorySyncCount;
    private long failureCount;

    void failWritesAfter(int n) {
        writesBeforeFailure = nonNegative(n);
    }

    void failSyncsAfter(int n) {
        syncsBeforeFailure = nonNegative(n);
    }

    void failNextSync() {
        failNextSync = true;
    }

    void failNextDirectorySync() {
        failNextDirectorySync = true;
    }

    void setDiskCapacity(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("disk capacity must be >= 0 bytes, got " + bytes);
        }
        capacityBytes = bytes;
    }

    void powerOffAfterWrites(int n) {
        writesBeforePowerOff = nonNegative(n);
        if (n == 0) {
            poweredOff = true;
        }
    }

    /** Disarms every fault and a pending power-off countdown; a machine already off stays off. */
    void clearFaults() {
        writesBeforeFailure = DISARMED;
        syncsBeforeFailure = DISARMED;
        failNextSync = false;
        failNextDirectorySync = false;
        capacityBytes = Long.MAX_VALUE;
        writesBeforePowerOff = DISARMED;
    }

    /** The reboot after a crash: power returns; every other fault stays armed. */
    void powerOn() {
        poweredOff = false;
        writesBeforePowerOff = DISARMED;
    }

    /** Throws if the simulated machine has stopped. */
    void checkPower() throws IOException {
        if (poweredOff) {
            failureCount++;
            throw new IOException("power off: the simulated machine has stopped (call FaultyFs.crash to reboot)");
        }
    }

    /**
     * Checks a write that would grow the stored bytes by {@code growthBytes}; throws the injected error if one is
     * due. {@code storedBytes} is only asked when a capacity is set.
     */
    void beforeWrite(long growthBytes, LongSupplier storedBytes) throws IOException {
        checkPower();
        if (countDown(writesBeforeFailure)) {
            failureCount++;
            throw new IOException("injected write failure");
        }
        writesBeforeFailure = next(writesBeforeFailure);
        if (growthBytes > 0 && capacityBytes != Long.MAX_VALUE
                && storedBytes.getAsLong() + growthBytes > capacityBytes) {
            failureCount++;
            throw new IOException(DISK_FULL);
        }
    }

    /** Counts a write that went through and runs the power-off countdown. */
    void afterWrite() {
        writeCount++;
        if (writesBeforePowerOff > 0 && --writesBeforePowerOff == 0) {
            poweredOff = true;
        }
    }

    /** Throws the injected error if a file sync is due to fail; otherwise counts the sync. */
    void beforeSync() throws IOException {
        checkPower();
        boolean fail = failNextSync || countDown(syncsBeforeFailure);
        failNextSync = false;
        syncsBeforeFailure = next(syncsBeforeFailure);
        if (fail) {
            failureCount++;
            throw new IOException("injected fsync failure");
        }
        syncCount++;
    }

    /** Throws the injected error if a directory sync is due to fail; otherwise counts it. */
    void beforeDirectorySync() throws IOException {
        checkPower();
        if (failNextDirectorySync) {
            failNextDirectorySync = false;
            failureCount++;
            throw new IOException("injected directory fsync failure");
        }
        directorySyncCount++;
    }

    long writeCount() {
        return writeCount;
    }

    long syncCount() {
        return syncCount;
    }

    long directorySyncCount() {
        return directorySyncCount;
    }

    long failureCount() {
        return failureCount;
    }

    /** Whether a countdown has reached the failing call. */
    private static boolean countDown(int remaining) {
        return remaining == 0;
    }

    /** The countdown after one more call went through; zero (failing) and disarmed stay as they are. */
    private static int next(int remaining) {
        return remaining > 0 ? remaining - 1 : remaining;
    }

    private static int nonNegative(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + n);
        }
        return n;
    }
}
