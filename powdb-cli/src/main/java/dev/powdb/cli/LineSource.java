package dev.powdb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Where the shell reads its input: a terminal with line editing, or any reader (a pipe, a file, a test). */
interface LineSource {
    /**
     * Shows {@code prompt} (when interactive) and returns the next line of input without its line end, an empty
     * string when the user cancelled the line, or null at end of input.
     */
    String read(String prompt);

    /** Whether prompts and the banner are shown (a person is typing). */
    boolean interactive();

    /** Lines of {@code reader}, without prompts. */
    static LineSource of(BufferedReader reader) {
        return new LineSource() {
            @Override
            public String read(String prompt) {
                try {
                    return reader.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean interactive() {
                return false;
            }
        };
    }
}
