package org.sandbox4j.examples.bench;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.lockdown.Lockdown;
import org.sandbox4j.lockdown.LockdownReport;
import org.sandbox4j.seccomp.SeccompProfiles;

/**
 * {@code Lockdown.apply()} in fresh JVMs with N parked threads: no-exec seccomp, Landlock (read-only
 * /usr, /etc and the class path, one writable directory, TCP connect to port 443, no TCP bind),
 * RLIMIT_NOFILE and the capability drop (docs/performance.md, "Lockdown of a running JVM"). A
 * lockdown cannot be undone, so every measurement is a JVM of its own; the child is this class's
 * {@link #main}. Run with {@code sandbox4j bench lockdown}.
 */
public final class LockdownBenchmark {
    private LockdownBenchmark() {}

    /** The child's output line: {@code RESULT total <ms> changes <ms> verify <ms> threads <n> rules <n>}. */
    private static final String CHILD_RESULT = "RESULT ";

    /** Medians in milliseconds: {changes, verification, whole apply()}. */
    public static double[] run(int runs, int threads, PrintStream out) throws Exception {
        // The child gets the class path of the command that runs it: an application's own.
        String cp = System.getProperty("java.class.path");
        double[] changes = new double[runs];
        double[] verify = new double[runs];
        double[] total = new double[runs];
        Path data = Files.createTempDirectory("lockdown-bench");
        try {
            for (int i = 0; i < runs; i++) {
                ColdJvms.Run r = ColdJvms.run(ColdJvms.command(StartupBenchmark.JVM_OPTIONS, cp, LockdownBenchmark.class,
                        Integer.toString(threads), data.toString()));
                if (!r.firstLine().startsWith(CHILD_RESULT)) {
                    throw new IllegalStateException("the lockdown child printed '" + r.firstLine() + "'");
                }
                String[] f = r.firstLine().split(" ");
                total[i] = Double.parseDouble(f[2]);
                changes[i] = Double.parseDouble(f[4]);
                verify[i] = Double.parseDouble(f[6]);
                out.println("  run " + (i + 1) + ": " + r.firstLine().substring(CHILD_RESULT.length()));
            }
        } finally {
            Files.deleteIfExists(data);
        }
        return new double[] {ColdJvms.median(changes), ColdJvms.median(verify), ColdJvms.median(total)};
    }

    /** The child: {@code THREADS DIR} (DIR: the writable directory). Starts the threads, locks down, prints one RESULT line, halts. */
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
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
        List<String> cp = List.of(System.getProperty("java.class.path").split(File.pathSeparator));
        String data = args[1];
        Lockdown.Builder b = Lockdown.builder()
                .seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC)
                .landlock(fs -> fs.readOnly("/usr", "/etc").readOnly(cp.toArray(new String[0])).readWrite(data)
                        .allowTcpConnect(443).denyTcpBind())
                .limit(Rlimit.NOFILE, 4096)
                .dropCapabilities();
        long t0 = System.nanoTime();
        LockdownReport r = b.apply();
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, CHILD_RESULT + "total %.3f changes %.3f verify %.3f threads %d classpath %d%n",
                (t1 - t0) / 1e6, r.applyTime().toNanos() / 1e6, r.verifyTime().toNanos() / 1e6, r.threads().size(), cp.size());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
