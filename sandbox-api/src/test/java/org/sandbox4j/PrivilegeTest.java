package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.internal.LibC;

/** Privilege attacks: setuid binaries, capabilities, mounts, chroot escape, TIOCSTI. */
@Tag("kernel")
class PrivilegeTest {

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void identityIsNobodyWithNoCapabilitiesAndNoNewPrivs(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result ids = run(base().build(), ATTACK, "ids");
            assertTrue(ids.out().contains("uid=65534 euid=65534 gid=65534 egid=65534"), ids.toString());
            Result st = run(base().proc("/proc").build(), ATTACK, "status");
            for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
                assertTrue(st.out().contains(set + ":\t0000000000000000"), set + " not empty: " + st.out());
            }
            assertTrue(st.out().contains("NoNewPrivs:\t1"), st.out());

            Result root = run(base().uid(0).gid(0).build(), ATTACK, "ids");
            assertTrue(root.out().contains("uid=0 euid=0"), root.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void setuidRootBinaryGivesNothing(JailMode mode) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "making a setuid-root binary needs root");
        Path dir = JailTestSupport.worldReadableDir();
        Path suid = dir.resolve("suid-attack");
        Files.copy(JailTestSupport.fixtures().resolve("attack"), suid, StandardCopyOption.REPLACE_EXISTING);
        // java.nio cannot set the setuid bit
        assertEquals(0, new ProcessBuilder("chmod", "4755", suid.toString()).start().waitFor());
        // Control: outside any jail, uid 65534 running it becomes euid 0.
        Process host = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                suid.toString(), "ids").start();
        String hostOut = new String(host.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        host.waitFor();
        assertTrue(hostOut.contains("euid=0"), "the setuid bit works on the host: " + hostOut);
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().readOnly(suid.toString(), "/suid").build(), "/suid", "ids");
            assertTrue(r.out().contains("euid=65534"), "nosuid + no_new_privs + user namespace: " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void mountNeedsACapabilityTheJailDoesNotHave(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            // Without the seccomp layer, so that the capability drop alone is what is tested.
            Result r = run(base().uid(0).gid(0).noSeccomp().build(), ATTACK, "mount", "/tmp");
            assertTrue(r.out().startsWith("DENIED EPERM"), "even uid 0 inside has no CAP_SYS_ADMIN: " + r);
            Result control = run(base().uid(0).gid(0).noSeccomp().keepCapabilities(Capability.SYS_ADMIN).build(),
                    ATTACK, "mount", "/tmp");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void chrootEscapeFindsNoHost(JailMode mode) throws Exception {
        Path marker = JailTestSupport.worldReadableDir().resolve("escape-marker");
        Files.writeString(marker, "host");
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().uid(0).gid(0).noSeccomp().build(), ATTACK, "chroot-escape", marker.toString());
            assertTrue(r.out().startsWith("DENIED EPERM"), "no CAP_SYS_CHROOT: " + r);
            // With CAP_SYS_CHROOT the classic escape runs, but the jail's root is a pivot_root'ed tmpfs
            // whose old root was detached: walking up ends at the jail's own root.
            Result control = run(base().uid(0).gid(0).noSeccomp().keepCapabilities(Capability.SYS_CHROOT).build(), ATTACK,
                    "chroot-escape", marker.toString());
            assertTrue(control.out().startsWith("DENIED ENOENT escape-probe"), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void resourceLimitsHold(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().rlimit(org.sandbox4j.limits.Rlimit.NOFILE, 16).build(), ATTACK, "nofile", "100");
            assertTrue(r.out().startsWith("DENIED EMFILE open #13"), r.toString());
            assertTrue(run(base().build(), ATTACK, "nofile", "100").ok(), "control: no limit");

            Result bomb = run(base().rlimit(org.sandbox4j.limits.Rlimit.NPROC, 20).build(), ATTACK, "forkbomb", "200");
            assertTrue(bomb.out().startsWith("DENIED EAGAIN fork #"), "fork bomb stopped by RLIMIT_NPROC: " + bomb);

            Result mem = run(base().rlimit(org.sandbox4j.limits.Rlimit.AS, 64L << 20).build(), ATTACK, "alloc", "256");
            assertTrue(mem.out().startsWith("DENIED"), "memory bomb stopped by RLIMIT_AS: " + mem);
            assertTrue(run(base().build(), ATTACK, "alloc", "256").ok(), "control");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void newSessionStopsTiocstiInjection(JailMode mode) throws Exception {
        // The pty harness wraps the launcher's start; with the prestarted launcher that is the
        // launcher shared by all jails, not this jail, so the jail would not get the pty as stdin:
        // this test runs with a launcher per jail whatever the default is.
        Path withCtty = WithCtty.binary();
        org.sandbox4j.internal.PrestartedLauncher.setEnabled(false);
        try (AutoCloseable m = WithCtty.activate(mode, withCtty)) {
            Result control = run(base().sameSession().noSeccomp().build(), ATTACK, "tiocsti");
            assertTrue(control.ok(), "control: sharing the caller's session, the jail can inject: " + control);
            Result r = run(base().noSeccomp().build(), ATTACK, "tiocsti");
            assertEquals("DENIED EPERM tiocsti", r.out().trim(), "a new session alone stops it: " + r);
            Result filtered = run(base().sameSession().build(), ATTACK, "tiocsti");
            assertEquals("DENIED EPERM tiocsti", filtered.out().trim(), "the default filter alone stops it: " + filtered);
        } finally {
            org.sandbox4j.internal.PrestartedLauncher.setEnabled(null);
        }
    }
}
