package org.sandbox4j.examples.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Starting fresh JVMs of the JVM that runs this code ({@code java.home}, which the {@code sandbox4j}
 * script takes from JAVA_HOME) and timing them from start to exit: what the startup and lockdown
 * benchmarks share.
 */
public final class ColdJvms {
    private ColdJvms() {}

    /** The java launcher of this JVM. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The class path a benchmark child needs: the jars (or directories) that hold these classes,
     * not the whole CLI class path (the examples' Tika and PDFBox jars would only add mounts and
     * Landlock rules nobody asked for).
     */
    public static String classPath(Class<?>... classes) {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot tell where " + c.getName() + " was loaded from", e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** One child: the JVM options, then {@code -cp CP MAIN ARGS}. */
    public static List<String> command(List<String> jvmOptions, String cp, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", cp, main.getName()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** A finished child: its wall-clock time from start to exit and its first stdout line. */
    public record Run(long nanos, String firstLine) {}

    /** Runs {@code cmd} to its exit; a non-zero exit or no output line is an error. */
    public static Run run(List<String> cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(new File("/dev/null")).directory(new File("/")).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = r.readLine();
            while (r.readLine() != null) {
                // drain
            }
        }
        int rc = p.waitFor();
        long t = System.nanoTime() - t0;
        if (rc != 0 || line == null) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc + " (first line: " + line + ")");
        }
        return new Run(t, line);
    }

    /** The median of {@code v} (the upper one of an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
