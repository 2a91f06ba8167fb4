package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompViolation;
import org.sandbox4j.seccomp.SyscallRecorder;
import org.sandbox4j.seccomp.Syscalls;

/**
 * The launcher's seccomp supervisor (issue 15): violations named with call, number, arguments and
 * thread; learning a policy from runs that then lets the same run through and refuses one more call.
 */
@Tag("kernel")
class SeccompSupervisorTest {
    private static final int SIGSYS = 31;

    /** A finished jail: its process (violations, exit) and stdout. */
    record Ran(SandboxedProcess p, JailExit exit, String out) {}

    static Ran run(Sandbox s, String... cmd) throws Exception {
        SandboxedProcess p = s.start(cmd);
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (java.io.IOException e) {
                // the jail ended
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jail did not end");
        t.join(10_000);
        return new Ran(p, p.jailExit(), out + (err.size() > 0 ? "\n[stderr] " + err : ""));
    }

    private static String stdout(Ran r) {
        return r.out().split("\n\\[stderr\\]")[0].trim();
    }

    private static int nr(String name) {
        return Syscalls.number(Arch.current(), name).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aKillIsNamedWithCallArgumentsAndPid(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SeccompPolicy kill = SeccompPolicy.builder(SeccompAction.ALLOW).kill("socket").build();
            Ran r = run(base().seccomp(kill).reportViolations(true).build(), ATTACK, "connect", "9");
            assertTrue(r.exit().signaled() && r.exit().signal() == SIGSYS, "still killed by SIGSYS: " + r);
            SeccompViolation v = r.exit().killedBy();
            assertNotNull(v, r.toString());
            assertEquals("socket", v.name());
            assertEquals(nr("socket"), v.nr());
            assertEquals(List.of(2L, 1L, 0L), v.args().subList(0, 3));
            assertTrue(v.pid() > 0, v.toString());
            assertEquals(SeccompAction.KILL_PROCESS, v.action());
            assertEquals("socket(" + nr("socket") + ") [AF_INET, SOCK_STREAM, 0] in pid " + v.pid(), v.describe());
            assertEquals("killed by seccomp: " + v.describe(), r.exit().toString());
            assertEquals(List.of(v), r.p().violations());

            Ran control = run(base().seccomp(kill).build(), ATTACK, "connect", "9");
            assertTrue(control.exit().signaled() && control.exit().signal() == SIGSYS, control.toString());
            assertNull(control.exit().killedBy(), "control: without reporting nothing is named");
            assertTrue(control.p().violations().isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aChildKilledForACallDiesBySigsysAsWithoutTheSupervisor(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SeccompPolicy kill = SeccompPolicy.builder(SeccompAction.ALLOW).kill("socket").build();
            Sandbox.Builder b = base().readOnlySystem().seccomp(kill);
            String[] cmd = {"/bin/sh", "-c", ATTACK + " connect 9; echo \"child: $?\""};
            Ran reported = run(b.reportViolations(true).build(), cmd);
            Ran plain = run(b.reportViolations(false).build(), cmd);
            assertEquals("child: 159", stdout(plain), "control: the kernel's own kill is SIGSYS (128 + 31)");
            assertEquals(stdout(plain), stdout(reported), "the supervisor ends the child the same way");
            assertTrue(reported.out().contains("Bad system call"), reported.out());
            assertEquals(0, reported.exit().code(), "the shell goes on");
            assertEquals("socket", reported.p().violations().get(0).name());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void eachViolationIsAJfrEvent(JailMode mode) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("sb4j-violations", ".jfr");
        try (AutoCloseable m = mode.activate(); jdk.jfr.Recording rec = new jdk.jfr.Recording()) {
            rec.enable("org.sandbox4j.SeccompViolation");
            rec.start();
            SeccompPolicy kill = SeccompPolicy.builder(SeccompAction.ALLOW).kill("socket").build();
            run(base().seccomp(kill).reportViolations(true).build(), ATTACK, "connect", "9");
            run(base().seccomp(kill).build(), ATTACK, "connect", "9"); // control: not reported, no event
            rec.stop();
            rec.dump(file);
            List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file);
            assertEquals(1, events.size(), events.toString());
            jdk.jfr.consumer.RecordedEvent e = events.get(0);
            assertEquals("socket", e.getString("syscall"));
            assertEquals(nr("socket"), e.getInt("number"));
            assertEquals("[AF_INET, SOCK_STREAM, 0]", e.getString("arguments"));
            assertEquals("KILL_PROCESS", e.getString("action"));
            assertTrue(e.getInt("pid") > 0);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aRefusedCallGetsItsErrnoAndIsReported(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SeccompPolicy errno = SeccompPolicy.builder(SeccompAction.ALLOW).errno(1, "uname").build();
            Ran r = run(base().seccomp(errno).reportViolations(true).build(), ATTACK, "hostname");
            assertEquals("DENIED EPERM gethostname", r.out().trim(), r.toString());
            assertFalse(r.exit().signaled());
            assertEquals(1, r.p().violations().size(), r.p().violations().toString());
            SeccompViolation v = r.p().violations().get(0);
            assertEquals("uname", v.name());
            assertEquals(SeccompAction.class.getName() + "$Errno", v.action().getClass().getName());
            assertNull(r.exit().killedBy());
            Ran control = run(base().reportViolations(true).build(), ATTACK, "hostname");
            assertTrue(control.exit().code() == 0 && control.p().violations().isEmpty(), "control: allowed, nothing reported");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aLearnedPolicyRunsTheSameCommandAndRefusesOneMoreCall(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SyscallRecorder rec = new SyscallRecorder();
            Ran learn = run(base().recordSyscalls(rec).build(), ATTACK, "hostname");
            assertEquals(0, learn.exit().code(), learn.toString());
            assertEquals(1, rec.runs());
            assertTrue(rec.syscalls().contains("execve") && rec.syscalls().contains("uname"), rec.syscalls().toString());
            assertFalse(rec.syscalls().contains("socket"), "the launcher's own calls are not learned");
            String text = rec.policyText();
            assertTrue(text.contains("USE learned DEFAULT KILL"), text);
            SeccompPolicy learned = rec.policy();

            Ran again = run(base().seccomp(learned).reportViolations(true).build(), ATTACK, "hostname");
            assertEquals(0, again.exit().code(), again + "\n" + text);
            assertTrue(again.p().violations().isEmpty(), again.p().violations().toString());

            Ran more = run(base().seccomp(learned).reportViolations(true).build(), ATTACK, "connect", "9");
            assertTrue(more.exit().signaled() && more.exit().signal() == SIGSYS, more + "\n" + text);
            assertEquals("socket", more.exit().killedBy().name(), more.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void learningLsMergesRunsWithArgumentFacts(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SyscallRecorder rec = new SyscallRecorder();
            Sandbox.Builder b = Sandbox.builder().readOnlySystem();
            assertEquals(0, run(b.recordSyscalls(rec).build(), "/bin/ls", "/").exit().code());
            assertEquals(0, run(b.recordSyscalls(rec).build(), "/bin/ls", "-l", "/usr").exit().code());
            assertEquals(2, rec.runs());
            assertTrue(rec.count("execve") >= 2, rec.policyText());
            Sandbox strict = b.recordSyscalls(null).seccomp(rec.policy()).reportViolations(true).build();
            Ran r = run(strict, "/bin/ls", "-l", "/usr");
            assertEquals(0, r.exit().code(), r + "\n" + rec.policyText() + "\n" + r.p().violations());
            assertTrue(r.p().violations().isEmpty(), r.p().violations().toString());
        }
    }
}
