package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.cgroup.ResourceLimit;
import org.sandbox4j.cgroup.ResourceUsage;
import org.sandbox4j.internal.Cgroups;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.landlock.Compatibility;

/**
 * Cgroup limits against real attacks: a memory bomb (anonymous and tmpfs), a fork bomb, a CPU
 * spinner, each contained and reported, each with a control that escapes without the limit; the
 * defaults; the refusal where the cgroup is not delegated; no cgroup left behind.
 *
 * <p>Modes: PRIVILEGED (the JVM's own rights, root on CI) gets its cgroups where the library finds
 * them. UNPRIVILEGED (the launcher as uid 65534) may not move the jail into a cgroup root made, so
 * there the jails use a subtree delegated to 65534 ({@link #parentFor}); on cgroup v2 a delegated
 * subtree only helps a launcher that itself runs inside it (the guest harness runs the JVM that
 * way), so this mode checks the refusal there. {@code -Dsandbox4j.test.cgroupParent=DIR} makes
 * every jail use DIR (the guest's delegated run).
 */
@Tag("kernel")
class CgroupTest {
    private static final long MIB = 1L << 20;
    private static final List<Path> DELEGATED = new ArrayList<>();
    /** The cgroup v2 guest's run (sandbox-native/test/cgroup2): "delegated", "refused" or null. */
    private static final String GUEST = System.getProperty("sandbox4j.test.cgroups");

    /** Whether jails in this mode can get a cgroup at all (for the assumptions). */
    private static boolean cgroupsWork(JailMode mode) {
        if (System.getProperty("sandbox4j.test.cgroupParent") != null || "delegated".equals(GUEST)) {
            return true;
        }
        if (LibC.geteuid() != 0) {
            return false; // an unprivileged JVM here has no delegation unless told (property above)
        }
        return mode == JailMode.PRIVILEGED || !Cgroups.host().v2Usable();
    }

    /** The builder with the cgroup parent this mode needs (a subtree delegated to 65534 on v1). */
    private static Sandbox.Builder limited(JailMode mode) throws IOException {
        Sandbox.Builder b = base();
        Path p = parentFor(mode);
        return p == null ? b : b.cgroupParent(p);
    }

    static synchronized Path parentFor(JailMode mode) throws IOException {
        String prop = System.getProperty("sandbox4j.test.cgroupParent");
        if (prop != null) {
            return Path.of(prop);
        }
        if (mode == JailMode.PRIVILEGED || Cgroups.host().v2Usable()) {
            return null;
        }
        // v1 "delegation": the same relative directory in each hierarchy, owned by 65534, as an
        // administrator would chown a subtree to a service user.
        String name = "sb4j-test-deleg-" + ProcessHandle.current().pid();
        Path first = null;
        for (String c : new String[] {"memory", "pids", "cpu", "cpuacct"}) {
            Path own = Cgroups.host().v1Dir(c);
            if (own == null) {
                continue;
            }
            Path d = own.resolve(name);
            if (!Files.isDirectory(d)) {
                Files.createDirectory(d);
                DELEGATED.add(d);
                try (Stream<Path> s = Files.list(d)) {
                    for (Path f : (Iterable<Path>) s::iterator) {
                        LibC.chown(f.toString(), 65534, 65534);
                    }
                }
                LibC.chown(d.toString(), 65534, 65534);
            }
            if (first == null || c.equals("memory")) {
                first = d;
            }
        }
        return first;
    }

    @AfterAll
    static void removeDelegated() {
        for (Path d : DELEGATED) {
            LibC.rmdir(d.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void memoryBombIsKilledAndReportedAsMemory(JailMode mode) throws Exception {
        assumeTrue(cgroupsWork(mode), "no cgroup for this mode here");
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = limited(mode).memoryLimit(64 * MIB).build().start(ATTACK, "alloc", "512");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            JailExit exit = p.jailExit();
            assertTrue(exit.signaled() && exit.signal() == 9, exit.toString());
            assertEquals(ResourceLimit.MEMORY, exit.limitReached().orElse(null), exit.toString());
            ResourceUsage u = exit.usage().orElseThrow();
            assertTrue(u.oomKills() >= 1, u.toString());
            assertTrue(u.peakMemoryBytes() > 0 && u.peakMemoryBytes() <= 64 * MIB + MIB, u.toString());
            assertTrue(exit.toString().contains("memory limit 64 MiB reached"), exit.toString());
            assertGone(p);

            // Control: without the limit the same allocation succeeds.
            Result control = run(base().build(), ATTACK, "alloc", "512");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void tmpfsBombIsChargedToTheMemoryLimit(JailMode mode) throws Exception {
        assumeTrue(cgroupsWork(mode), "no cgroup for this mode here");
        try (AutoCloseable m = mode.activate()) {
            // A tmpfs larger than the memory limit: only the cgroup stops the writer.
            SandboxedProcess p = limited(mode).clearMounts().readOnly(JailTestSupport.fixtures().resolve("attack").toString(), ATTACK)
                    .tmpfs("/tmp", 1024 * MIB).memoryLimit(48 * MIB).build().start(ATTACK, "fillmib", "/tmp/bomb", "200");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            JailExit exit = p.jailExit();
            assertEquals(ResourceLimit.MEMORY, exit.limitReached().orElse(null), exit.toString());
            assertTrue(exit.signaled(), exit.toString());
            assertGone(p);

            // Control: the same tmpfs without the memory limit takes the 200 MiB.
            Result control = run(base().clearMounts().readOnly(JailTestSupport.fixtures().resolve("attack").toString(), ATTACK)
                    .tmpfs("/tmp", 1024 * MIB).build(), ATTACK, "fillmib", "/tmp/bomb", "200");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void forkBombIsStoppedByThePidsLimitAndReported(JailMode mode) throws Exception {
        assumeTrue(cgroupsWork(mode), "no cgroup for this mode here");
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = limited(mode).pidsLimit(20).build().start(ATTACK, "forkbomb", "300");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(out.startsWith("DENIED EAGAIN fork #"), out);
            JailExit exit = p.jailExit();
            assertEquals(ResourceLimit.PIDS, exit.limitReached().orElse(null), exit.toString());
            assertTrue(exit.usage().orElseThrow().pidsLimitHits() >= 1, exit.toString());
            assertGone(p);

            // Control: a limit above the bomb lets it run to its end.
            Result control = run(limited(mode).pidsLimit(400).build(), ATTACK, "forkbomb", "300");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void cpuSpinnerIsThrottledByTheCpuLimit(JailMode mode) throws Exception {
        assumeTrue(cgroupsWork(mode), "no cgroup for this mode here");
        try (AutoCloseable m = mode.activate()) {
            // Two spinners for 3 s of wall time at 0.1 cores: about 0.3 s of CPU.
            JailExit limited = runToExit(limited(mode).cpuLimit(0.1).build(), ATTACK, "spin", "2", "3000");
            Duration cpu = limited.usage().orElseThrow().cpu().orElseThrow();
            assertTrue(cpu.toMillis() < 600, "throttled: " + cpu + " " + limited);

            // Control: the same jail with a cgroup but no CPU limit gets far more (generous: the
            // machine is shared; 0.9 s of the 6 s two free spinners could take).
            JailExit free = runToExit(limited(mode).memoryLimit(256 * MIB).build(), ATTACK, "spin", "2", "3000");
            Duration freeCpu = free.usage().orElseThrow().cpu().orElseThrow();
            assertTrue(freeCpu.toMillis() > 900, "unthrottled: " + freeCpu);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void defaultProcessLimitStopsAForkBombWithoutAnyCall(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "forkbomb", "700");
            assertTrue(r.out().startsWith("DENIED EAGAIN fork #"), r.toString());
            // Control: the caller raises it, and the same bomb runs to its end.
            Result control = run(base().rlimit(org.sandbox4j.limits.Rlimit.NPROC, 2000).build(), ATTACK, "forkbomb", "700");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void defaultTmpfsCapStopsAFill(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "fillmib", "/tmp/big", "300");
            assertTrue(r.out().startsWith("DENIED") && r.out().contains("write MiB #256"), r.toString()); // full at 256 MiB
            // Control: a size given by the caller is the size.
            Result control = run(base().clearMounts().readOnly(JailTestSupport.fixtures().resolve("attack").toString(), ATTACK)
                    .tmpfs("/tmp", 400 * MIB).build(), ATTACK, "fillmib", "/tmp/big", "300");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void defaultFileAndCoreLimits(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "nofile", "1100");
            assertTrue(r.out().startsWith("DENIED EMFILE open #10"), r.toString());
            Result control = run(base().rlimit(org.sandbox4j.limits.Rlimit.NOFILE, 4096).build(), ATTACK, "nofile", "1100");
            assertTrue(control.ok(), control.toString());
        }
    }

    @Test
    void unprivilegedLauncherWithoutDelegationIsRefusedWithTheFix() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "needs root to switch the launcher to uid 65534");
        assumeTrue(System.getProperty("sandbox4j.test.cgroupParent") == null, "a delegated run");
        try (AutoCloseable m = JailMode.UNPRIVILEGED.activate()) {
            Sandbox s = base().memoryLimit(64 * MIB).build();
            SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> s.start(ATTACK, "exit", "0"));
            assertEquals(SetupStep.CGROUP, e.step(), e.getMessage());
            assertTrue(e.getMessage().contains("Delegate=yes") && e.getMessage().contains("memoryLimit(64 MiB)"), e.getMessage());
            assertNoJailCgroups();
            // Control: the same jail without the limit starts.
            assertTrue(run(base().build(), ATTACK, "exit", "0").ok());
        }
    }

    @Test
    void nonRootJvmWithoutDelegationIsRefusedWithTheFix() throws Exception {
        assumeTrue(LibC.geteuid() != 0 && !"delegated".equals(GUEST) && System.getProperty("sandbox4j.test.cgroupParent") == null,
                "needs a JVM that is not root and has no delegated cgroup (the guest's 'refused' run)");
        Sandbox s = base().memoryLimit(64 * MIB).pidsLimit(10).build();
        SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> s.start(ATTACK, "exit", "0"));
        assertEquals(SetupStep.CGROUP, e.step(), e.getMessage());
        assertTrue(e.getMessage().contains("Delegate=yes") && e.getMessage().contains("systemd-run --user --scope"), e.getMessage());
        assertTrue(e.getMessage().contains("memoryLimit(64 MiB), pidsLimit(10)"), e.getMessage());
        // Control: the same jail without cgroup limits starts (defaults are best effort, never failing).
        assertTrue(run(base().build(), ATTACK, "exit", "0").ok());
    }

    @Test
    void strictFailsAndBestEffortFallsBackToRlimits() throws Exception {
        Path notACgroup = Path.of("/proc/self"); // no cgroup files: nothing can be created there
        Sandbox strict = base().memoryLimit(64 * MIB).cgroupParent(notACgroup).build();
        SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> strict.start(ATTACK, "exit", "0"));
        assertEquals(SetupStep.CGROUP, e.step(), e.getMessage());

        Sandbox lenient = base().memoryLimit(64 * MIB).cgroupParent(notACgroup).cgroupCompatibility(Compatibility.BEST_EFFORT).build();
        SandboxedProcess p = lenient.start(ATTACK, "alloc", "256");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(out.startsWith("DENIED"), "RLIMIT_AS stopped the allocation: " + out);
        assertTrue(p.resourceControl().stream().anyMatch(s -> s.startsWith("RLIMIT_AS=")), p.resourceControl().toString());
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void manyJailsLeaveNoCgroupBehind(JailMode mode) throws Exception {
        assumeTrue(cgroupsWork(mode), "no cgroup for this mode here");
        try (AutoCloseable m = mode.activate()) {
            Sandbox s = limited(mode).memoryLimit(64 * MIB).pidsLimit(32).build();
            for (int i = 0; i < 40; i++) {
                SandboxedProcess p = s.start(ATTACK, i % 4 == 0 ? "hold" : "exit", i % 4 == 0 ? "3" : "0");
                if (i % 4 == 0) {
                    p.destroyForcibly(); // the launcher dies by SIGKILL: Java removes the cgroup
                }
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                p.jailExit();
                assertGone(p);
            }
            assertNoJailCgroups();
        }
    }

    private static JailExit runToExit(Sandbox s, String... cmd) throws Exception {
        SandboxedProcess p = s.start(cmd);
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        JailExit e = p.jailExit();
        assertFalse(e.signaled(), e.toString());
        return e;
    }

    private static void assertGone(SandboxedProcess p) {
        assertFalse(p.cgroupPaths().isEmpty(), "the jail had a cgroup");
        for (Path d : p.cgroupPaths()) {
            assertFalse(Files.exists(d), d + " was left behind");
        }
    }

    /** No sb4j-<this pid>-* directory in any hierarchy below this JVM's cgroups. */
    static void assertNoJailCgroups() throws IOException {
        String prefix = "sb4j-" + ProcessHandle.current().pid() + "-";
        List<Path> roots = new ArrayList<>();
        Cgroups.Host h = Cgroups.host();
        if (h.v2Mount() != null) {
            roots.add(h.v2Mount());
        }
        for (String c : new String[] {"memory", "pids", "cpu", "cpuacct"}) {
            if (h.v1Dir(c) != null) {
                roots.add(h.v1Dir(c));
            }
        }
        for (Path r : roots) {
            if (!Files.isDirectory(r)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(r, 4)) {
                List<Path> left = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
                assertTrue(left.isEmpty(), "left behind: " + left);
            }
        }
    }
}
