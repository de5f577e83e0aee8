package dev.powdb.bench.backup;

/** The state of the OS page cache before each timed step. */
enum CacheMode {
    /** Dirty pages synced, then page cache, dentries and inodes dropped ({@code /proc/sys/vm/drop_caches}, root). */
    COLD,
    /** The step's input files read once just before, so they sit in the page cache. */
    WARM;

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
