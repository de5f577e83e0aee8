package dev.powdb.query;

/** A lexical token; {@code value} holds the decoded literal for numbers, strings and bytes. */
record Token(Kind kind, String text, Object value, Pos pos) {
    enum Kind { IDENT, INT, FLOAT, STRING, BYTES, SYMBOL, EOF }

    boolean is(String symbolOrWord) {
        return (kind == Kind.SYMBOL || kind == Kind.IDENT) && text.equals(symbolOrWord);
    }

    /** How an error message names this token. */
    String describe() {
        switch (kind) {
            case EOF:
                return "end of input";
            case STRING:
                return "string " + Printer.quote((String) value);
            case BYTES:
                return "bytes literal";
            default:
                return "'" + text + "'";
        }
    }
}
