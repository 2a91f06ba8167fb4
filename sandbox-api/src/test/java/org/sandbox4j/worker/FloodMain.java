package org.sandbox4j.worker;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.SandboxedProcess;

/**
 * The child JVM of {@link WorkerFloodTest}, run with a small heap ({@code -Xmx64m}):
 * {@code FloodMain STEPS JAILMODE BYTES WORKER_CLASSPATH}, STEPS a comma-separated list of
 *
 * <ul>
 *   <li>{@code pool}: a pool's worker writes BYTES to stderr without a newline, then dies; prints the
 *       failure's kind, whether the tail holds the cut note, the tail's size, and the next call's reply.
 *   <li>{@code jail}: a jailed worker JVM (no pool) floods stderr: the library buffers nothing while
 *       nobody reads, the caller can drain it all with a small buffer, and a killed jail leaves at
 *       most a pipe's worth behind.
 *   <li>{@code readline}: the control: the same flood read with {@link BufferedReader#readLine()}.
 * </ul>
 */
public final class FloodMain {
    private FloodMain() {}

    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[2]);
        List<Path> cp = Arrays.stream(args[3].split(java.io.File.pathSeparator)).map(Path::of).toList();
        WorkerSpec spec = WorkerSpec.builder().classpath(cp).heap(32L << 20).build();
        System.out.println("heap-max-mib " + (Runtime.getRuntime().maxMemory() >> 20));
        try (AutoCloseable m = JailMode.valueOf(args[1]).activate()) {
            for (String step : args[0].split(",")) {
                switch (step) {
                    case "pool" -> pool(spec, bytes);
                    case "jail" -> jail(spec, bytes);
                    case "readline" -> readline(spec, bytes);
                    default -> throw new IllegalArgumentException(step);
                }
            }
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void pool(WorkerSpec spec, long bytes) throws Exception {
        try (WorkerPool pool = WorkerPool.builder(spec, TestHandler.class).size(1).taskTimeout(Duration.ofSeconds(60))
                .build()) {
            System.out.println("pool-reply " + new String(pool.call(utf8("flood:" + bytes)), StandardCharsets.UTF_8));
            try {
                pool.call(utf8("halt:3"));
            } catch (WorkerException e) {
                String note = "[... " + (bytes - Worker.MAX_LINE) + " more bytes without a newline cut]";
                System.out.println("pool-failure " + e.kind() + " cut=" + e.stderrTail().contains(note) + " tail-bytes="
                        + e.stderrTail().length());
            }
            System.out.println("pool-after " + new String(pool.call(utf8("echo:ok")), StandardCharsets.UTF_8));
        }
    }

    private static SandboxedProcess flooding(WorkerSpec spec, long bytes) throws Exception {
        SandboxedProcess p = spec.start(WorkerMain.class.getName(), TestHandler.class.getName(), "1000");
        DataOutputStream in = new DataOutputStream(p.getOutputStream());
        Frames.writeRequest(in, utf8("flood:" + bytes));
        return p;
    }

    private static long usedHeap() {
        System.gc();
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    private static void jail(WorkerSpec spec, long bytes) throws Exception {
        long before = usedHeap();
        SandboxedProcess p = flooding(spec, bytes);
        Thread.sleep(1500); // nobody reads: the worker blocks on the full pipe, the library holds nothing
        long stalled = usedHeap();
        byte[] buf = new byte[1 << 16];
        long n = 0;
        InputStream err = p.getErrorStream();
        for (int k; n < bytes && (k = err.read(buf)) > 0; ) {
            n += k;
        }
        System.out.println("jail-stalled-growth-kib " + Math.max(0, stalled - before) / 1024);
        System.out.println("jail-drained " + (n >= bytes));
        p.getOutputStream().close(); // the worker exits at the end of its input
        System.out.println("jail-exit " + p.waitFor());

        SandboxedProcess q = flooding(spec, bytes);
        Thread.sleep(1500);
        q.destroyForcibly();
        q.waitFor();
        System.out.println("jail-unread-kept " + q.getErrorStream().transferTo(OutputStream.nullOutputStream()));
    }

    private static void readline(WorkerSpec spec, long bytes) throws Exception {
        SandboxedProcess p = flooding(spec, bytes);
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            for (String l; (l = r.readLine()) != null; ) {
                if (l.length() > 1 << 20) {
                    System.out.println("readline-line " + l.length());
                    break;
                }
            }
        } catch (OutOfMemoryError e) {
            System.out.println("readline-OOM " + e.getMessage());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}
