package org.sandbox4j.examples.bench;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.sandbox4j.Sandbox;

/**
 * {@link #THREADS} threads starting processes at once, spawn to exit of {@code /bin/true}: jails (the
 * {@code sandbox4j} jail of {@link SpawnBenchmark}, one {@code Sandbox} shared by the threads) and
 * bare {@link ProcessBuilder}s, in processes per second (JMH Throughput, the sum over the threads).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Threads(ConcurrentSpawnBenchmark.THREADS)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 5)
public class ConcurrentSpawnBenchmark {
    public static final int THREADS = 8;

    private Sandbox jail;

    @Setup
    public void setup() throws Exception {
        jail = SpawnBenchmark.jailBuilder().build();
        processBuilder();
        sandbox4j();
    }

    @Benchmark
    public int processBuilder() throws Exception {
        return SpawnBenchmark.finish(new ProcessBuilder("/bin/true").start(), "ProcessBuilder /bin/true");
    }

    @Benchmark
    public int sandbox4j() throws Exception {
        return SpawnBenchmark.finish(jail.start("/bin/true"), "sandbox4j /bin/true");
    }
}
