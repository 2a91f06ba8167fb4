package org.sandbox4j.selfjail;

import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Catches SIGTERM, SIGINT and SIGHUP in the outer JVM with {@code sun.misc.Signal} (module
 * jdk.unsupported) and hands them to the jail. Loaded only when jdk.unsupported is in the boot
 * layer; without it, a shutdown hook forwards SIGTERM instead (see {@link SelfJail}).
 */
final class SignalForwarder {
    static final String[] NAMES = {"TERM", "INT", "HUP"};

    private SignalForwarder() {}

    /** Installs the handlers; each replaces the JVM's (which would run shutdown hooks and exit). */
    static void install(IntConsumer forward) {
        for (String n : NAMES) {
            Signal.handle(new Signal(n), s -> forward.accept(s.getNumber()));
        }
    }

    /** Restores the default action of {@code signal} (TERM, INT, HUP), so raising it kills the JVM. */
    static boolean setDefault(int signal) {
        for (String n : NAMES) {
            Signal s = new Signal(n);
            if (s.getNumber() == signal) {
                Signal.handle(s, sun.misc.SignalHandler.SIG_DFL);
                return true;
            }
        }
        return false;
    }
}
