package org.sandbox4j.worker;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.event.Level;

/**
 * The log level of a line a worker wrote to stderr, read from the common formats: SLF4J simple
 * ({@code [main] WARN a.B - text}), logback and log4j ({@code 12:00:00.000 [main] ERROR a.B - text}),
 * java.util.logging's second line ({@code SEVERE: text}, {@code WARNING: text}), HotSpot's unified
 * logging ({@code [0.012s][warning][cds] text}). A stack trace's lines ({@code \tat ...},
 * {@code Caused by: ...}, {@code ... 3 more}) take the level of the line they continue; {@code
 * Exception in thread ...} is an error. Anything else is INFO. Not thread-safe (one per stderr pump).
 */
final class StderrLevel {
    /**
     * Up to four leading fields that are bracketed ({@code [main]}) or start with a digit (a date, a
     * time, milliseconds), then the level as a word: a level word after ordinary words is text.
     */
    private static final Pattern LEVEL = Pattern.compile(
            "^(?:(?:\\[[^\\]]{0,60}\\]|[0-9][0-9:.,/+\\-TZs]{0,40})\\s*){0,4}?\\[?"
                    + "(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE|FATAL|FINE|FINER|FINEST|CONFIG"
                    + "|trace|debug|info|warning|error)\\]?(?=[\\s:\\]\\[]|$)");

    private Level last = Level.INFO;

    /** The level of {@code line}, remembering it for the lines that continue it. */
    Level of(String line) {
        if (line.startsWith("\t") || line.startsWith(" ") || line.startsWith("Caused by: ")
                || line.startsWith("Suppressed: ")) {
            return last;
        }
        if (line.startsWith("Exception in thread ")) {
            last = Level.ERROR;
            return last;
        }
        String head = line.length() > 160 ? line.substring(0, 160) : line;
        Matcher m = LEVEL.matcher(head);
        last = m.find() ? level(m.group(1)) : Level.INFO;
        return last;
    }

    private static Level level(String word) {
        switch (word.toUpperCase(Locale.ROOT)) {
            case "TRACE", "FINER", "FINEST":
                return Level.TRACE;
            case "DEBUG", "FINE", "CONFIG":
                return Level.DEBUG;
            case "WARN", "WARNING":
                return Level.WARN;
            case "ERROR", "SEVERE", "FATAL":
                return Level.ERROR;
            default:
                return Level.INFO;
        }
    }
}
