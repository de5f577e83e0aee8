package dev.powdb.storage;

import java.util.regex.Pattern;

/** Rules for table and column names, which also become file names in the data directory. */
public final class Names {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private Names() {
    }

    /**
     * Checks that {@code name} is an identifier: a letter or underscore, then letters, digits or underscores, at
     * most 63 characters. Such names are safe as file names on every platform.
     *
     * @return the name
     */
    public static String checkIdentifier(String name, String what) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new PowDbException(ErrorCode.INVALID_ARGUMENT, "invalid " + what + " '" + name
                    + "': use a letter or _ followed by letters, digits or _ (at most 63)");
        }
        return name;
    }
}
