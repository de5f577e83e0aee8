package dev.powdb.query;

/** A position in a script: 1-based line and column. */
public record Pos(int line, int column) {
    @Override
    public String toString() {
        return line + ":" + column;
    }
}
