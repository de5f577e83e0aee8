package dev.powdb.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Result of {@link Database#verify}: per file, the pages checked and the problems found. */
public final class VerifyReport {
    /** What was found for one file. */
    public static final class FileReport {
        public final String file;
        public long pagesChecked;
        public long entries;
        public final List<String> problems = new ArrayList<>();

        FileReport(String file) {
            this.file = file;
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final Map<String, FileReport> files = new LinkedHashMap<>();

    /** The report of {@code file}, created on first use. */
    public FileReport file(String file) {
        return files.computeIfAbsent(file, FileReport::new);
    }

    public List<FileReport> files() {
        return Collections.unmodifiableList(new ArrayList<>(files.values()));
    }

    /** True when no file has a problem. */
    public boolean ok() {
        return files.values().stream().allMatch(FileReport::ok);
    }

    /** Human-readable report, one line per file and one per problem. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (FileReport f : files.values()) {
            sb.append(f.ok() ? "ok    " : "BAD   ").append(f.file).append(": ").append(f.pagesChecked)
                    .append(" pages");
            if (f.entries > 0) {
                sb.append(", ").append(f.entries).append(" entries");
            }
            sb.append('\n');
            for (String p : f.problems) {
                sb.append("      - ").append(p).append('\n');
            }
        }
        return sb.toString();
    }
}
