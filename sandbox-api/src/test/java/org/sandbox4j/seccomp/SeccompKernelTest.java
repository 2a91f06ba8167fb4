package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

/**
 * Compiled filters installed in the real kernel (by {@code src/test/c/seccomp_exec.c} or by the
 * attacker itself) do what the interpreter says: errno returned, SIGSYS kills, x32 and i386 calls
 * killed on x86_64, profiles run real programs.
 */
@Tag("kernel")
class SeccompKernelTest {
    private static final int SIGSYS_EXIT = 128 + 31;
    private static Path exec;
    private static Path attacker;
    private static Arch arch;

    @BeforeAll
    static void build() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "needs Linux");
        assumeTrue(Files.readString(Path.of("/proc/self/status")).contains("Seccomp:"), "kernel without seccomp");
        List<String> why = new ArrayList<>();
        Optional<Path> e = NativeHarness.build("seccomp_exec", why);
        Optional<Path> a = NativeHarness.build("seccomp_attacker", why, "-pthread");
        assumeTrue(e.isPresent() && a.isPresent(), () -> "cannot build the C helpers: " + why);
        exec = e.get();
        attacker = a.get();
        arch = Arch.current();
    }

    private static Path write(SeccompProgram p) throws IOException {
        Path f = Files.createTempFile("filter", ".bpf");
        f.toFile().deleteOnExit();
        Files.write(f, p.toBytes());
        return f;
    }

    private static NativeHarness.Result under(SeccompProgram p, String... cmd) throws IOException {
        List<String> c = new ArrayList<>(List.of(exec.toString(), write(p).toString()));
        c.addAll(List.of(cmd));
        return NativeHarness.run(c, null, 60);
    }

    private static NativeHarness.Result attack(SeccompProgram p, String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(attacker.toString(), "--filter", write(p).toString()));
        c.addAll(List.of(args));
        return NativeHarness.run(c, null, 60);
    }

    private static String nr(String name) {
        return Integer.toString(Syscalls.number(arch, name).getAsInt());
    }

    @Test
    void errnoActionReturnsTheErrno() throws IOException {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.ALLOW).errno(13, "getppid").build().compile(arch);
        NativeHarness.Result r = under(p, attacker.toString(), "syscall", nr("getppid"));
        assertEquals("ret -1 errno 13", r.out().trim(), r.err());
        r = under(p, attacker.toString(), "syscall", nr("getpid"));
        assertTrue(r.out().startsWith("ret ") && !r.out().contains("errno 13"), r.out());
    }

    @Test
    void killActionKillsWithSigsys() throws IOException {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.ALLOW).kill("getppid").build().compile(arch);
        NativeHarness.Result r = under(p, attacker.toString(), "syscall", nr("getppid"));
        assertEquals(SIGSYS_EXIT, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
    }

    @Test
    void argumentConditionsHoldInTheKernel() throws IOException {
        // getpriority(which, who): allowed only for which == PRIO_PROCESS (0)
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.ALLOW)
                .rule("getpriority", SeccompAction.errno(22), ArgCondition.ne(0, 0)).build().compile(arch);
        assertEquals("ret -1 errno 22", under(p, attacker.toString(), "syscall", nr("getpriority"), "1", "0").out().trim());
        assertTrue(under(p, attacker.toString(), "syscall", nr("getpriority"), "0", "0").out().contains("errno 0"));
    }

    @Test
    void twoSidedConditionsHoldInTheKernel() throws IOException {
        // conditions over two arguments use X, scratch memory and ALU instructions: the kernel's
        // checker takes them and decides as the interpreter does, over all 64 bits
        SeccompProgram p = SeccompPolicy.parse("ERRNO(22) { getpriority(which, who) { which != who },"
                + " getpriority(which, who) { (which & who) >= 0x100000000 } } DEFAULT ALLOW").compile(arch);
        String gp = nr("getpriority");
        assertEquals("ret -1 errno 22", under(p, attacker.toString(), "syscall", gp, "0", "1").out().trim());
        assertEquals("ret -1 errno 22", under(p, attacker.toString(), "syscall", gp, "0x100000000", "0x300000000").out().trim());
        assertEquals("ret -1 errno 22", under(p, attacker.toString(), "syscall", gp, "0", "0x100000000").out().trim());
        assertTrue(under(p, attacker.toString(), "syscall", gp, "0", "0").out().contains("errno 0"));
        // control: without the filter the refused call is not answered with EINVAL
        NativeHarness.Result free = NativeHarness.run(List.of(attacker.toString(), "syscall", gp, "0", "1"), null, 60);
        assertTrue(free.out().startsWith("ret ") && !free.out().contains("errno 22"), free.out());
    }

    @Test
    void aRuleForMinusOneDecidesTheSkippedCallInTheKernel() throws IOException {
        // syscall(-1) is what a tracer's skipped call shows the filter; the kernel answers ENOSYS
        SeccompProgram p = SeccompPolicy.parse("ERRNO(5) { SYSCALL[-1] } DEFAULT ALLOW").compile(arch);
        assertEquals("ret -1 errno 5", under(p, attacker.toString(), "syscall", "-1").out().trim());
        assertEquals("ret -1 errno 38", NativeHarness.run(List.of(attacker.toString(), "syscall", "-1"), null, 60)
                .out().trim(), "control: without the filter");
        assertTrue(under(p, attacker.toString(), "syscall", nr("getppid")).out().contains("errno 0"));
    }

    @Test
    void x32AbiIsKilled() throws IOException {
        assumeTrue(arch == Arch.X86_64, "x86_64 only");
        NativeHarness.Result r = attack(SeccompPolicies.defaultDenyList().compile(arch), "x32");
        assertEquals(SIGSYS_EXIT, r.exit(), r.out() + r.err());
    }

    @Test
    void i386AbiIsKilled() throws IOException {
        assumeTrue(arch == Arch.X86_64, "x86_64 only");
        NativeHarness.Result free = NativeHarness.run(List.of(attacker.toString(), "i386"), null, 60);
        NativeHarness.Result r = attack(SeccompPolicies.defaultDenyList().compile(arch), "i386");
        assertEquals(SIGSYS_EXIT, r.exit(), "without a filter: " + free.out() + "; with: " + r.out() + r.err());
    }

    @Test
    void denyListRunsOrdinaryProgramsAndDeniesUnshare() throws IOException {
        SeccompProgram p = SeccompPolicies.defaultDenyList().compile(arch);
        assertEquals(0, under(p, "/bin/sh", "-c", "ls / >/dev/null && cat /proc/self/status >/dev/null").exit());
        assertEquals("ret -1 errno 1", under(p, attacker.toString(), "syscall", nr("unshare"), "0x10000000").out().trim());
        assertEquals("ret 0 errno 0", under(p, attacker.toString(), "thread").out().trim());
    }

    @Test
    void lockdownNoExecStopsProcessesButNotThreads() throws IOException {
        SeccompProgram p = SeccompProfiles.get(SeccompProfiles.LOCKDOWN_NO_EXEC, arch);
        assertEquals("ret 0 errno 0", attack(p, "thread").out().trim());
        assertEquals("ret -1 errno 1", attack(p, "fork").out().trim());
        assertEquals("ret -1 errno 1", attack(p, "exec").out().trim());
        assertEquals("exec errno 1", under(p, "/bin/true").out().trim());
    }

    @Test
    void profilesRunTheirPrograms() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        NativeHarness.Result r = under(SeccompProfiles.get(SeccompProfiles.JVM_WORKER, arch), java, "-Xshare:auto", "-version");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(0, under(SeccompProfiles.get(SeccompProfiles.DOCUMENT_PARSER, arch), "/bin/cat", "/etc/hostname").exit());
        assertEquals(0, under(SeccompProfiles.get(SeccompProfiles.NETWORK_CLIENT, arch), "/bin/cat", "/etc/hostname").exit());
        assertEquals("ret -1 errno 1", under(SeccompProfiles.get(SeccompProfiles.DOCUMENT_PARSER, arch),
                attacker.toString(), "syscall", nr("socket"), "2", "1", "0").out().trim());
    }

    @Test
    void stdioOnlyKillsAnythingElse() throws IOException {
        SeccompProgram p = SeccompProfiles.get(SeccompProfiles.STDIO_ONLY, arch);
        assertTrue(attack(p, "syscall", nr("getpid")).out().startsWith("ret "));
        assertEquals(SIGSYS_EXIT, attack(p, "syscall", nr("getppid")).exit());
    }
}
