package org.sandbox4j.examples.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.sandbox4j.Sandbox;

/**
 * Start-to-exit of three small applications ({@link StartupApp}) in cold JVMs of the JVM that runs
 * this: a plain main, the first jail of a JVM, and {@code SelfJail.enter}. The three are interleaved
 * (plain, first-jail, selfjail, plain, ...) after two warm-up rounds for the page cache, so load on
 * the machine hits all three alike; the figures are medians. Run with {@code sandbox4j bench startup}.
 */
public final class StartupBenchmark {
    private StartupBenchmark() {}

    static final String[] MODES = {"plain", "first-jail", "selfjail"};

    /** The JVM options of every child: the same for the three, as the sandbox4j script passes them. */
    static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto");

    /** Medians in milliseconds, in the order of {@link #MODES}. */
    public static double[] run(int runs, PrintStream out) throws Exception {
        String cp = ColdJvms.classPath(StartupApp.class, Sandbox.class, com.sun.jna.Native.class,
                org.slf4j.LoggerFactory.class, loggerBinding());
        double[][] ms = new double[MODES.length][runs];
        for (int i = -2; i < runs; i++) {
            for (int m = 0; m < MODES.length; m++) {
                ColdJvms.Run r = ColdJvms.run(ColdJvms.command(JVM_OPTIONS, cp, StartupApp.class, MODES[m]));
                if (!r.firstLine().equals("hello")) {
                    throw new IllegalStateException(MODES[m] + " printed '" + r.firstLine() + "', not hello");
                }
                if (i >= 0) {
                    ms[m][i] = r.nanos() / 1e6;
                }
            }
        }
        double[] median = new double[MODES.length];
        for (int m = 0; m < MODES.length; m++) {
            median[m] = ColdJvms.median(ms[m]);
            double min = Double.MAX_VALUE;
            for (double v : ms[m]) {
                min = Math.min(min, v);
            }
            out.printf(Locale.ROOT, "  %-10s median %7.1f ms  min %7.1f ms  over plain %+7.1f ms%n", MODES[m], median[m], min,
                    median[m] - median[0]);
        }
        return median;
    }

    private static Class<?> loggerBinding() {
        try {
            return Class.forName("org.slf4j.simple.SimpleLogger");
        } catch (ClassNotFoundException e) {
            return org.slf4j.LoggerFactory.class;
        }
    }
}
