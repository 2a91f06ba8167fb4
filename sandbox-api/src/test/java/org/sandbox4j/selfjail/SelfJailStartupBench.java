package org.sandbox4j.selfjail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Extra startup time of SelfJail.enter: launches a small application (prints "hello") N times with
 * and without entering a self-jail, alternating, and prints the median wall-clock time of each, from
 * process start to exit. Usage (see docs/performance.md):
 * {@code java -cp CP org.sandbox4j.selfjail.SelfJailStartupBench [runs] [java]}
 */
public final class SelfJailStartupBench {
    private SelfJailStartupBench() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        String java = args.length > 1 ? args[1] : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path data = Files.createTempDirectory("selfjail-bench-");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> base = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), SelfJailApp.class.getName());
        long[] plain = new long[runs];
        long[] jailed = new long[runs];
        long[] lazy = new long[runs];
        for (int i = -2; i < runs; i++) { // two warm-up rounds (page cache)
            long p = run(base, "bench-plain");
            long j = run(base, "bench-jail", data.toString());
            long l = run(base, "bench-jail-lazy", data.toString());
            if (i >= 0) {
                lazy[i] = l;
                plain[i] = p;
                jailed[i] = j;
            }
        }
        Arrays.sort(plain);
        Arrays.sort(jailed);
        Arrays.sort(lazy);
        double ml = lazy[runs / 2] / 1e6;
        double mp = plain[runs / 2] / 1e6;
        double mj = jailed[runs / 2] / 1e6;
        System.out.printf("runs=%d java=%s%nwithout SelfJail: median %.1f ms (min %.1f)%nwith SelfJail:    median %.1f ms (min %.1f)%n"
                + "extra startup:    %.1f ms (median difference)%n", runs, java, mp, plain[0] / 1e6, mj, jailed[0] / 1e6, mj - mp);
        System.out.printf("with SelfJail.enter(Supplier): median %.1f ms (min %.1f), extra %.1f ms%n", ml, lazy[0] / 1e6, ml - mp);
        Files.deleteIfExists(data);
    }

    private static long run(List<String> base, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectInput(new File("/dev/null")).start();
        int rc = p.waitFor();
        long t = System.nanoTime() - t0;
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc);
        }
        return t;
    }
}
