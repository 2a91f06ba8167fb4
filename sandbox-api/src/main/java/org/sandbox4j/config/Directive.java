package org.sandbox4j.config;

import org.jspecify.annotations.Nullable;

/**
 * One line of a configuration file (or one {@code sandbox4j run} option): a directive name such as
 * {@code ro-bind}, its value (empty for flags such as {@code ro-system}), the body of a heredoc
 * ({@code seccomp-string <<EOF}), and where it came from.
 *
 * @param name the canonical directive name (lower case, '-' between words)
 * @param value the text after the name, trimmed and unquoted; "" when none
 * @param body the heredoc lines joined with '\n', or null when the directive had no heredoc
 * @param source the file name, or {@code "command line"}
 * @param line the 1-based line of the directive, 0 for a command-line option, -1 for a default that
 *     a file implies without a line of its own (nsjail's defaults, {@link NsjailConfig})
 * @param bodyLine the line of the heredoc's first body line, or 0
 */
public record Directive(String name, String value, @Nullable String body, String source, int line, int bodyLine) {

    /** A command-line option {@code --name value}. */
    public static Directive option(String name, String value) {
        return new Directive(name, value, null, "command line", 0, 0);
    }

    /** How a user wrote it, for messages: {@code ro-bind /usr}, {@code --ro-bind /usr}; long values shortened. */
    public String spelled() {
        String v = value.isEmpty() ? (body != null ? " <<..." : "") : " " + shorten(value);
        return (line != 0 ? name : "--" + name) + v;
    }

    /** A value as messages show it: one line, at most 72 characters. */
    static String shorten(String value) {
        String shown = value.replace('\n', ' ');
        return shown.length() > 72 ? shown.substring(0, 69) + "..." : shown;
    }

    /** {@code FILE:LINE}, {@code command line}, or (line -1: a default an nsjail config implies) the source. */
    public String where() {
        return line > 0 ? source + ":" + line : line < 0 ? source : "command line";
    }

    /** A {@link ConfigException} at this directive: its place, how it was written, and {@code problem}. */
    public ConfigException error(String problem) {
        return new ConfigException(source, line, spelled() + ": " + problem);
    }
}
