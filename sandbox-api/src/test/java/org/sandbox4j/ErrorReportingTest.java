package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;

/** Setup failures: a typed exception naming step, path, errno and builder call; nothing left behind. */
@Tag("kernel")
class ErrorReportingTest {

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void missingBindSourceNamesTheCall(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxSetupException e = assertThrows(SandboxSetupException.class,
                    () -> base().readOnly("/nonexistent", "/data").build().start(ATTACK, "exit", "0"));
            assertEquals(SetupStep.BIND, e.step());
            assertEquals("ENOENT", e.errnoName());
            assertEquals("readOnly(\"/nonexistent\", \"/data\")", e.builderCall());
            assertEquals("bind mount /nonexistent -> /data: ENOENT (No such file or directory), open bind source"
                    + " [readOnly(\"/nonexistent\", \"/data\")]", e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void optionalBindSourceMaySkip(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox s = base().readOnlyIfExists("/nonexistent").build();
            assertEquals(0, JailTestSupport.run(s, ATTACK, "exit", "0").exit().code());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void missingProgramIsAnExecError(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> base().build().start("/no/such/program"));
            assertEquals(SetupStep.EXECVE, e.step());
            assertEquals("ENOENT", e.errnoName());
            assertTrue(e.getMessage().contains("/no/such/program"), e.getMessage());
            assertNotNull(e.hint());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void bareProgramNameIsFoundInTheJailsPath(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox s = base().env("PATH", "/nowhere:/t").build();
            assertEquals(5, JailTestSupport.run(s, "attack", "exit", "5").exit().code());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void failuresLeaveNothingBehind(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox bad = base().readOnly("/nonexistent", "/data").build();
            bad.start(ATTACK, "exit", "0").getClass(); // never reached
        } catch (SandboxSetupException expected) {
            // warm-up: the reaper thread and the lifeline exist from here on
        }
        int fds = HostProcesses.openFds();
        try (AutoCloseable m = mode.activate()) {
            Sandbox bad = base().readOnly("/nonexistent", "/data").build();
            for (int i = 0; i < 50; i++) {
                assertThrows(SandboxSetupException.class, () -> bad.start(ATTACK, "exit", "0"));
            }
        }
        assertEquals(fds, HostProcesses.openFds(), "fds leaked by failed starts");
        assertEquals(java.util.List.of(), HostProcesses.zombieChildren());
        assertEquals(0, HostProcesses.runningChildren(), "no launcher left running");
    }

    @Test
    void disabledUserNamespacesAreExplained() throws Exception {
        // The launcher runs in a user namespace whose user.max_user_namespaces is 0: the kernel then
        // refuses the jail's user namespace with ENOSPC, as on a host where they are disabled. (The
        // host's own sysctl is left alone; that would need CAP_SYS_RESOURCE and affect everything.)
        AutoCloseable prefix = JailTestSupport.throughPrefix(java.util.List.of("/usr/bin/unshare", "-Ur", "/bin/sh", "-c",
                "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\""),
                JailTestSupport.fixtures().resolve("launcher"));
        try {
            SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> base().build().start(ATTACK, "exit", "0"));
            assertEquals(SetupStep.CLONE, e.step());
            assertEquals("ENOSPC", e.errnoName());
            assertNotNull(e.hint(), e.getMessage());
            assertTrue(e.hint().contains("user.max_user_namespaces"), e.getMessage());
        } finally {
            prefix.close();
        }
    }
}
