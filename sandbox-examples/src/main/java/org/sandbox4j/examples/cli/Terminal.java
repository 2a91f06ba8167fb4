package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Saves the caller's terminal settings before a jail runs and puts them back afterwards, so a
 * jailed program that leaves the terminal raw or without echo (a crashed editor, a hostile program)
 * does not leave the user's terminal broken. Done with {@code stty -g}, only when stdin is a
 * terminal; without stty nothing happens.
 */
final class Terminal {
    private Terminal() {}

    /** The saved settings, or null when stdin is not a terminal. */
    record State(String stty) {}

    static @Nullable State save() {
        if (System.console() == null) {
            return null; // stdin or stdout is not a terminal
        }
        try {
            Process p = new ProcessBuilder("stty", "-g").redirectInput(Redirect.INHERIT).redirectError(Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9a-fA-F:]+")) {
                return new State(out);
            }
        } catch (IOException | InterruptedException e) {
            // no stty: nothing to restore
        }
        return null;
    }

    static void restore(@Nullable State s) {
        if (s == null) {
            return;
        }
        try {
            Process p = new ProcessBuilder("stty", s.stty()).redirectInput(Redirect.INHERIT)
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort
        }
    }
}
