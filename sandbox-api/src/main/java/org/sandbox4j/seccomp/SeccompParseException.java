package org.sandbox4j.seccomp;

/**
 * A policy text that {@link SeccompPolicy#parse(String)} cannot accept, with the 1-based line and
 * column of the problem.
 */
public final class SeccompParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The 1-based line of the problem. */
    private final int line;
    /** The 1-based column of the problem. */
    private final int column;

    /** A problem at {@code line} and {@code column} (both 1-based); the message is prefixed with both. */
    public SeccompParseException(String message, int line, int column) {
        super("line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    /** The 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** The 1-based column of the problem. */
    public int column() {
        return column;
    }
}
