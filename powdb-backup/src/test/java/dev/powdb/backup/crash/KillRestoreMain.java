package dev.powdb.backup.crash;

import dev.powdb.backup.BackupProgress;
import dev.powdb.backup.Backups;

import java.nio.file.Path;
import java.util.List;

/**
 * Child process of {@code BackupSigkillTest} and {@code ArchiveSigkillTest}: restores the full backup
 * {@code args[0]} into {@code args[1]} (replaying the whole WAL archive {@code args[2]} when given),
 * printing {@code begin <total bytes>}, then {@code p <bytes so far>} after every block or page, and {@code done}
 * when the restore returned.
 */
public final class KillRestoreMain {
    private KillRestoreMain() {
    }

    public static void main(String[] args) {
        System.out.println("ready");
        System.out.flush();
        dev.powdb.backup.RestoreTarget target = args.length > 2
                ? dev.powdb.backup.RestoreTarget.end(Path.of(args[2])) : null;
        Backups.restore(Path.of(args[0]), List.of(), Path.of(args[1]), target, new BackupProgress() {
            private long bytes;

            @Override
            public void begin(String task, long totalBytes) {
                System.out.println("begin " + totalBytes);
                System.out.flush();
            }

            @Override
            public void advance(long n) {
                bytes += n;
                System.out.println("p " + bytes);
                System.out.flush();
            }

            @Override
            public void end() {
            }
        });
        System.out.println("done");
        System.out.flush();
    }
}
