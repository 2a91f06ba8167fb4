package org.sandbox4j.seccomp;

/**
 * A policy text that {@link SeccompPolicy#parse(String)} cannot accept, with the 1-based line and
 * column of the problem.
 */
public final class SeccompParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    public SeccompParseException(String message, int line, int column) {
        super("line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
