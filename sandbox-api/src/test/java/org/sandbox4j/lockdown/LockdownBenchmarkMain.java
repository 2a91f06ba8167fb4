package org.sandbox4j.lockdown;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.seccomp.SeccompProfiles;

/**
 * Time to apply a full lockdown (no-exec seccomp, Landlock, NOFILE, capability drop) in a JVM with N
 * live threads. Each measurement needs a fresh JVM (lockdown is irreversible), so the parent starts
 * RUNS children and prints the median. See docs/lockdown.md.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp CLASSPATH org.sandbox4j.lockdown.LockdownBenchmarkMain [RUNS] [THREADS]
 * </pre>
 */
public final class LockdownBenchmarkMain {
    private LockdownBenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            cp.add(Path.of(e).toAbsolutePath().toString());
        }
        List<Double> total = new ArrayList<>();
        List<Double> apply = new ArrayList<>();
        List<Double> verify = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    String.join(File.pathSeparator, cp), LockdownBenchmarkMain.class.getName(), "child",
                    Integer.toString(threads)).redirectError(ProcessBuilder.Redirect.INHERIT).directory(new File("/")).start();
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            p.waitFor();
            if (line == null || !line.startsWith("RESULT ")) {
                throw new IllegalStateException("child failed: " + line);
            }
            String[] f = line.split(" ");
            total.add(Double.parseDouble(f[2]));
            apply.add(Double.parseDouble(f[4]));
            verify.add(Double.parseDouble(f[6]));
            System.out.println("run " + (i + 1) + ": " + line.substring(7));
        }
        System.out.printf("median over %d runs with %d threads: apply() total %.2f ms (changes %.2f ms, verification %.2f ms)%n",
                runs, threads, median(total), median(apply), median(verify));
    }

    private static String[] classPath() {
        return System.getProperty("java.class.path").split(File.pathSeparator);
    }

    private static double median(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static void child(int n) throws Exception {
        CountDownLatch started = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                started.countDown();
                for (;;) {
                    LockSupport.park();
                }
            }, "bench-" + i);
            t.setDaemon(true);
            t.start();
        }
        started.await();
        Path data = Files.createTempDirectory("lockdown-bench");
        Lockdown.Builder b = Lockdown.builder()
                .seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC)
                .landlock(fs -> fs.readOnly("/usr", "/etc").readOnly(classPath()).readWrite(data.toString()).allowTcpConnect(443).denyTcpBind())
                .limit(Rlimit.NOFILE, 4096)
                .dropCapabilities();
        long t0 = System.nanoTime();
        LockdownReport r = b.apply();
        long t1 = System.nanoTime();
        System.out.printf("RESULT total %.3f apply %.3f verify %.3f threads %d%n", (t1 - t0) / 1e6,
                r.applyTime().toNanos() / 1e6, r.verifyTime().toNanos() / 1e6, r.threads().size());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
