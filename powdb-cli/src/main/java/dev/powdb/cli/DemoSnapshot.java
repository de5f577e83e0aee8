package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.TableSchema;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the demo compares between the original database and the restored one: the LSN, each table's row count and
 * index count, and the SHA-256 of the database's {@link Dumper dump} (a script that is byte-identical exactly when
 * the schemas and rows are equal, whatever order rows were written in).
 *
 * @param lsn          the database's current LSN
 * @param rowsByTable  row count of each table, by name
 * @param indexCount   indexes over all tables
 * @param dumpSha256   SHA-256 (hex) of the dump
 * @param dumpBytes    length of the dump in bytes
 */
record DemoSnapshot(long lsn, Map<String, Long> rowsByTable, int indexCount, String dumpSha256, long dumpBytes) {
    /** Takes the snapshot of an open database. */
    static DemoSnapshot of(Database db) {
        Map<String, Long> rows = new TreeMap<>();
        int indexes = 0;
        for (TableSchema t : db.tables()) {
            rows.put(t.name(), db.count(t.name(), null));
            indexes += t.indexes().size();
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        CountingSink sink = new CountingSink();
        try (PrintStream ps = new PrintStream(new DigestOutputStream(sink, sha), false, StandardCharsets.UTF_8)) {
            Dumper.dump(db, ps);
        }
        return new DemoSnapshot(db.maxLsn(), rows, indexes, HexFormat.of().formatHex(sha.digest()), sink.bytes);
    }

    /** Whether the tables, row counts, indexes and dump are the same (the LSN is compared separately). */
    boolean sameContents(DemoSnapshot other) {
        return rowsByTable.equals(other.rowsByTable) && indexCount == other.indexCount
                && dumpSha256.equals(other.dumpSha256) && dumpBytes == other.dumpBytes;
    }

    /**
     * Prints the two snapshots side by side, one fact per line, marking each line that differs with
     * {@code <- differs}.
     */
    static void printSideBySide(String leftName, DemoSnapshot left, String rightName, DemoSnapshot right,
                                PrintStream out) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("", leftName, rightName, false));
        lines.add(Line.of("LSN", Long.toString(left.lsn), Long.toString(right.lsn)));
        TreeMap<String, Long> tables = new TreeMap<>(left.rowsByTable);
        right.rowsByTable.forEach(tables::putIfAbsent);
        for (String t : tables.keySet()) {
            lines.add(Line.of(t + " rows", count(left.rowsByTable.get(t)), count(right.rowsByTable.get(t))));
        }
        lines.add(Line.of("indexes", Integer.toString(left.indexCount), Integer.toString(right.indexCount)));
        lines.add(Line.of("dump size", Sizes.bytes(left.dumpBytes), Sizes.bytes(right.dumpBytes)));
        // 16 hex digits fit the table; whether they differ is decided on the whole hash
        lines.add(new Line("dump SHA-256", left.dumpSha256.substring(0, 16) + "...",
                right.dumpSha256.substring(0, 16) + "...", !left.dumpSha256.equals(right.dumpSha256)));
        int labelWidth = 0;
        int leftWidth = 0;
        for (Line l : lines) {
            labelWidth = Math.max(labelWidth, l.label.length());
            leftWidth = Math.max(leftWidth, l.left.length());
        }
        String format = "  %-" + labelWidth + "s  %-" + leftWidth + "s  %s";
        for (Line l : lines) {
            out.println(String.format(Locale.ROOT, format, l.label, l.left, l.right).stripTrailing()
                    + (l.differs ? "   <- differs" : ""));
        }
    }

    /** One line of the side-by-side table. */
    private record Line(String label, String left, String right, boolean differs) {
        static Line of(String label, String left, String right) {
            return new Line(label, left, right, !left.equals(right));
        }
    }

    private static String count(Long n) {
        return n == null ? "-" : String.format(Locale.ROOT, "%,d", n);
    }

    /** Counts the bytes of the dump, which is hashed rather than kept. */
    private static final class CountingSink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
