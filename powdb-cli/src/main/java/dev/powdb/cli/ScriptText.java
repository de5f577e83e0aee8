package dev.powdb.cli;

/** Lexical helpers over statement text that do not need the PowQL parser. */
final class ScriptText {
    private ScriptText() {
    }

    /**
     * Whether the last non-blank character of {@code input} that is outside a double-quoted string literal
     * (backslash escapes inside) is {@code ;}. An unterminated string literal makes the input incomplete.
     */
    static boolean endsWithTerminator(String input) {
        boolean inString = false;
        char last = 0;
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                last = c;
            } else if (c == '"') {
                inString = true;
                last = c;
            } else if (!Character.isWhitespace(c)) {
                last = c;
            }
        }
        return !inString && last == ';';
    }
}
