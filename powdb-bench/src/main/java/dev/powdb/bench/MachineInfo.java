package dev.powdb.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Facts about the machine and JVM a run happened on, as label to value, for the report (also the backup bench's). */
public final class MachineInfo {
    private MachineInfo() {
    }

    /** CPU, cores, memory, OS, JVM and its flags, GC, the work directory's file system, the PowDB revision. */
    public static Map<String, String> collect(Path workDir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPU", firstValue(Path.of("/proc/cpuinfo"), "model name", "unknown"));
        m.put("cores (nproc)", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal", "unknown"));
        m.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("JVM", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        m.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Dpowdb.bench.")) { // labels reported elsewhere, not tuning
                flags.add(arg);
            }
        }
        m.put("JVM flags", flags.isEmpty() ? "(none)" : String.join(" ", flags));
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.add(gc.getName());
        }
        m.put("GC", String.join(", ", gcs));
        m.put("work dir", workDir.toAbsolutePath().normalize() + " (" + fileStore(workDir) + ")");
        String revision = System.getProperty("powdb.bench.revision");
        if (revision != null && !revision.isBlank()) {
            m.put("PowDB revision", revision);
        }
        return m;
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them, or "unknown". */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)" : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String fileStore(Path dir) {
        try {
            FileStore fs = Files.getFileStore(dir);
            return fs.type() + " on " + fs.name();
        } catch (IOException e) {
            return "file system unknown: " + e.getMessage();
        }
    }

    /** Value of the first {@code key: value} line of a /proc file, or {@code fallback}. */
    private static String firstValue(Path file, String key, String fallback) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
        return fallback;
    }
}
