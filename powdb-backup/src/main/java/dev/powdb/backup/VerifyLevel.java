package dev.powdb.backup;

/** How thoroughly {@link Backups#verify} checks a backup. */
public enum VerifyLevel {
    /** Manifests valid, chain links, every stored file present, a regular file, of the recorded length. */
    QUICK,
    /** As quick, plus the BLAKE3 of every stored byte, every page checksum and the structure of every delta. */
    DEEP
}
