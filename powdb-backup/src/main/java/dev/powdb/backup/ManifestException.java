package dev.powdb.backup;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

/**
 * A backup manifest is malformed or inconsistent. The message names the manifest (file), the field (e.g.
 * {@code files[2].name}) and what is wrong. Code {@link ErrorCode#CORRUPT} when parsing stored bytes,
 * {@link ErrorCode#INVALID_ARGUMENT} when a manifest is being built from bad values.
 */
public class ManifestException extends PowDbException {
    private final String resource;
    private final String field;

    public ManifestException(ErrorCode code, String resource, String field, String problem) {
        super(code, resource + ": field " + field + ": " + problem);
        this.resource = resource;
        this.field = field;
    }

    /** The manifest file (or other description of where the manifest came from). */
    public String resource() {
        return resource;
    }

    /** The offending field, as a JSON path such as {@code files[2].blake3_hex}. */
    public String field() {
        return field;
    }
}
