package org.sandbox4j.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sandbox4j.Network;
import org.sandbox4j.Sandbox;

/**
 * Spawn-to-exit of {@code /bin/true}: a bare {@link ProcessBuilder}, a sandbox4j jail with every
 * namespace new (and with the host's network), and bubblewrap doing the same as the jail.
 *
 * <p>Each invocation starts the process, waits for its exit and closes its three pipes; a non-zero
 * exit fails the run, so a broken jail cannot report a fast time. SampleTime: JMH records every
 * invocation, so the median is exact (p0.50 of the histogram).
 *
 * <p>Run with {@code sandbox4j bench spawn [--quick]}, which prints the medians as a RESULT line.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 5)
public class SpawnBenchmark {
    /** The bubblewrap command of variant (d), without the program. */
    public static final List<String> BWRAP = List.of("/usr/bin/bwrap", "--unshare-all", "--die-with-parent",
            "--new-session", "--clearenv", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
            "--tmpfs", "/tmp");

    private ProcessBuilder plain;
    private ProcessBuilder bwrap;
    private Sandbox jail;
    private Sandbox jailHostNet;
    private Sandbox jailCgroup;

    /**
     * Variant (b): every namespace new, {@code /usr} read-only, the host's /bin, /lib, /lib64 links
     * into /usr mirrored (those that are links on this host), tmpfs /tmp, /proc, /dev.
     */
    public static Sandbox.Builder jailBuilder() throws IOException {
        Sandbox.Builder b = Sandbox.builder().readOnly("/usr");
        for (String link : new String[] {"/bin", "/lib", "/lib64"}) {
            Path p = Path.of(link);
            if (Files.isSymbolicLink(p)) {
                b.symlink(Files.readSymbolicLink(p).toString(), link);
            }
        }
        return b.tmpfs("/tmp").proc("/proc").dev("/dev");
    }

    @Setup
    public void setup() throws Exception {
        plain = new ProcessBuilder("/bin/true");
        List<String> bw = new java.util.ArrayList<>(BWRAP);
        bw.add("/bin/true");
        bwrap = new ProcessBuilder(bw);
        jail = jailBuilder().build();
        jailHostNet = jailBuilder().network(Network.HOST).build();
        jailCgroup = jailBuilder().memoryLimit(256L << 20).pidsLimit(64).build();
        // Every variant must work before it is timed.
        processBuilder();
        sandbox4j();
        sandbox4jHostNet();
        sandbox4jCgroup();
        bwrap();
    }

    @Benchmark
    public int processBuilder() throws Exception {
        return finish(plain.start(), "ProcessBuilder /bin/true");
    }

    @Benchmark
    public int sandbox4j() throws Exception {
        return finish(jail.start("/bin/true"), "sandbox4j /bin/true");
    }

    @Benchmark
    public int sandbox4jHostNet() throws Exception {
        return finish(jailHostNet.start("/bin/true"), "sandbox4j (host network) /bin/true");
    }

    /** Variant (b) with a cgroup per jail: memory and pids limits (created, filled, read, removed). */
    @Benchmark
    public int sandbox4jCgroup() throws Exception {
        return finish(jailCgroup.start("/bin/true"), "sandbox4j (memory + pids limit) /bin/true");
    }

    @Benchmark
    public int bwrap() throws Exception {
        return finish(bwrap.start(), "bwrap /bin/true");
    }

    /**
     * Variant (b) with its launcher named ({@link org.sandbox4j.Launcher}), each in a state of its
     * own so that only its method's fork builds it.
     */
    public abstract static class Named {
        Sandbox jail;
        String what;

        abstract org.sandbox4j.Launcher launcher();

        @Setup
        public void setup() throws Exception {
            jail = jailBuilder().launcher(launcher()).build();
            what = "sandbox4j (" + launcher() + ") /bin/true";
            finish(jail.start("/bin/true"), what);
        }
    }

    /** The prestarted launcher named (the default, so the same as {@code sandbox4j} unless {@code -Dsandbox4j.spawn=per-jail}). */
    @State(Scope.Benchmark)
    public static class Prestarted extends Named {
        @Override
        org.sandbox4j.Launcher launcher() {
            return org.sandbox4j.Launcher.prestarted();
        }
    }

    /** A launcher process of its own per jail. */
    @State(Scope.Benchmark)
    public static class PerJail extends Named {
        @Override
        org.sandbox4j.Launcher launcher() {
            return org.sandbox4j.Launcher.perJail();
        }
    }

    @Benchmark
    public int sandbox4jPrestarted(Prestarted p) throws Exception {
        return finish(p.jail.start("/bin/true"), p.what);
    }

    @Benchmark
    public int sandbox4jPerJail(PerJail p) throws Exception {
        return finish(p.jail.start("/bin/true"), p.what);
    }

    static int finish(Process p, String what) throws Exception {
        int rc = p.waitFor();
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
        if (rc != 0) {
            throw new IllegalStateException(what + " exited with " + rc);
        }
        return rc;
    }
}
