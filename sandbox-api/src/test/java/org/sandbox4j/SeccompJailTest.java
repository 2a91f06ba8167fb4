package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompPolicy;

/** Seccomp inside jails: the default deny list, custom policies, the x32 and i386 bypasses. */
@Tag("kernel")
class SeccompJailTest {
    private static final int SIGSYS = 31;

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void defaultFilterBlocksMountEvenWithTheCapability(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox.Builder b = base().uid(0).gid(0).keepCapabilities(Capability.SYS_ADMIN);
            Result r = run(b.build(), ATTACK, "mount", "/tmp");
            assertEquals("DENIED EPERM mount", r.out().trim(), r.toString());
            assertTrue(run(b.noSeccomp().build(), ATTACK, "mount", "/tmp").ok(), "control: no filter");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void defaultFilterBlocksNewNamespaces(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "unshare");
            assertEquals("DENIED EPERM unshare", r.out().trim(), r.toString());
            Result control = run(base().noSeccomp().build(), ATTACK, "unshare");
            assertTrue(control.ok(), "control: a nested user namespace is otherwise allowed: " + control);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void policyErrnoAndKillActionsApply(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            assertTrue(run(base().build(), ATTACK, "hostname").ok(), "control: uname allowed by default");
            SeccompPolicy errno = SeccompPolicy.builder(SeccompAction.ALLOW).errno(1, "uname").build();
            Result denied = run(base().seccomp(errno).build(), ATTACK, "hostname");
            assertEquals("DENIED EPERM gethostname", denied.out().trim(), denied.toString());

            SeccompPolicy kill = SeccompPolicy.builder(SeccompAction.ALLOW).kill("uname").build();
            Result killed = run(base().seccomp(kill).build(), ATTACK, "hostname");
            assertTrue(killed.exit().signaled() && killed.exit().signal() == SIGSYS, killed.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void x32AndI386BypassesAreKilled(JailMode mode) throws Exception {
        assumeTrue(Arch.current() == Arch.X86_64, "x32 and i386 exist on x86_64 only");
        try (AutoCloseable m = mode.activate()) {
            Result i386 = run(base().build(), ATTACK, "i386");
            assertTrue(i386.exit().signaled() && i386.exit().signal() == SIGSYS, i386.toString());
            Result x32 = run(base().build(), ATTACK, "x32");
            assertTrue(x32.exit().signaled() && x32.exit().signal() == SIGSYS, x32.toString());
            Result control = run(base().noSeccomp().build(), ATTACK, "i386");
            assertTrue(control.ok(), "control: without a filter the i386 entry point works on this kernel: " + control);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void precompiledProfilesApplyInJails(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox parser = base().seccompProfile("DOCUMENT_PARSER").build();
            Result r = run(parser, ATTACK, "read", "/t/attack");
            assertTrue(r.ok(), "files may be read under DOCUMENT_PARSER: " + r);
            Result net = run(parser, ATTACK, "connect", "1");
            assertEquals("DENIED EPERM socket", net.out().trim(), "no sockets under DOCUMENT_PARSER: " + net);
            Result control = run(base().build(), ATTACK, "connect", "1");
            assertEquals("DENIED ECONNREFUSED connect", control.out().trim(), "control: sockets work by default");
        }
    }

    @org.junit.jupiter.api.Test
    void aFilterThatForbidsExecveIsRefusedAtBuild() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Sandbox.builder().seccompProfile("STDIO_ONLY"));
        assertTrue(e.getMessage().startsWith("seccomp profile STDIO_ONLY answers execve with KILL_PROCESS"), e.getMessage());
        SeccompPolicy noExec = SeccompPolicy.builder(SeccompAction.ALLOW).errno(1, "execve").build();
        assertThrows(IllegalArgumentException.class, () -> Sandbox.builder().seccomp(noExec));
    }
}
