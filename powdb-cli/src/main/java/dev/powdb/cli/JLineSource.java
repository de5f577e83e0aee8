package dev.powdb.cli;

import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Terminal input with JLine 3: line editing, persistent history, and multi-line statements edited as one buffer
 * (Enter inserts a line break until {@code complete} accepts the buffer). Ctrl-C clears the buffer, Ctrl-D on an
 * empty line ends input. History expansion with {@code !} is off, since {@code !=} is an operator.
 */
final class JLineSource implements LineSource, AutoCloseable {
    /** Prompt of the second and later lines of a statement. */
    static final String CONTINUATION_PROMPT = "   ...> ";

    private final Terminal terminal;
    private final LineReader reader;

    JLineSource(Path historyFile, Predicate<String> complete) {
        try {
            terminal = TerminalBuilder.builder().system(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal", e);
        }
        reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("powdb")
                .parser(new StatementParser(complete))
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION_PROMPT)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build();
    }

    @Override
    public String read(String prompt) {
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException e) {
            return "";
        } catch (EndOfFileException e) {
            return null;
        }
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public void close() {
        try {
            reader.getHistory().save();
        } catch (IOException | RuntimeException e) {
            terminal.writer().println("warning: history not saved: " + Cli.errorText(e));
        }
        try {
            terminal.close();
        } catch (IOException e) {
            // the session is over; nothing useful to do
        }
    }

    /** Asks JLine for another line while the buffer is not a complete statement. */
    private static final class StatementParser extends DefaultParser {
        private final Predicate<String> complete;

        StatementParser(Predicate<String> complete) {
            this.complete = complete;
        }

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && !complete.test(line)) {
                throw new EOFError(-1, -1, "statement continues");
            }
            return super.parse(line, cursor, context);
        }
    }
}
