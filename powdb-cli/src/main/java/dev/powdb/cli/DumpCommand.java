package dev.powdb.cli;

import dev.powdb.storage.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** {@code powdb dump}: a PowQL script that recreates the database, in a deterministic order. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print a PowQL script that recreates the database: types, inserts sorted by text, indexes."
                + " Load it back with 'powdb -f FILE'.")
final class DumpCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the script to FILE (replaced atomically when complete) instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        if (output != null && output.getParent() != null && !Files.isDirectory(output.getParent())) {
            main.context.err.println("Error: no such directory: " + output.getParent());
            return 1;
        }
        try (Database db = Cli.open(main)) {
            if (output == null) {
                Dumper.dump(db, main.context.out);
                return 0;
            }
            Path dir = output.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, output.getFileName() + ".", ".tmp");
            try {
                try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                     PrintStream ps = new PrintStream(fos, false, StandardCharsets.UTF_8)) {
                    Dumper.dump(db, ps);
                    if (ps.checkError()) {
                        throw new IOException("write to " + tmp + " failed");
                    }
                    fos.getFD().sync();
                }
                Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return 0;
    }
}
