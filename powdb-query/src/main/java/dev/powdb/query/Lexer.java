package dev.powdb.query;

import dev.powdb.storage.ErrorCode;

import java.util.ArrayList;
import java.util.List;

/** Splits a script into tokens; {@code #} starts a comment that runs to the end of the line. */
final class Lexer {
    private static final String[] TWO_CHAR = {":=", "!=", "<=", ">=", "++"};
    private static final String ONE_CHAR = "{}()[],;:.=<>+-*/";

    private final String src;
    private int i;
    private int line = 1;
    private int lineStart;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String src) {
        return new Lexer(src).run();
    }

    private Pos pos() {
        return new Pos(line, i - lineStart + 1);
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        while (true) {
            skipSpaceAndComments();
            Pos p = pos();
            if (i >= src.length()) {
                out.add(new Token(Token.Kind.EOF, "", null, p));
                return out;
            }
            char c = src.charAt(i);
            if (c == 'b' && i + 1 < src.length() && src.charAt(i + 1) == '"') {
                i++;
                out.add(new Token(Token.Kind.BYTES, "b\"", hex(readString(p), p), p));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Token.Kind.IDENT, src.substring(start, i), null, p));
            } else if (isDigit(c)) {
                out.add(number(p));
            } else if (c == '"') {
                String s = readString(p);
                out.add(new Token(Token.Kind.STRING, s, s, p));
            } else {
                out.add(symbol(c, p));
            }
        }
    }

    private void skipSpaceAndComments() {
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '\n') {
                i++;
                line++;
                lineStart = i;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else {
                return;
            }
        }
    }

    private Token symbol(char c, Pos p) {
        for (String s : TWO_CHAR) {
            if (src.startsWith(s, i)) {
                i += 2;
                return new Token(Token.Kind.SYMBOL, s, null, p);
            }
        }
        if (ONE_CHAR.indexOf(c) >= 0) {
            i++;
            return new Token(Token.Kind.SYMBOL, String.valueOf(c), null, p);
        }
        throw new QueryException(ErrorCode.INVALID_ARGUMENT, p, "unexpected character '" + c + "'");
    }

    private Token number(Pos p) {
        int start = i;
        boolean isFloat = false;
        digits();
        if (i + 1 < src.length() && src.charAt(i) == '.' && isDigit(src.charAt(i + 1))) {
            isFloat = true;
            i++;
            digits();
        }
        if (i < src.length() && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
            int save = i;
            i++;
            if (i < src.length() && (src.charAt(i) == '+' || src.charAt(i) == '-')) {
                i++;
            }
            if (i < src.length() && isDigit(src.charAt(i))) {
                isFloat = true;
                digits();
            } else {
                i = save;
            }
        }
        String text = src.substring(start, i);
        if (i < src.length() && (Character.isLetter(src.charAt(i)) || src.charAt(i) == '_')) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, pos(), "expected a separator after number "
                    + text + ", found '" + src.charAt(i) + "'");
        }
        if (isFloat) {
            return new Token(Token.Kind.FLOAT, text, Double.parseDouble(text), p);
        }
        if (text.equals(MIN_LONG_MAGNITUDE)) {
            // Only valid right after a unary minus (-9223372036854775808); the parser checks that.
            return new Token(Token.Kind.INT, text, Long.MIN_VALUE, p);
        }
        try {
            return new Token(Token.Kind.INT, text, Long.parseLong(text), p);
        } catch (NumberFormatException e) {
            throw outOfRange(text, p);
        }
    }

    /** The digits of {@code Long.MIN_VALUE} without its sign: an int literal only when negated. */
    static final String MIN_LONG_MAGNITUDE = "9223372036854775808";

    static QueryException outOfRange(String text, Pos p) {
        return new QueryException(ErrorCode.INVALID_ARGUMENT, p, "integer literal " + text
                + " is out of range (64-bit signed)");
    }

    /** ASCII digits only: {@link Character#isDigit} also accepts other scripts' digits. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void digits() {
        while (i < src.length() && isDigit(src.charAt(i))) {
            i++;
        }
    }

    /** Reads a double-quoted string starting at {@code src[i]}; {@code p} is where the literal starts. */
    private String readString(Pos p) {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
            if (i >= src.length()) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, p.line(), p.column(),
                        "unterminated string", true, null);
            }
            char c = src.charAt(i);
            if (c == '"') {
                i++;
                return sb.toString();
            }
            if (c == '\n') {
                line++;
                lineStart = i + 1;
            }
            if (c != '\\') {
                sb.append(c);
                i++;
                continue;
            }
            Pos esc = pos();
            if (i + 1 >= src.length()) {
                throw new QueryException(ErrorCode.INVALID_ARGUMENT, p.line(), p.column(),
                        "unterminated string", true, null);
            }
            char e = src.charAt(i + 1);
            i += 2;
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case '0': sb.append('\0'); break;
                case 'u':
                    if (i + 4 > src.length() || !src.substring(i, i + 4).matches("[0-9A-Fa-f]{4}")) {
                        throw new QueryException(ErrorCode.INVALID_ARGUMENT, esc,
                                "expected 4 hex digits after \\u");
                    }
                    sb.append((char) Integer.parseInt(src.substring(i, i + 4), 16));
                    i += 4;
                    break;
                default:
                    throw new QueryException(ErrorCode.INVALID_ARGUMENT, esc, "unknown escape \\" + e
                            + " (use \\\" \\\\ \\n \\t \\r \\0 or \\uXXXX)");
            }
        }
    }

    private static byte[] hex(String s, Pos p) {
        if (s.length() % 2 != 0 || !s.matches("[0-9A-Fa-f]*")) {
            throw new QueryException(ErrorCode.INVALID_ARGUMENT, p,
                    "bytes literal must hold an even number of hex digits");
        }
        byte[] out = new byte[s.length() / 2];
        for (int k = 0; k < out.length; k++) {
            out[k] = (byte) Integer.parseInt(s.substring(2 * k, 2 * k + 2), 16);
        }
        return out;
    }
}
