package org.sandbox4j.seccomp;

import static org.sandbox4j.seccomp.SeccompPolicy.Errno.ENOSYS;
import static org.sandbox4j.seccomp.SeccompPolicy.Errno.EPERM;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import org.sandbox4j.Arch;

/**
 * The precompiled seccomp profiles: each a policy ({@link #policy()}) compiled at build time for both
 * architectures into a resource that {@link #program(Arch)} loads without running the compiler (a
 * test proves the resources equal a fresh compilation). The command line and configuration files
 * name them in lower case with dashes ({@code document-parser}, {@link #of(String)}).
 *
 * <pre>{@code
 * Sandbox.builder().readOnlySystem().seccompProfile(SeccompProfile.DOCUMENT_PARSER).build();
 * }</pre>
 */
public enum SeccompProfile {
    /**
     * Read and write already open descriptors, manage memory, handle signals, read clocks, exit;
     * anything else kills the process. No execve: meant to be installed by a program on itself
     * once its inputs and outputs are open (like seccomp's strict mode, made practical).
     */
    STDIO_ONLY,
    /**
     * A document converter started in a jail: exec it, read files, write files, threads; no
     * network, no new processes, no kernel attack surface. Other calls fail with EPERM.
     */
    DOCUMENT_PARSER,
    /** A worker JVM: what HotSpot needs, files, threads; no network, no new processes. EPERM. */
    JVM_WORKER,
    /** A program making outgoing connections: files read-only, sockets, threads. EPERM. */
    NETWORK_CLIENT,
    /**
     * A server JVM that must never start a process: the default deny list, plus execve/execveat,
     * fork/vfork and clone without CLONE_THREAD denied with EPERM (clone3 ENOSYS, so glibc uses
     * clone, whose flags are checked). Everything else is allowed.
     */
    LOCKDOWN_NO_EXEC,
    /**
     * {@link SeccompPolicies#defaultDenyList()}, the filter every jail gets unless it names another:
     * precompiled so that building a jail never waits for the compiler.
     */
    DEFAULT_DENY_LIST;

    /** The policy behind the profile (built on each call). */
    public SeccompPolicy policy() {
        SyscallGroup[] common = {SyscallGroup.BASIC_IO, SyscallGroup.MEMORY,
            SyscallGroup.PROCESS_EXIT, SyscallGroup.SIGNALS, SyscallGroup.TIME};
        switch (this) {
            case STDIO_ONLY:
                return SeccompPolicy.builder(SeccompAction.KILL_PROCESS)
                        .allow("read", "write", "readv", "writev", "pread64", "pwrite64", "close",
                                "lseek", "fstat", "fcntl", "dup", "dup2", "dup3", "fsync",
                                "fdatasync", "poll", "ppoll")
                        .allow(SyscallGroup.MEMORY, SyscallGroup.PROCESS_EXIT, SyscallGroup.TIME)
                        .allow("rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack",
                                "restart_syscall", "futex", "getpid", "gettid", "getrandom")
                        // glibc 2.33+ implements fstat() as newfstatat(fd, "", AT_EMPTY_PATH)
                        .rule("newfstatat", SeccompAction.ALLOW, ArgCondition.maskedEq(3, 0x1000, 0x1000))
                        .build();
            case DOCUMENT_PARSER:
                return deny(SeccompPolicy.builder(SeccompAction.errno(EPERM)))
                        .allow(common)
                        .allow(SyscallGroup.FILE_READ, SyscallGroup.FILE_WRITE, SyscallGroup.THREADS)
                        .allow(STARTUP)
                        .allow("execve")
                        .build();
            case JVM_WORKER:
                return deny(SeccompPolicy.builder(SeccompAction.errno(EPERM)))
                        .allow(common)
                        .allow(SyscallGroup.FILE_READ, SyscallGroup.FILE_WRITE, SyscallGroup.THREADS,
                                SyscallGroup.JVM)
                        .allow(STARTUP)
                        .allow("execve", "socketpair")
                        .build();
            case NETWORK_CLIENT:
                return deny(SeccompPolicy.builder(SeccompAction.errno(EPERM)))
                        .allow(common)
                        .allow(SyscallGroup.FILE_READ, SyscallGroup.THREADS, SyscallGroup.NETWORK_CLIENT)
                        .allow(STARTUP)
                        .allow("execve")
                        .build();
            case DEFAULT_DENY_LIST:
                return SeccompPolicies.defaultDenyList();
            case LOCKDOWN_NO_EXEC: {
                SeccompPolicy.Builder b = SeccompPolicy.builder(SeccompAction.ALLOW);
                b.errno(EPERM, "execve", "execveat", "fork", "vfork");
                b.rule("clone", SeccompAction.ALLOW,
                        ArgCondition.maskedEq(0, SeccompPolicies.CLONE_THREAD, SeccompPolicies.CLONE_THREAD),
                        ArgCondition.maskedEq(0, SeccompPolicies.CLONE_NEW_MASK, 0));
                b.errno(EPERM, "clone");
                return SeccompPolicies.denyRules(b).build();
            }
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * The deny list's rules first (they come before the profile's allows, so that for example a
     * group's {@code clone} cannot re-enable namespace creation), with unconditional denials.
     */
    private static SeccompPolicy.Builder deny(SeccompPolicy.Builder b) {
        b.errno(EPERM, SeccompPolicies.DENIED);
        b.rule("clone", SeccompAction.errno(EPERM), ArgCondition.maskedNe(0, SeccompPolicies.CLONE_NEW_MASK, 0));
        // fork() is clone(SIGCHLD) in glibc: only threads may be created
        b.rule("clone", SeccompAction.errno(EPERM), ArgCondition.maskedEq(0, SeccompPolicies.CLONE_THREAD, 0));
        b.rule("ioctl", SeccompAction.errno(EPERM), ArgCondition.maskedEq(1, 0xffffffffL, SeccompPolicies.TIOCSTI));
        b.rule("ioctl", SeccompAction.errno(EPERM), ArgCondition.maskedEq(1, 0xffffffffL, SeccompPolicies.TIOCLINUX));
        b.errno(ENOSYS, "clone3");
        return b;
    }

    /** What a dynamically linked program needs before main() (loader, libc start-up). */
    private static final String[] STARTUP = {
        "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrlimit",
        "getrandom", "uname", "sysinfo", "getpid", "getppid", "gettid", "getuid", "geteuid",
        "getgid", "getegid", "getgroups", "getresuid", "getresgid", "sched_getaffinity",
        "sched_yield", "prctl", "umask", "getpgrp", "getpgid", "getsid", "setpgid",
    };

    /** The precompiled program for {@code arch}, loaded from its resource. */
    public SeccompProgram program(Arch arch) {
        String res = resource(arch);
        try (InputStream in = SeccompProfile.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("missing resource org/sandbox4j/seccomp/" + res);
            }
            return SeccompProgram.fromBytes(arch, in.readAllBytes());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The resource path of the profile's program for {@code arch}. */
    String resource(Arch arch) {
        return "profiles/" + name() + "-" + SyscallTable.archName(arch) + ".bpf";
    }

    /** The name on the command line and in configuration files: {@code document-parser}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The profile named {@code name}, in any case, with dashes or underscores ({@code
     * document-parser}, {@code DOCUMENT_PARSER}).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static SeccompProfile of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown seccomp profile '" + name + "'; known profiles: "
                    + Arrays.toString(values()), e);
        }
    }
}
