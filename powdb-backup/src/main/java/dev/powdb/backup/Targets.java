package dev.powdb.backup;

import dev.powdb.storage.ErrorCode;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** Checks and housekeeping for the directories backups and restores write into. */
final class Targets {
    private Targets() {
    }

    /**
     * Checks that {@code dest} does not exist (and its parent is a directory) or is an empty directory that is not
     * a symbolic link.
     *
     * @return whether {@code dest} exists
     * @throws BackupException INVALID_ARGUMENT naming {@code dest} and the reason
     */
    static boolean checkFresh(Path dest, String role) {
        if (Files.isSymbolicLink(dest)) {
            throw invalid(role + " " + dest + " is a symbolic link; give a directory that does not exist or an empty "
                    + "real directory");
        }
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                throw invalid(role + " " + dest + " exists and is not a directory");
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dest)) {
                if (entries.iterator().hasNext()) {
                    throw invalid(role + " " + dest + " is not empty; give a directory that does not exist or an "
                            + "empty one (nothing there is replaced)");
                }
            } catch (IOException e) {
                throw new BackupException(ErrorCode.IO, "cannot list " + dest + ": " + e.getMessage(), e);
            }
            return true;
        }
        Path parent = dest.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw invalid(role + " " + dest + ": its parent directory " + parent + " does not exist (create it first)");
        }
        return false;
    }

    /** Refuses {@code dest} inside (or equal to) {@code dataDir}: a backup there would become part of the data. */
    static void checkOutside(Path dest, Path dataDir) {
        checkOutside(dest, dataDir, "backup destination", "the data directory", "put backups somewhere else");
    }

    /** Refuses {@code dest} inside (or equal to) {@code dir}; the message names both and the remedy. */
    static void checkOutside(Path dest, Path dir, String role, String what, String remedy) {
        try {
            Path data = dir.toRealPath();
            Path target = dest.toAbsolutePath().normalize();
            Path existing = target;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            Path real = existing == null ? target : existing.toRealPath().resolve(existing.relativize(target));
            if (real.startsWith(data)) {
                throw invalid(role + " " + dest + " is inside " + what + " " + dir + "; " + remedy);
            }
        } catch (IOException e) {
            throw new BackupException(ErrorCode.IO, "cannot resolve " + dest + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code dest} (0700) or tightens an existing empty one to 0700. */
    static void prepare(Path dest, boolean exists) throws IOException {
        if (exists) {
            if (dest.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwx------"));
            }
        } else {
            HashingFileCopier.createPrivateDirectory(dest);
        }
    }

    /** Deletes {@code dir} and everything under it without following symbolic links; failures are attached. */
    static void deleteTree(Path dir, Throwable primary) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }

    /**
     * Parses the copy settings given as system properties ({@value HashingFileCopier#DIRECT_IO_PROPERTY}), so that an
     * invalid value refuses a backup, restore or archive before anything is written.
     *
     * @throws BackupException INVALID_ARGUMENT naming the property and the value
     */
    static void checkCopySettings() {
        try {
            HashingFileCopier.directIoSetting();
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /** Deletes the entries of {@code dir} (not {@code dir} itself); failures are attached to {@code primary}. */
    static void emptyDirectory(Path dir, Throwable primary) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                deleteTree(p, primary);
            }
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    static BackupException invalid(String message) {
        return new BackupException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
