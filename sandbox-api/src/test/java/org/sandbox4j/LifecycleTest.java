package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;

/** The Process contract: exit status, signals, streams, destroy, time limit. */
@Tag("kernel")
class LifecycleTest {

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void exitCodeAndSignalDeathAreReportedExactly(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result three = run(base().build(), ATTACK, "exit", "3");
            assertEquals(JailExit.exited(3), three.exit());
            Result term = run(base().build(), ATTACK, "signal", "15");
            assertTrue(term.exit().signaled(), term.toString());
            assertEquals(15, term.exit().signal());
            assertEquals(143, term.exit().exitValue());
            Result direct = run(base().execDirectly().build(), ATTACK, "exit", "7");
            assertEquals(7, direct.exit().code(), "exec directly as pid 1: " + direct);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void streamsCarryDataBothWays(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = base().build().start(ATTACK, "cat");
            byte[] data = new byte[200_000];
            new java.util.Random(1).nextBytes(data);
            Thread writer = new Thread(() -> {
                try (var out = p.getOutputStream()) {
                    out.write(data);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            byte[] back = p.getInputStream().readAllBytes();
            writer.join();
            assertEquals(0, p.waitFor());
            assertTrue(java.util.Arrays.equals(data, back));
            assertFalse(p.isAlive());
            assertTrue(p.onExit().isDone());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void redirectsWorkLikeProcessBuilder(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path out = dir.resolve("out.txt");
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "from-a-file");
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = base().redirectInput(Redirect.from(in.toFile())).redirectOutput(Redirect.to(out.toFile()))
                    .build().start(ATTACK, "cat");
            assertEquals(0, p.waitFor());
            assertEquals("from-a-file", Files.readString(out));
            assertEquals(-1, p.getInputStream().read(), "no pipe when redirected");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void destroySendsTermToTheProgram(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = base().build().start(ATTACK, "await-term");
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY", r.readLine());
            p.destroy();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals("GOT SIGTERM", r.readLine());
            assertEquals(42, p.exitValue());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void destroyForciblyKillsTheWholeJail(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            String marker = "hold-" + System.nanoTime();
            SandboxedProcess p = base().build().start(ATTACK, "hold", "4", marker);
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HOLDING", r.readLine());
            assertEquals(5, HostProcesses.withArg(marker).size(), "the program and its 4 children run");
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertTrue(p.jailExit().signaled());
            HostProcesses.awaitNone(marker, Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void timeLimitKillsTheJail(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            long t0 = System.nanoTime();
            Result r = run(base().timeLimit(Duration.ofMillis(300)).build(), ATTACK, "sleep", "30");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(r.exit().timedOut(), r.toString());
            assertTrue(r.exit().signaled() && r.exit().signal() == 9, r.toString());
            assertTrue(ms < 5000, "killed after " + ms + " ms");
            Result quick = run(base().timeLimit(Duration.ofSeconds(10)).build(), ATTACK, "exit", "0");
            assertFalse(quick.exit().timedOut());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void processHandleAndPid(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = base().build().start(ATTACK, "sleep", "5");
            assertTrue(p.pid() > 0);
            assertEquals(p.pid(), p.toHandle().pid());
            assertTrue(p.toHandle().isAlive());
            p.destroyForcibly();
            p.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(p.isAlive());
        }
    }
}
