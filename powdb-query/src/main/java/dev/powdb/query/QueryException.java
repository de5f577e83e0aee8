package dev.powdb.query;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

/**
 * An error in a PowQL script: a syntax error ({@link ErrorCode#INVALID_ARGUMENT}), an unknown table or column
 * ({@link ErrorCode#NOT_FOUND}), a type error, or an error of the storage engine (its code is kept). The message
 * starts with {@code line L, column C: } naming where in the script the failing construct starts.
 */
public class QueryException extends PowDbException {
    private final int line;
    private final int column;
    private final boolean atEnd;

    QueryException(ErrorCode code, int line, int column, String detail, boolean atEnd, Throwable cause) {
        super(code, "line " + line + ", column " + column + ": " + detail, cause);
        this.line = line;
        this.column = column;
        this.atEnd = atEnd;
    }

    QueryException(ErrorCode code, Pos pos, String detail) {
        this(code, pos.line(), pos.column(), detail, false, null);
    }

    /** 1-based line of the error in the script. */
    public int line() {
        return line;
    }

    /** 1-based column (in UTF-16 code units) of the error in the script. */
    public int column() {
        return column;
    }

    /**
     * True for a syntax error found at the end of the input (or in an unterminated string): more input could
     * complete the statement. A shell uses it to ask for a continuation line.
     */
    public boolean atEnd() {
        return atEnd;
    }
}
