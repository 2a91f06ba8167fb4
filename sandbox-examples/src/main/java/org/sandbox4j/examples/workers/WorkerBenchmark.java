package org.sandbox4j.examples.workers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sandbox4j.worker.WorkerPool;
import org.sandbox4j.worker.WorkerSpec;

/**
 * A trivial task (64 bytes echoed) three ways: an in-process call, through a warm pool of jailed
 * workers, and in a fresh jailed JVM per task. Sample mode gives the median and p99.
 *
 * <pre>
 * java -cp "$(cat cp.txt):target/classes" org.openjdk.jmh.Main WorkerBenchmark
 * </pre>
 *
 * <p>Run as a user whose class path the jail's uid can read (root's ~/.m2 is not readable by
 * uid 65534: copy the jars to a world-readable directory first, see docs/workers.md).
 */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class WorkerBenchmark {
    private final byte[] request = new byte[64];
    private final EchoHandler inProcess = new EchoHandler();
    private WorkerSpec spec;
    private WorkerPool pool;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        spec = WorkerSpec.builder().heap(32L << 20).build();
        pool = WorkerPool.builder(spec, EchoHandler.class).size(1).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public byte[] inProcessCall() throws Exception {
        return inProcess.handle(request);
    }

    @Benchmark
    public byte[] warmPool() throws Exception {
        return pool.call(request);
    }

    @Benchmark
    @Warmup(iterations = 1, time = 2)
    @Measurement(iterations = 2, time = 5)
    public byte[] freshJailedJvmPerTask() throws Exception {
        try (WorkerPool one = WorkerPool.builder(spec, EchoHandler.class).size(1).build()) {
            return one.call(request);
        }
    }

    /** Prints the resident memory of each warm worker JVM of a pool of 4 after 1,000 tasks. */
    public static void main(String[] args) throws Exception {
        WorkerSpec spec = WorkerSpec.builder().heap(32L << 20).build();
        try (WorkerPool pool = WorkerPool.builder(spec, EchoHandler.class).size(4).build()) {
            for (int i = 0; i < 1000; i++) {
                pool.call(new byte[64]);
            }
            for (long launcher : pool.workerPids()) {
                System.out.println("worker below launcher " + launcher + ": RSS " + jvmRssKb(launcher) / 1024 + " MiB");
            }
        }
    }

    /** VmRSS of the JVM two levels below the launcher (launcher, jail init, java). */
    static long jvmRssKb(long pid) throws Exception {
        long rss = -1;
        for (int depth = 0; depth < 2; depth++) {
            String kids = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
            pid = Long.parseLong(kids.split(" ")[0]);
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return rss;
    }
}
