package org.sandbox4j.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the {@code sandbox4j} command costs over the program it runs: {@code /bin/echo cli} alone and
 * {@code sandbox4j run --ro-system -- /bin/echo cli}, start to exit, interleaved after two warm-up
 * rounds, medians. The command is the script next to this class's jar, run as a user runs it (it
 * takes its java from JAVA_HOME or PATH, as this JVM's did). Run with {@code sandbox4j bench cli}.
 */
public final class CliBenchmark {
    private CliBenchmark() {}

    /** Medians in milliseconds: the program alone, the program through {@code sandbox4j run}. */
    public static double[] run(int runs, PrintStream out) throws Exception {
        Path script = Path.of(ColdJvms.classPath(CliBenchmark.class)).getParent().resolve("sandbox4j");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(script + " is missing: bench cli runs the built command");
        }
        out.println("command: " + script + "; class-data sharing archive: " + archive(script.getParent()));
        List<List<String>> cmds = List.of(List.of("/bin/echo", "cli"),
                List.of(script.toString(), "run", "--ro-system", "--", "/bin/echo", "cli"));
        double[][] ms = new double[cmds.size()][runs];
        for (int i = -2; i < runs; i++) {
            for (int c = 0; c < cmds.size(); c++) {
                ColdJvms.Run r = ColdJvms.run(cmds.get(c));
                if (!r.firstLine().equals("cli")) {
                    throw new IllegalStateException(cmds.get(c) + " printed '" + r.firstLine() + "', not cli");
                }
                if (i >= 0) {
                    ms[c][i] = r.nanos() / 1e6;
                }
            }
        }
        String[] names = {"program", "sandbox4j_run"};
        double[] median = new double[cmds.size()];
        for (int c = 0; c < cmds.size(); c++) {
            median[c] = ColdJvms.median(ms[c]);
            double min = Double.MAX_VALUE;
            for (double v : ms[c]) {
                min = Math.min(min, v);
            }
            out.printf(Locale.ROOT, "  %-13s median %7.1f ms  min %7.1f ms%n", names[c], median[c], min);
        }
        return median;
    }

    /** Whether the script will pass its archive to this JVM's java (the java check only; the JVM checks the rest). */
    private static String archive(Path dir) throws IOException {
        Path stamp = dir.resolve("sandbox4j.archive");
        if (!Files.isRegularFile(stamp)) {
            return "none (the build made none)";
        }
        List<String> lines = Files.readAllLines(stamp);
        String java = Path.of(ColdJvms.java()).toRealPath().toString();
        return lines.isEmpty() || !lines.get(0).equals(java)
                ? "not used (made by " + (lines.isEmpty() ? "?" : lines.get(0)) + ", this is " + java + ")"
                : dir.resolve("sandbox4j." + (lines.size() > 1 ? lines.get(1) : "?")) + ", made by this java";
    }
}
