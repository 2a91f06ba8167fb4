package org.sandbox4j.config;

/**
 * A mistake in a configuration file or in a {@code sandbox4j run} option: where it is ({@code
 * FILE:LINE}, or the option) and what is wrong. The message starts with the place, as compilers do:
 * {@code jail.conf:7: tmpfs tmp: path inside the jail must be absolute: 'tmp'}.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The file name, or {@code "command line"}. */
    private final String source;
    /** The 1-based line, or 0. */
    private final int line;
    /** The message without the place. */
    private final String problem;

    /**
     * A mistake at {@code source:line}; the message starts with the place when there is a line.
     *
     * @param source the file name, or {@code "command line"}
     * @param line the 1-based line, or 0 when not in a file
     * @param problem what is wrong and what to try
     */
    public ConfigException(String source, int line, String problem) {
        super(line > 0 ? source + ":" + line + ": " + problem : problem);
        this.source = source;
        this.line = line;
        this.problem = problem;
    }

    /** The file name, or {@code "command line"}. */
    public String source() {
        return source;
    }

    /** The 1-based line of the mistake, or 0 for a command-line option. */
    public int line() {
        return line;
    }

    /** The message without the place. */
    public String problem() {
        return problem;
    }
}
