package org.sandbox4j.seccomp;

import org.jspecify.annotations.Nullable;

/**
 * A policy text that {@link SeccompPolicy#parse(String)} or {@link SeccompPolicy#parse(java.nio.file.Path)}
 * cannot accept, with the 1-based line and column of the problem and, for a policy read from a file,
 * the file it lies in (an included file's path when the problem is there).
 */
public final class SeccompParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The 1-based line of the problem. */
    private final int line;
    /** The 1-based column of the problem. */
    private final int column;
    private final @Nullable String file;

    /** A problem at {@code line} and {@code column} (both 1-based); the message is prefixed with both. */
    public SeccompParseException(String message, int line, int column) {
        this(message, null, line, column);
    }

    /** A problem at {@code line} and {@code column} of {@code file} (null: the text given as a string). */
    public SeccompParseException(String message, @Nullable String file, int line, int column) {
        super((file == null ? "" : file + ": ") + "line " + line + ", column " + column + ": " + message);
        this.line = line;
        this.column = column;
        this.file = file;
    }

    /** The 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** The 1-based column of the problem. */
    public int column() {
        return column;
    }

    /** The file the problem lies in, or null for a policy parsed from a string. */
    public @Nullable String file() {
        return file;
    }
}
