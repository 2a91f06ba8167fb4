package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.PrestartedLauncher;

/**
 * Ending a jail ends all of it: a program that clears its parent-death signal and starts a setsid()'d,
 * double-forked daemon (attack {@code outlive}) leaves nothing behind, in every mode, however the
 * jail ends. The JVM's SIGKILL is in {@link ChildJvmTest}.
 */
@Tag("kernel")
class JailEndTest {

    /** How the jail is run. */
    enum Kind {
        /** The default: jail init as pid 1 of a new pid namespace, the program under it. */
        INIT,
        /** The program is pid 1 of the jail (and can clear its own pdeathsig). */
        EXEC_DIRECTLY,
        /** The host's pid namespace: the launcher, a subreaper, must find the daemon. */
        SHARED_PID,
        /** The host's pid namespace without jail init. */
        SHARED_PID_EXEC_DIRECTLY,
        /** The prestarted launcher (zygote), jail init. */
        PRESTARTED,
        /** The prestarted launcher, the program as pid 1. */
        PRESTARTED_EXEC_DIRECTLY;

        Sandbox.Builder configure(Sandbox.Builder b) {
            if (this == EXEC_DIRECTLY || this == SHARED_PID_EXEC_DIRECTLY || this == PRESTARTED_EXEC_DIRECTLY) {
                b.execDirectly();
            }
            if (this == SHARED_PID || this == SHARED_PID_EXEC_DIRECTLY) {
                b.share(Namespace.PID);
            }
            return b;
        }

        boolean prestarted() {
            return this == PRESTARTED || this == PRESTARTED_EXEC_DIRECTLY;
        }

        AutoCloseable activate() {
            Sandbox.usePrestartedLauncher(prestarted());
            return () -> PrestartedLauncher.setEnabled(null);
        }
    }

    /** How the jail ends. */
    enum End {
        DESTROY, DESTROY_FORCIBLY, TIME_LIMIT, PROGRAM_EXITS
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (JailMode m : JailMode.values()) {
            for (Kind k : Kind.values()) {
                for (End e : End.values()) {
                    s.add(Arguments.of(m, k, e));
                }
            }
        }
        return s.build();
    }

    static Stream<Arguments> rawKillCases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (JailMode m : JailMode.values()) {
            for (Kind k : new Kind[] {Kind.INIT, Kind.EXEC_DIRECTLY, Kind.SHARED_PID}) {
                s.add(Arguments.of(m, k));
            }
        }
        return s.build();
    }

    /** The suite's leak checks (no child process) must not see the zygote of the prestarted kinds. */
    @AfterAll
    static void stopTheZygote() throws InterruptedException {
        assertTrue(PrestartedLauncher.shutdown(Duration.ofSeconds(10)), "the zygote exited");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void nothingOfTheJailSurvivesItsEnd(JailMode mode, Kind kind, End end) throws Exception {
        String marker = "outlive-" + System.nanoTime();
        try (AutoCloseable m = mode.activate(); AutoCloseable k = kind.activate()) {
            Sandbox.Builder b = kind.configure(base());
            if (end == End.TIME_LIMIT) {
                b.timeLimit(Duration.ofSeconds(2));
            }
            SandboxedProcess p = b.build().start(ATTACK, "outlive", marker, end == End.PROGRAM_EXITS ? "exit" : "hold");
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("OUTLIVING", r.readLine(), "the daemon started");
            if (end != End.PROGRAM_EXITS) {
                assertEquals(2, HostProcesses.withArg(marker).size(), "the program and its daemon run");
            }
            switch (end) {
                case DESTROY -> p.destroy();
                case DESTROY_FORCIBLY -> p.destroyForcibly();
                default -> { }
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the jail ended");
            JailExit e = p.jailExit();
            switch (end) {
                case DESTROY, PROGRAM_EXITS -> assertEquals(JailExit.exited(0), e, "the program's own exit");
                case DESTROY_FORCIBLY -> assertTrue(e.signaled() && e.signal() == 9 && !e.timedOut(), e.toString());
                case TIME_LIMIT -> assertTrue(e.timedOut() && e.signaled(), e.toString());
                default -> throw new AssertionError(end);
            }
            // Dead by the time the Process reports its end, not some time later.
            assertEquals(List.of(), HostProcesses.withArg(marker), "nothing of the jail survives");
        } finally {
            killAll(marker);
        }
    }

    /**
     * Control for the attack: without a jail, a process that daemonizes this way outlives a SIGKILL
     * of its parent (what {@link Process#destroyForcibly()} does to an ordinary child).
     */
    @Test
    void aDaemonOfAPlainChildOutlivesItsDestroy() throws Exception {
        String marker = "outlive-plain-" + System.nanoTime();
        Process p = new ProcessBuilder(JailTestSupport.fixtures().resolve("attack").toString(), "outlive", marker, "hold")
                .redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("OUTLIVING", r.readLine());
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            Thread.sleep(200);
            assertEquals(1, HostProcesses.withArg(marker).size(), "the daemon survived");
        } finally {
            killAll(marker);
        }
    }

    /**
     * A raw SIGKILL of the launcher (what destroyForcibly() used to send; what {@code
     * toHandle().destroyForcibly()} still sends): it cannot kill the jail. INIT survives it through
     * init's pdeathsig; with execDirectly the JVM kills the program (pid 1, pdeathsig cleared)
     * through its pidfd. Control: a shared-pid-namespace jail's program and daemon survive it, the
     * limit share(PID) documents (its subreaper is the launcher).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rawKillCases")
    void aLauncherKilledOutsideTheLibraryLeavesOnlyASharedPidJailBehind(JailMode mode, Kind kind) throws Exception {
        String marker = "outlive-raw-" + System.nanoTime();
        try (AutoCloseable m = mode.activate(); AutoCloseable k = kind.activate()) {
            SandboxedProcess p = startOutliving(kind, marker);
            LibC.kill((int) p.pid(), LibC.SIGKILL);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            if (kind != Kind.SHARED_PID) {
                HostProcesses.awaitNone(marker, Duration.ofSeconds(5));
            } else {
                Thread.sleep(300);
                int left = HostProcesses.withArg(marker).size();
                assertEquals(2, left, "the program (it cleared its pdeathsig) and its daemon survived");
            }
        } finally {
            killAll(marker);
        }
    }

    /**
     * A prestarted launcher asked to stop (SIGTERM) kills its jails' pid 1s before it exits, so a
     * program that is pid 1 and cleared its pdeathsig dies with it. A SIGKILL of the zygote (which
     * cannot clean up) is answered by the JVM: it kills each jail's pid 1 through its pidfd.
     */
    @ParameterizedTest
    @EnumSource(value = JailMode.class)
    void aStoppedPrestartedLauncherTakesItsJailsWithIt(JailMode mode) throws Exception {
        for (int sig : new int[] {LibC.SIGTERM, LibC.SIGKILL}) {
            String marker = "outlive-zygote-" + sig + "-" + System.nanoTime();
            try (AutoCloseable m = mode.activate(); AutoCloseable k = Kind.PRESTARTED_EXEC_DIRECTLY.activate()) {
                SandboxedProcess p = startOutliving(Kind.PRESTARTED_EXEC_DIRECTLY, marker);
                int zygote = PrestartedLauncher.zygotePid();
                assertTrue(zygote > 0);
                LibC.kill(zygote, sig);
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                HostProcesses.awaitNone(marker, Duration.ofSeconds(5));
            } finally {
                killAll(marker);
            }
        }
    }

    /**
     * A prestarted launcher that stops answering is killed by the library (the next start times
     * out): its jails first, so the execDirectly program above does not survive it either.
     */
    @ParameterizedTest
    @EnumSource(value = JailMode.class)
    void aHungPrestartedLauncherIsKilledWithItsJails(JailMode mode) throws Exception {
        String marker = "outlive-hung-" + System.nanoTime();
        try (AutoCloseable m = mode.activate(); AutoCloseable k = Kind.PRESTARTED_EXEC_DIRECTLY.activate()) {
            SandboxedProcess p = startOutliving(Kind.PRESTARTED_EXEC_DIRECTLY, marker);
            int zygote = PrestartedLauncher.zygotePid();
            LibC.kill(zygote, LibC.SIGSTOP);
            Sandbox quick = base().setupTimeout(Duration.ofMillis(500)).build();
            SandboxSetupException e = org.junit.jupiter.api.Assertions.assertThrows(SandboxSetupException.class,
                    () -> quick.start(ATTACK, "exit", "0"));
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            HostProcesses.awaitNone(marker, Duration.ofSeconds(5));
        } finally {
            killAll(marker);
        }
    }

    private static SandboxedProcess startOutliving(Kind kind, String marker) throws Exception {
        SandboxedProcess p = kind.configure(base()).build().start(ATTACK, "outlive", marker, "hold");
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("OUTLIVING", r.readLine(), "the daemon started");
        assertEquals(2, HostProcesses.withArg(marker).size(), "the program and its daemon run");
        return p;
    }

    /** Cleans up what a failed test or a control left behind. */
    private static void killAll(String marker) throws Exception {
        for (int i = 0; i < 5; i++) {
            List<Long> left = HostProcesses.withArg(marker);
            if (left.isEmpty()) {
                return;
            }
            for (long pid : left) {
                LibC.kill((int) pid, LibC.SIGKILL);
            }
            Thread.sleep(50);
        }
    }
}
