package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

/** The learned policy's text and decisions, from recorded calls (no kernel). */
@Tag("unit")
class SyscallRecorderTest {
    private static final int X86 = Arch.X86_64.auditArch();

    private static int nr(Arch a, String name) {
        return Syscalls.number(a, name).orElseThrow();
    }

    private static SeccompAction decide(SeccompPolicy p, Arch a, String name, long... args) {
        return BpfInterpreter.run(p.compile(a), SeccompData.of(a, nr(a, name), args)).action();
    }

    @Test
    void allowsExactlyWhatWasSeenWithTheArgumentFacts() {
        SyscallRecorder r = new SyscallRecorder();
        r.record(X86, nr(Arch.X86_64, "read"), new long[6], 10, "cat");
        r.record(X86, nr(Arch.X86_64, "socket"), new long[] {1, 0x80001, 0, 0, 0, 0}, 2, "cat");
        r.record(X86, nr(Arch.X86_64, "ioctl"), new long[] {1, 0x5401, 0, 0, 0, 0}, 1, "cat");
        r.runEnded(0);
        r.record(X86, nr(Arch.X86_64, "read"), new long[6], 5, "cat");
        r.runEnded(0);
        assertEquals(2, r.runs());
        assertEquals(15, r.count("read"));
        SeccompPolicy p = r.policy();
        String text = r.policyText();
        assertTrue(text.contains("// read: 15 calls by cat") && text.contains("USE learned DEFAULT KILL"), text);
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.X86_64, "read", 3));
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.X86_64, "socket", 1, 0x80001, 0));
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, Arch.X86_64, "socket", 2, 1, 0), "another family");
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.X86_64, "ioctl", 9, 0x5401));
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, Arch.X86_64, "ioctl", 1, 0x5412), "TIOCSTI was not seen");
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, Arch.X86_64, "write", 1));
    }

    @Test
    void x86OnlyCallsGetTheirAarch64EquivalentsAndCloneCoversClone3() {
        SyscallRecorder r = new SyscallRecorder().defaultAction(new SeccompAction.Errno(1));
        for (String n : new String[] {"open", "stat", "execve", "exit_group", "arch_prctl", "clone3"}) {
            r.record(X86, nr(Arch.X86_64, n), new long[6], 1, "p");
        }
        r.runEnded(0);
        SeccompPolicy p = r.policy();
        String text = r.policyText();
        assertTrue(text.contains("USE learned DEFAULT ERRNO(1)"), text);
        assertTrue(text.contains("open (x86_64 only): openat on aarch64"), text);
        assertTrue(text.contains("arch_prctl is x86_64-only"), text);
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.AARCH64, "openat", 0, 0, 0));
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.AARCH64, "newfstatat"));
        // aarch64's glibc starts threads with clone: clone3 can do all clone can, so clone is allowed
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.AARCH64, "clone", 0x3d0f00));
        assertEquals(new SeccompAction.Errno(1), decide(p, Arch.AARCH64, "socket", 2, 1, 0));
    }

    @Test
    void cloneWithoutClone3LetsGlibcFallBack() {
        SyscallRecorder r = new SyscallRecorder();
        r.record(X86, nr(Arch.X86_64, "clone"), new long[] {0x3d0f00, 0, 0, 0, 0, 0}, 3, "p");
        r.runEnded(0);
        SeccompPolicy p = r.policy();
        assertEquals(new SeccompAction.Errno(38), decide(p, Arch.X86_64, "clone3"), r.policyText());
        assertEquals(SeccompAction.ALLOW, decide(p, Arch.X86_64, "clone", 0x3d0f00));
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, Arch.X86_64, "clone", 0x10000000), "CLONE_NEWUSER not seen");
    }
}
