/**
 * Test kit: tools that put the storage engine under stress it cannot meet on a developer's machine.
 *
 * <p>{@link dev.powdb.testkit.FaultyFs} is an in-memory {@link dev.powdb.storage.io.StorageFs} that keeps unsynced
 * writes and unsynced directory changes apart from durable ones, so that a simulated power loss
 * ({@link dev.powdb.testkit.FaultyFs#crash(CrashMode)}) can drop, zero, tear, reorder or bit-flip what was never
 * fsynced, and that injects I/O errors, full disks and power-off countdowns.
 *
 * <p>May import the JDK and {@code dev.powdb.storage} (its public API only). Production code never depends on this
 * package.
 */
package dev.powdb.testkit;
