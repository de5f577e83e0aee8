package dev.powdb.storage;

/** A file's format version is outside the range this build reads. */
public class FormatVersionException extends PowDbException {
    public FormatVersionException(String resource, int found, int minSupported, int maxSupported) {
        super(found < minSupported ? ErrorCode.FORMAT_TOO_OLD : ErrorCode.FORMAT_TOO_NEW,
                String.format("%s: format version %d is %s; this build reads versions %d to %d", resource, found,
                        found < minSupported ? "too old" : "too new (written by a newer PowDB?)", minSupported,
                        maxSupported));
    }
}
