package dev.powdb.backup;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

/**
 * A backup, restore or verify that cannot go on: a refused option or target ({@code INVALID_ARGUMENT}), a broken
 * chain or damaged backup ({@code CORRUPT}), a missing backup ({@code NOT_FOUND}) or an I/O failure ({@code IO}).
 * The message names the path and what is wrong.
 */
public class BackupException extends PowDbException {
    public BackupException(ErrorCode code, String message) {
        super(code, message);
    }

    public BackupException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
