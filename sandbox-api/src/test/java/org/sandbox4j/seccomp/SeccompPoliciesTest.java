package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

@Tag("unit")
class SeccompPoliciesTest {
    private static SeccompAction decide(SeccompProgram p, String name, long... args) {
        return BpfInterpreter.run(p, SeccompData.of(p.arch(), Syscalls.number(p.arch(), name).getAsInt(), args)).action();
    }

    @Test
    void everyProfileResourceEqualsAFreshCompilation() {
        for (String name : SeccompProfiles.names()) {
            for (Arch a : Arch.values()) {
                assertArrayEquals(SeccompProfiles.policy(name).compile(a).toBytes(),
                        SeccompProfiles.get(name, a).toBytes(),
                        name + "-" + a + " is stale: run SeccompProfiles.main from sandbox-api");
            }
        }
    }

    @Test
    void unknownProfileIsNamed() {
        assertThrows(IllegalArgumentException.class, () -> SeccompProfiles.get("NOPE", Arch.X86_64));
    }

    @Test
    void denyListDeniesTheAttackSurface() {
        for (Arch a : Arch.values()) {
            SeccompProgram p = SeccompPolicies.defaultDenyList().compile(a);
            for (String s : new String[] {"bpf", "mount", "unshare", "setns", "ptrace", "keyctl",
                "io_uring_setup", "perf_event_open", "userfaultfd", "kexec_load", "init_module",
                "open_by_handle_at", "reboot", "settimeofday", "fsopen", "move_mount",
                "open_tree_attr", "listmount", "statmount", "process_madvise", "process_mrelease",
                "lsm_set_self_attr"}) {
                assertEquals(SeccompAction.errno(1), decide(p, s), s + " on " + a);
            }
            assertEquals(SeccompAction.errno(38), decide(p, "clone3"));
            assertEquals(SeccompAction.ALLOW, decide(p, "clone", 0x003d0f00)); // pthread_create's flags
            assertEquals(SeccompAction.errno(1), decide(p, "clone", 0x10000000 | 17)); // CLONE_NEWUSER
            assertEquals(SeccompAction.ALLOW, decide(p, "personality", 0));
            assertEquals(SeccompAction.ALLOW, decide(p, "personality", 0xffffffffL));
            assertEquals(SeccompAction.errno(1), decide(p, "personality", 0x0040000)); // READ_IMPLIES_EXEC
            assertEquals(SeccompAction.ALLOW, decide(p, "read"));
            assertEquals(SeccompAction.ALLOW, decide(p, "execve"));
        }
    }

    /** Every profile and the deny list, precompiled: a call newer than the table never runs. */
    @Test
    void everyProfileAnswersNumbersAboveTheTableWithEnosys() {
        for (String name : SeccompProfiles.names()) {
            for (Arch a : Arch.values()) {
                SeccompProgram p = SeccompProfiles.get(name, a);
                int top = SyscallTable.of(a).maxNumber();
                for (int nr : new int[] {top + 1, 500, 1000, 0x3fffffff}) {
                    assertEquals(SeccompAction.errno(38),
                            BpfInterpreter.run(p, SeccompData.of(a, nr)).action(), name + "-" + a + " nr " + nr);
                }
            }
        }
    }

    /** The calls since 5.0 that programs of each group use are in the groups, on both arches. */
    @Test
    void profilesKeepTheNewerCallsTheirProgramsUse() {
        for (Arch a : Arch.values()) {
            SeccompProgram parser = SeccompProfiles.get(SeccompProfiles.DOCUMENT_PARSER, a);
            for (String s : new String[] {"fchmodat2", "futex_wait", "futex_wake", "futex_requeue",
                "getxattrat", "setxattrat", "file_getattr", "mseal", "close_range", "openat2"}) {
                assertEquals(SeccompAction.ALLOW, decide(parser, s), s + " on " + a);
            }
            for (String s : new String[] {"open_tree_attr", "listmount", "statmount", "io_uring_setup"}) {
                assertEquals(SeccompAction.errno(1), decide(parser, s), s + " on " + a);
            }
        }
    }

    @Test
    void lockdownNoExecAllowsThreadsButNoProcesses() {
        for (Arch a : Arch.values()) {
            SeccompProgram p = SeccompProfiles.get(SeccompProfiles.LOCKDOWN_NO_EXEC, a);
            assertEquals(SeccompAction.errno(1), decide(p, "execve"));
            assertEquals(SeccompAction.errno(1), decide(p, "execveat"));
            assertEquals(SeccompAction.ALLOW, decide(p, "clone", 0x003d0f00));
            assertEquals(SeccompAction.errno(1), decide(p, "clone", 17)); // fork(): SIGCHLD only
            assertEquals(SeccompAction.errno(1), decide(p, "clone", 0x003d0f00 | 0x20000000)); // + NEWPID
            assertEquals(SeccompAction.errno(38), decide(p, "clone3"));
            assertEquals(SeccompAction.errno(1), decide(p, "bpf"));
            assertEquals(SeccompAction.ALLOW, decide(p, "socket"));
        }
        assertEquals(SeccompAction.errno(1), decide(SeccompProfiles.get(SeccompProfiles.LOCKDOWN_NO_EXEC, Arch.X86_64), "fork"));
    }

    @Test
    void profilesNeverAnswerClone3WithEperm() {
        for (String name : SeccompProfiles.names()) {
            for (Arch a : Arch.values()) {
                SeccompAction c = decide(SeccompProfiles.get(name, a), "clone3");
                if (!name.equals(SeccompProfiles.STDIO_ONLY)) {
                    assertEquals(SeccompAction.errno(38), c, name);
                }
            }
        }
    }

    @Test
    void jvmWorkerKeepsWhatHotSpotNeeds() {
        for (Arch a : Arch.values()) {
            SeccompProgram p = SeccompProfiles.get(SeccompProfiles.JVM_WORKER, a);
            for (String s : new String[] {"futex", "madvise", "mprotect", "mmap", "rseq", "membarrier",
                "sched_getaffinity", "prctl", "clone", "openat", "newfstatat", "statx", "getrandom"}) {
                assertEquals(SeccompAction.ALLOW, decide(p, s, 0x003d0f00), s);
            }
            assertEquals(SeccompAction.errno(1), decide(p, "socket"));
            assertEquals(SeccompAction.errno(1), decide(p, "ptrace"));
            assertEquals(SeccompAction.errno(1), decide(p, "clone", 17), "fork() through clone");
        }
    }
}
