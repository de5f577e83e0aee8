package dev.powdb.storage;

/** Base of every error the engine reports; carries a stable {@link ErrorCode}. */
public class PowDbException extends RuntimeException {
    private final ErrorCode code;

    public PowDbException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public PowDbException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The error's category. */
    public ErrorCode code() {
        return code;
    }
}
