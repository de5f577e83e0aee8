package dev.powdb.testkit.lock;

import dev.powdb.storage.Database;
import dev.powdb.storage.PowDbException;

import java.nio.file.Path;

/**
 * Child process of {@link ProcessLockTest}: tries {@code Database.open} ({@code args[0] = open}) or
 * {@code Database.verify} ({@code verify}) on the directory {@code args[1]} and prints one line: {@code OPENED} /
 * {@code VERIFIED} on success, or {@code <ERROR_CODE> <message>} for a {@link PowDbException}.
 */
public final class TryOpenMain {
    private TryOpenMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[1]);
        try {
            if (args[0].equals("verify")) {
                Database.verify(dir);
                System.out.println("VERIFIED");
            } else {
                // Opening succeeded although it should not have: let go at once without writing anything more.
                Database db = Database.open(dir);
                System.out.println("OPENED");
                System.out.flush();
                Runtime.getRuntime().halt(0);
                db.close();
            }
        } catch (PowDbException e) {
            System.out.println(e.code() + " " + e.getMessage().replace('\n', ' '));
        }
        System.out.flush();
    }
}
