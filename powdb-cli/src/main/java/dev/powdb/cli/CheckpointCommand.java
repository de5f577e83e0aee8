package dev.powdb.cli;

import dev.powdb.storage.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code powdb checkpoint}: open (recovering if needed), checkpoint, close. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Open the database (running recovery if it crashed), write a checkpoint and close it.")
final class CheckpointCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() {
        try (Database db = Cli.open(main)) {
            db.checkpoint();
            System.out.println("checkpoint written at LSN " + db.maxLsn());
        }
        return 0;
    }
}
