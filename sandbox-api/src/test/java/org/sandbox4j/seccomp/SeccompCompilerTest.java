package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

@Tag("unit")
class SeccompCompilerTest {
    private static final Arch X86 = Arch.X86_64;

    private static SeccompAction run(SeccompProgram p, int nr, long... args) {
        return BpfInterpreter.run(p, SeccompData.of(p.arch(), nr, args)).action();
    }

    private static int nr(Arch a, String name) {
        return Syscalls.number(a, name).getAsInt();
    }

    @Test
    void actionsHaveTheKernelValues() {
        assertEquals(0x7fff0000, SeccompAction.ALLOW.toKernelValue());
        assertEquals(0x80000000, SeccompAction.KILL_PROCESS.toKernelValue());
        assertEquals(0, SeccompAction.KILL_THREAD.toKernelValue());
        assertEquals(0x00030000, SeccompAction.TRAP.toKernelValue());
        assertEquals(0x7ffc0000, SeccompAction.LOG.toKernelValue());
        assertEquals(0x7fc00000, SeccompAction.USER_NOTIF.toKernelValue());
        assertEquals(0x00050026, SeccompAction.ERRNO(38).toKernelValue());
        assertEquals(0x7ff00007, SeccompAction.TRACE(7).toKernelValue());
        assertEquals(SeccompAction.errno(13), SeccompAction.fromKernelValue(0x0005000d));
        assertThrows(IllegalArgumentException.class, () -> SeccompAction.errno(4096));
    }

    @Test
    void allowListAllowsListedAndKillsTheRest() {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS).allow("read", "write").build().compile(X86);
        assertEquals(SeccompAction.ALLOW, run(p, 0));
        assertEquals(SeccompAction.ALLOW, run(p, 1));
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 2));
        assertEquals(SeccompAction.errno(38), run(p, 1000), "above the table: ENOSYS");
    }

    @Test
    void numbersAboveTheTableGetEnosysWhateverTheDefault() {
        SeccompAction enosys = SeccompAction.errno(38);
        for (Arch a : Arch.values()) {
            int top = SyscallTable.of(a).maxNumber();
            for (SeccompAction dflt : List.of(SeccompAction.ALLOW, SeccompAction.KILL_PROCESS,
                    SeccompAction.errno(1), SeccompAction.LOG, SeccompAction.TRAP)) {
                SeccompPolicy policy = SeccompPolicy.builder(dflt).allow("read")
                        .rule(Integer.toString(top + 10), SeccompAction.errno(13))
                        .rule(Integer.toString(top + 20), SeccompAction.ALLOW, ArgCondition.eq(0, 7))
                        .build();
                SeccompProgram p = policy.compile(a);
                String what = a + " default " + dflt;
                assertEquals(dflt, run(p, top), what + ": the table's last call is not above it");
                for (int nr : new int[] {top + 1, top + 9, top + 11, 500, 1000, 0x3fffffff}) {
                    assertEquals(enosys, run(p, nr), what + " nr " + nr);
                }
                assertEquals(SeccompAction.errno(13), run(p, top + 10), what + ": a rule naming the number decides");
                assertEquals(SeccompAction.ALLOW, run(p, top + 20, 7), what);
                assertEquals(enosys, run(p, top + 20, 8), what + ": its conditions fall back to ENOSYS");
                assertEquals(dflt, run(p, -1), what + ": a tracer's skip (-1) gets the default");
                assertEquals(a == X86 ? SeccompAction.KILL_PROCESS : enosys, run(p, 0x40000000), what);
            }
        }
    }

    /** A filter compiled from a table older than the kernel refuses the kernel's newer calls. */
    @Test
    void aTableOlderThanTheKernelStillRefusesItsNewCalls() {
        for (Arch a : Arch.values()) {
            SeccompProgram old = OlderTables.compile(SeccompPolicies.defaultDenyList(), a, 450); // 6.1's
            SeccompProgram now = SeccompPolicies.defaultDenyList().compile(a);
            assertEquals(SeccompAction.errno(38), run(old, nr(a, "file_getattr")));
            assertEquals(SeccompAction.ALLOW, run(now, nr(a, "file_getattr")));
            assertEquals(SeccompAction.errno(38), run(old, nr(a, "open_tree_attr")), "unknown to that table");
            assertEquals(SeccompAction.errno(1), run(now, nr(a, "open_tree_attr")));
            assertEquals(SeccompAction.ALLOW, run(old, nr(a, "set_mempolicy_home_node")), "450 is in it");
            assertEquals(SeccompAction.errno(1), run(old, nr(a, "mount")));
        }
    }

    @Test
    void foreignArchitectureIsKilledUnlessAllowed() {
        SeccompPolicy policy = SeccompPolicy.builder(SeccompAction.ALLOW).errno(1, "getpid").build();
        SeccompProgram p = policy.compile(X86);
        SeccompData arm = SeccompData.of(Arch.AARCH64, 172);
        assertEquals(SeccompAction.KILL_PROCESS, BpfInterpreter.run(p, arm).action());
        SeccompData i386 = new SeccompData(20, 0x40000003, 0, new long[0]);
        assertEquals(SeccompAction.KILL_PROCESS, BpfInterpreter.run(p, i386).action());

        SeccompProgram both = policy.toBuilder().allowArch(Arch.AARCH64).build().compile(X86);
        assertEquals(SeccompAction.errno(1), BpfInterpreter.run(both, arm).action(), "arm64 getpid is 172");
        assertEquals(SeccompAction.errno(1), run(both, 39), "x86_64 getpid is 39");
        assertEquals(SeccompAction.ALLOW, BpfInterpreter.run(both, SeccompData.of(Arch.AARCH64, 39)).action());
    }

    @Test
    void x32NumbersAreKilledEvenWhenTheDefaultAllows() {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.ALLOW).build().compile(X86);
        assertEquals(SeccompAction.ALLOW, run(p, 39));
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 0x40000000 | 39));
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 0x80000000));
        assertEquals(SeccompAction.ALLOW, run(p, -1), "nr -1 (a tracer's skip) gets the default");
        SeccompProgram arm = SeccompPolicy.builder(SeccompAction.ALLOW).build().compile(Arch.AARCH64);
        assertEquals(SeccompAction.errno(38), run(arm, 0x40000000 | 39), "no x32 ABI on arm64: above the table");
    }

    @Test
    void rulesOfOneSyscallAreTriedInOrder() {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS)
                .rule("write", SeccompAction.ALLOW, ArgCondition.eq(0, 1))
                .rule("write", SeccompAction.errno(9), ArgCondition.lt(2, 4096))
                .rule("write", SeccompAction.LOG)
                .rule("write", SeccompAction.TRAP) // unreachable
                .build().compile(X86);
        assertEquals(SeccompAction.ALLOW, run(p, 1, 1, 0, 1_000_000));
        assertEquals(SeccompAction.errno(9), run(p, 1, 2, 0, 100));
        assertEquals(SeccompAction.LOG, run(p, 1, 2, 0, 5000));
    }

    @Test
    void comparisonsAreUnsigned64Bit() {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS)
                .rule("read", SeccompAction.ALLOW, ArgCondition.lt(2, 4096))
                .rule("write", SeccompAction.ALLOW, ArgCondition.eq(0, -1))
                .rule("close", SeccompAction.ALLOW, ArgCondition.eq(0, 0xffffffffL))
                .rule("lseek", SeccompAction.ALLOW, ArgCondition.gt(1, 0xffffffffL))
                .build().compile(X86);
        assertEquals(SeccompAction.ALLOW, run(p, 0, 0, 0, 4095));
        // A "negative" count is a huge unsigned value: not below 4096.
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 0, 0, 0, -1));
        // The high word decides first: 2^32 + 1 is not below 4096.
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 0, 0, 0, 0x100000001L));
        // An int fd of -1 reaches the kernel sign-extended: eq(0, -1) matches it, eq(0, 0xffffffff) does not.
        assertEquals(SeccompAction.ALLOW, run(p, 1, -1L));
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 1, 0xffffffffL));
        assertEquals(SeccompAction.ALLOW, run(p, 3, 0xffffffffL));
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 3, -1L));
        assertEquals(SeccompAction.ALLOW, run(p, 8, 0, 0x100000000L));
        assertEquals(SeccompAction.KILL_PROCESS, run(p, 8, 0, 0xffffffffL));
    }

    @Test
    void ioctlRequestIsComparedOnItsLow32BitsLikeTheKernelReadsIt() {
        SeccompProgram p = SeccompPolicies.defaultDenyList().compile(X86);
        int ioctl = nr(X86, "ioctl");
        assertEquals(SeccompAction.errno(1), run(p, ioctl, 0, 0x5412));
        assertEquals(SeccompAction.errno(1), run(p, ioctl, 0, 0x100005412L), "upper bits set");
        assertEquals(SeccompAction.errno(1), run(p, ioctl, 0, 0x541C));
        assertEquals(SeccompAction.ALLOW, run(p, ioctl, 0, 0x5401));
    }

    @Test
    void maskedValueOutsideTheMaskIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ArgCondition.maskedEq(0, 0xff, 0x100));
    }

    @Test
    void longJumpsAreInserted() {
        SeccompPolicy.Builder b = SeccompPolicy.builder(SeccompAction.KILL_PROCESS);
        List<String> names = List.copyOf(SyscallTable.of(X86).entries().keySet());
        for (int i = 0; i < 120; i++) {
            b.rule(names.get(i), SeccompAction.ALLOW, ArgCondition.eq(0, i), ArgCondition.ne(1, 7));
        }
        SeccompPolicy policy = b.build();
        SeccompProgram p = policy.compile(X86);
        assertTrue(p.length() > 600, "program of " + p.length());
        assertTrue(p.disassemble().contains(" ja "), "no long jump in\n" + p.disassemble());
        for (int i = 0; i < 120; i++) {
            int nr = nr(X86, names.get(i));
            assertEquals(SeccompAction.ALLOW, run(p, nr, i, 0));
            assertEquals(SeccompAction.KILL_PROCESS, run(p, nr, i, 7));
            assertEquals(SeccompAction.KILL_PROCESS, run(p, nr, i + 1, 0));
        }
    }

    @Test
    void identicalActionsShareOneReturn() {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS)
                .allow("read", "write", "close", "mmap", "brk", "exit_group").errno(1, "open", "socket")
                .build().compile(X86);
        long rets = p.disassemble().lines().filter(l -> l.contains("ret #")).count();
        assertEquals(4, rets, p.disassemble()); // ALLOW, KILL, EPERM, and ENOSYS above the table
    }

    @Test
    void syscallsMissingOnAnArchAreSkippedAndReported() {
        SeccompPolicy policy = SeccompPolicy.builder(SeccompAction.KILL_PROCESS).allow("open", "openat", "fork").build();
        assertEquals(List.of("open", "fork"), policy.compile(Arch.AARCH64).skippedSyscalls());
        assertEquals(List.of(), policy.compile(X86).skippedSyscalls());
    }

    @Test
    void unknownNamesListTheClosest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompPolicy.builder(SeccompAction.ALLOW).allow("opn"));
        assertTrue(e.getMessage().contains("open"), e.getMessage());
    }

    @Test
    void aliasesAndNumbersAreAccepted() {
        assertEquals("fstat", Syscalls.canonical("newfstat"));
        assertEquals("pread64", Syscalls.canonical("pread"));
        assertEquals("newfstatat", Syscalls.canonical("fstatat64"));
        assertEquals(17, Syscalls.number(X86, "pread").getAsInt());
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS).allow("newstat", "59").build().compile(X86);
        assertEquals(SeccompAction.ALLOW, run(p, 4));
        assertEquals(SeccompAction.ALLOW, run(p, 59));
    }

    @Test
    void programsRoundTripThroughBytesAndDisassemble() {
        SeccompProgram p = SeccompPolicies.defaultDenyList().compile(X86);
        SeccompProgram q = SeccompProgram.fromBytes(X86, p.toBytes());
        assertEquals(p, q);
        assertEquals(p.length() * 8, p.toBytes().length);
        String dis = p.disassemble();
        assertTrue(dis.contains("AUDIT_ARCH_X86_64") && dis.contains("ERRNO(1)"), dis);
        assertThrows(IllegalArgumentException.class, () -> SeccompProgram.fromBytes(X86, new byte[7]));
    }

    @Test
    void interpreterCountsInstructions() {
        SeccompProgram p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS).allow("read").build().compile(X86);
        // ld arch, jeq, ld nr, jeq read, ret
        assertEquals(5, BpfInterpreter.run(p, SeccompData.of(X86, 0)).instructions(), p.disassemble());
    }
}
