package org.sandbox4j.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sandbox4j.Arch;
import org.sandbox4j.Sandbox;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.Syscalls;

/**
 * What violation reports ({@code Sandbox.Builder#reportViolations}) cost: a jailed static program
 * makes {@link #CALLS} {@code getppid} calls, allowed or refused with ERRNO by the jail's policy,
 * with and without the launcher's supervisor. Allowed calls never reach the supervisor (the filter
 * returns ALLOW in the kernel), so {@code allowed} and {@code allowedReported} must match; a
 * refused call under reporting is a round trip to the launcher. Per call: (time - {@code spawn}) /
 * CALLS, where {@code spawn} is the same jail making no calls.
 *
 * <p>Needs gcc (the loop program is compiled once, statically, at setup). Run with {@code
 * java -cp 'target/lib/*:target/sandbox-examples.jar' org.openjdk.jmh.Main SeccompReportBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class SeccompReportBenchmark {
    /** Calls per jail. */
    public static final int CALLS = 100_000;

    private static final String LOOP_C = "#include <stdlib.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n"
            + "int main(int c, char **v) { long n = atol(v[1]); for (long i = 0; i < n; i++) syscall(SYS_getppid);"
            + " return 0; }\n";

    /** allowed, allowedReported, refused, refusedReported. */
    @Param({"allowed", "allowedReported", "refused", "refusedReported"})
    public String variant;

    private Sandbox jail;

    @Setup
    public void setup() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("sb4j-bench-");
        Path src = dir.resolve("loop.c");
        Files.writeString(src, LOOP_C, StandardCharsets.US_ASCII);
        Path bin = dir.resolve("loop");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", bin.toString(), src.toString()).inheritIO().start();
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("gcc failed to build the loop program");
        }
        bin.toFile().deleteOnExit();
        src.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        Syscalls.number(Arch.current(), "getppid").orElseThrow();
        SeccompPolicy policy = variant.startsWith("refused")
                ? SeccompPolicies.defaultDenyList().toBuilder().errno(1, "getppid").build()
                : SeccompPolicies.defaultDenyList();
        jail = Sandbox.builder().readOnly(bin.toString(), "/loop").seccomp(policy)
                .reportViolations(variant.endsWith("Reported")).build();
    }

    private static void run(Sandbox jail, int calls) throws IOException, InterruptedException {
        org.sandbox4j.SandboxedProcess p = jail.start("/loop", Integer.toString(calls));
        p.getOutputStream().close();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the loop program failed: " + p.jailExit());
        }
        p.getInputStream().close();
        p.getErrorStream().close();
    }

    /** {@link #CALLS} calls of getppid in one jail. */
    @Benchmark
    public void calls() throws IOException, InterruptedException {
        run(jail, CALLS);
    }

    /** The same jail making no call: subtract from {@link #calls()}. */
    @Benchmark
    public void spawn() throws IOException, InterruptedException {
        run(jail, 0);
    }
}
