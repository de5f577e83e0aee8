package dev.powdb.backup;

import static dev.powdb.backup.BackupFixtures.createT;
import static dev.powdb.backup.BackupFixtures.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backups and restores write their files with direct I/O by default; {@code powdb.backup.directIo=false} turns it
 * off. Both ways give the same, intact result, on the disk-backed temporary directory (where O_DIRECT is accepted)
 * as on tmpfs.
 */
class DirectIoBackupTest {
    @TempDir
    Path disk;

    @AfterEach
    void clearProperty() {
        System.clearProperty(HashingFileCopier.DIRECT_IO_PROPERTY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void fullAndIncrementalBackupsRestoreAndVerify(String direct) throws Exception {
        System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, direct);
        Path data = disk.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            fill(db, "t", 0, 20_000);
            Backups.full(db, disk.resolve("full"), BackupProgress.NONE);
            fill(db, "t", 20_000, 20_500);
            Backups.incremental(db, disk.resolve("inc"), disk.resolve("full"), BackupProgress.NONE);
        }
        BackupVerifyReport report = Backups.verify(disk.resolve("full"), List.of(disk.resolve("inc")),
                VerifyLevel.DEEP, null, BackupProgress.NONE);
        assertTrue(report.intact(), report.problems().toString());
        for (BackupManifest.FileEntry f : Backups.manifest(disk.resolve("full")).files()) {
            assertEquals(f.lengthBytes(), Files.size(disk.resolve("full").resolve(f.name())), f.name());
        }
        Path restored = disk.resolve("restored");
        Backups.restore(disk.resolve("full"), List.of(disk.resolve("inc")), restored, BackupProgress.NONE);
        try (Database db = Database.open(restored)) {
            int[] n = new int[1];
            db.scan("t", r -> true, r -> n[0]++);
            assertEquals(20_500, n[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "1", "direct"})
    void anInvalidSettingRefusesBackupAndRestoreBeforeWriting(String value) throws Exception {
        Path data = disk.resolve("data");
        try (Database db = Database.open(data)) {
            createT(db, "t");
            fill(db, "t", 0, 100);
            Backups.full(db, disk.resolve("full"), BackupProgress.NONE);
            System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, value);
            BackupException e = assertThrows(BackupException.class,
                    () -> Backups.full(db, disk.resolve("second"), BackupProgress.NONE));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains(HashingFileCopier.DIRECT_IO_PROPERTY), e.getMessage());
            assertFalse(Files.exists(disk.resolve("second")), "a refused backup created its destination");
        }
        BackupException e = assertThrows(BackupException.class,
                () -> Backups.restore(disk.resolve("full"), List.of(), disk.resolve("r"), BackupProgress.NONE));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(value), e.getMessage());
        assertEquals(List.of("data", "full"), BackupFixtures.list(disk), "a refused restore wrote something");
    }

    /** The archive is opened with the database: an invalid setting refuses the open, and no archive is created. */
    @org.junit.jupiter.api.Test
    void anInvalidSettingRefusesTheArchive() {
        System.setProperty(HashingFileCopier.DIRECT_IO_PROPERTY, "maybe");
        Path archive = disk.resolve("archive");
        RuntimeException e = assertThrows(RuntimeException.class, () -> Database.open(disk.resolve("data"),
                dev.powdb.storage.DatabaseOptions.defaults().withArchive(archive)).close());
        assertTrue(e.getMessage().contains(HashingFileCopier.DIRECT_IO_PROPERTY) && e.getMessage().contains("maybe"),
                e.getMessage());
        assertFalse(Files.exists(archive), "a refused archive was created");
    }
}
