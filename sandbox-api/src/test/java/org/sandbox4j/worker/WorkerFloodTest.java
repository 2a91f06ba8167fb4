package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.str;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.worker.WorkerException.Kind;

/**
 * Nothing a worker or jail writes can exhaust the JVM that runs it: stderr lines are cut, reply
 * frames are capped, a jail's pipes are not buffered. The heavy cases run in a child JVM with a
 * 64 MiB heap, where an unbounded reader demonstrably dies (the control).
 */
@Tag("kernel")
class WorkerFloodTest {
    /** Four times the child's heap: an unbounded reader cannot hold it. */
    private static final long FLOOD = 256L << 20;

    private static WorkerPool pool() throws Exception {
        return WorkerPool.builder(build(WorkerTestSupport.spec()), TestHandler.class).size(1)
                .taskTimeout(Duration.ofSeconds(30)).acquireTimeout(Duration.ofSeconds(20)).build();
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aStderrLineWithoutANewlineIsCutWithANote(JailMode mode) throws Exception {
        long flood = 16L << 20;
        try (AutoCloseable m = mode.activate(); WorkerPool pool = pool()) {
            assertEquals("flooded", str(pool.call(utf8("flood:" + flood))));
            WorkerException e = assertThrows(WorkerException.class, () -> pool.call(utf8("halt:3")));
            assertEquals(Kind.CRASH, e.kind(), e.getMessage());
            String tail = e.stderrTail();
            assertTrue(tail.contains("x".repeat(Worker.MAX_LINE) + " [... " + (flood - Worker.MAX_LINE)
                    + " more bytes without a newline cut]"), "the first 8 KiB are kept, the rest counted\n"
                    + tail.substring(Math.max(0, tail.length() - 300)));
            assertTrue(tail.length() < 20 * (Worker.MAX_LINE + 100), "the tail is bounded: " + tail.length());
            assertEquals("echo:ok", str(pool.call(utf8("echo:ok"))), "the replaced worker serves");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aWorkerAnnouncingAGiantFrameIsAProtocolFailureAndReplaced(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate(); WorkerPool pool = pool()) {
            long t0 = System.nanoTime();
            WorkerException e = assertThrows(WorkerException.class, () -> pool.call(utf8("bigframe")));
            assertEquals(Kind.PROTOCOL, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("frame of 2147483647 bytes, more than the limit of " + (64 << 20)),
                    e.getMessage());
            assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "typed at once, not after the worker's silence");
            assertEquals("echo:ok", str(pool.call(utf8("echo:ok"))));
            assertEquals(1, pool.stats().replaced(), pool.stats().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aHandlerErrorWithAHugeMessageIsCut(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate(); WorkerPool pool = pool()) {
            WorkerException e = assertThrows(WorkerException.class, () -> pool.call(utf8("throwlong:" + (1 << 20))));
            assertEquals(Kind.HANDLER_ERROR, e.kind(), e.getMessage());
            assertTrue(e.getMessage().endsWith("y".repeat(Worker.MAX_LINE) + " [... " + ((1 << 20) - Worker.MAX_LINE)
                    + " more characters cut]"), e.getMessage().substring(0, 200));
            assertTrue(e.getMessage().length() < 2 * Worker.MAX_LINE, "bounded: " + e.getMessage().length());
            assertEquals("echo:ok", str(pool.call(utf8("echo:ok"))), "a handler error keeps the worker");
        }
    }

    /** {@code java -Xmx64m FloodMain steps mode bytes worker-cp}: its stdout, after checking it exited 0. */
    private static String childJvm(String steps, JailMode mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=/tmp",
                "-Dsandbox4j.test.csrc=" + Path.of(System.getProperty("sandbox4j.test.csrc", "src/test/c")).toAbsolutePath(),
                "-cp", JailTestSupport.worldReadableClasspathArg(), FloodMain.class.getName(), steps, mode.name(),
                Long.toString(FLOOD), String.join(File.pathSeparator,
                        WorkerTestSupport.classpath().stream().map(Path::toString).toList())));
        Process p = new ProcessBuilder(cmd).directory(new File("/")).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        String all = out + "\n--- stderr (last 4 KiB)\n" + tail(err.get());
        assertEquals(0, p.exitValue(), all);
        assertTrue(out.contains("heap-max-mib ") && out.contains("DONE"), all);
        System.out.println("FloodMain " + steps + " " + mode + ":\n" + out);
        return out;
    }

    private static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 4096));
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aPoolAndAJailIn64MiBOfHeapSurviveA256MiBStderrFlood(JailMode mode) throws Exception {
        if (mode == JailMode.UNPRIVILEGED) {
            mode.activate().close(); // skips here when the mode cannot run, as in the child
        }
        String out = childJvm("pool,jail", mode);
        assertTrue(out.contains("pool-reply flooded"), out);
        assertTrue(out.contains("pool-failure CRASH cut=true"), out);
        assertTrue(out.contains("pool-after echo:ok"), out);
        assertTrue(out.contains("jail-drained true"), out);
        assertTrue(out.contains("jail-exit 0"), out);
        long stalled = number(out, "jail-stalled-growth-kib ");
        assertTrue(stalled < 8 << 10, "an unread flooding jail grows nothing: " + stalled + " KiB");
        long kept = number(out, "jail-unread-kept ");
        assertTrue(kept <= 1 << 20, "a killed jail leaves at most a pipe's worth (pipe-max-size): " + kept);
    }

    /** The control: the same flood, the same heap, read with an unbounded readLine, runs out of memory. */
    @Test
    void controlAnUnboundedReadLineInTheSameHeapRunsOutOfMemory() throws Exception {
        String out = childJvm("readline", JailMode.PRIVILEGED);
        assertTrue(out.contains("readline-OOM"), out);
    }

    private static long number(String out, String key) {
        return out.lines().filter(l -> l.startsWith(key)).map(l -> Long.parseLong(l.substring(key.length()).trim()))
                .findFirst().orElseThrow(() -> new AssertionError(key + " missing\n" + out));
    }
}
