package dev.powdb.bench.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The I/O counters of this process from Linux's {@code /proc/self/io}, all threads together, in bytes.
 *
 * <ul>
 *   <li>{@code rchar}/{@code wchar}: bytes passed to {@code read()}/{@code pread()} and {@code write()}-like system
 *       calls, whether the page cache served them or not. Pages of a memory-mapped file that are touched are
 *       <em>not</em> counted (no system call), nor is {@code sendfile}/{@code copy_file_range} traffic on every
 *       kernel.</li>
 *   <li>{@code syscr}: read system calls, whatever their size.</li>
 *   <li>{@code read_bytes}/{@code write_bytes}: bytes the process caused to be fetched from or sent to the block
 *       layer; page-cache hits are not counted, page faults on mapped files and the kernel's read-ahead around a
 *       small read are.</li>
 * </ul>
 *
 * @param rcharBytes     {@code rchar}
 * @param wcharBytes     {@code wchar}
 * @param readCalls      {@code syscr}
 * @param readBytes      {@code read_bytes}
 * @param writeBytes     {@code write_bytes}
 */
record ProcIo(long rcharBytes, long wcharBytes, long readCalls, long readBytes, long writeBytes) {
    private static final Path SELF_IO = Path.of("/proc/self/io");

    /** Whether this system has {@code /proc/self/io} (Linux with task I/O accounting). */
    static boolean available() {
        return Files.isReadable(SELF_IO);
    }

    /**
     * The counters now.
     *
     * @throws IOException when {@code /proc/self/io} cannot be read or lacks a counter
     */
    static ProcIo now() throws IOException {
        return parse(Files.readString(SELF_IO));
    }

    /**
     * Parses the text of {@code /proc/<pid>/io} ({@code key: value} lines; unknown keys are ignored).
     *
     * @throws IOException when one of the five counters is missing or not a number
     */
    static ProcIo parse(String text) throws IOException {
        String[] keys = {"rchar", "wchar", "syscr", "read_bytes", "write_bytes"};
        long[] v = new long[keys.length];
        Arrays.fill(v, -1);
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) {
                    try {
                        v[i] = Long.parseLong(line.substring(colon + 1).strip());
                    } catch (NumberFormatException e) {
                        throw new IOException(SELF_IO + ": '" + key + "' is not a number: '" + line + "'", e);
                    }
                }
            }
        }
        for (int i = 0; i < keys.length; i++) {
            if (v[i] < 0) {
                throw new IOException(SELF_IO + " has no '" + keys[i] + "' line (kernel without task I/O "
                        + "accounting?)");
            }
        }
        return new ProcIo(v[0], v[1], v[2], v[3], v[4]);
    }

    /** The counters' growth from {@code earlier} to this reading. */
    ProcIo since(ProcIo earlier) {
        return new ProcIo(rcharBytes - earlier.rcharBytes, wcharBytes - earlier.wcharBytes,
                readCalls - earlier.readCalls, readBytes - earlier.readBytes, writeBytes - earlier.writeBytes);
    }
}
