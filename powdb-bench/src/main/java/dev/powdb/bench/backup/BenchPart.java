package dev.powdb.bench.backup;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The parts of the backup benchmark that {@code --parts} selects; each runs on its own database. */
enum BenchPart {
    /** Full backup, deep check, restore and increment of PowDB next to cp, SQLite, RocksDB and H2 (the original). */
    COMPARE("compare"),
    /** Commit latency of concurrent writers with and without a full backup running in the same process. */
    WRITERS("writers"),
    /** Incremental backups after changing 0.1%, 1% and 10% of the pages: time, bytes read and written. */
    INCREMENTS("increments"),
    /** Opening a crashed copy of a database with about 200 MB of WAL to replay. */
    REPLAY("replay");

    /** In {@code --parts}, stands for every online part: writers, increments and replay. */
    static final String ONLINE_ALIAS = "online";

    private final String label;

    BenchPart(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    boolean online() {
        return this != COMPARE;
    }

    /** Every label {@code --parts} accepts, for messages. */
    static String known() {
        return Arrays.stream(values()).map(BenchPart::label).collect(Collectors.joining(",")) + "," + ONLINE_ALIAS;
    }

    /**
     * The parts one {@code --parts} entry names: a single part, or every online part for {@link #ONLINE_ALIAS};
     * empty when the entry names nothing known.
     */
    static Set<BenchPart> named(String entry) {
        String name = entry.strip().toLowerCase(Locale.ROOT);
        if (name.equals(ONLINE_ALIAS)) {
            return EnumSet.of(WRITERS, INCREMENTS, REPLAY);
        }
        for (BenchPart p : values()) {
            if (p.label.equals(name)) {
                return EnumSet.of(p);
            }
        }
        return EnumSet.noneOf(BenchPart.class);
    }
}
