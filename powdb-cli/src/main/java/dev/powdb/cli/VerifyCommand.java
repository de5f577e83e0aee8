package dev.powdb.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.powdb.storage.Database;
import dev.powdb.storage.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code powdb verify}: offline check of every page, slot layout, B+tree and index/heap agreement. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a closed database: page checksums, slot layouts, B+tree order, index/table agreement."
                + " Exit 0 when clean, 1 with a per-file report otherwise.")
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        VerifyReport r = Database.verify(main.dataDir);
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("ok", r.ok());
            ArrayNode files = root.putArray("files");
            for (VerifyReport.FileReport f : r.files()) {
                ObjectNode n = files.addObject();
                n.put("file", f.file).put("ok", f.ok()).put("pages", f.pagesChecked).put("entries", f.entries);
                ArrayNode p = n.putArray("problems");
                f.problems.forEach(p::add);
            }
            System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            System.out.print(r);
            System.out.println(r.ok() ? "verify: database is intact" : "verify: PROBLEMS FOUND");
        }
        return r.ok() ? 0 : 1;
    }
}
