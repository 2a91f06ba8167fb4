package org.sandbox4j.seccomp;

import java.util.List;

/**
 * System calls grouped by what a program does with them, so a policy can say "reads files" rather
 * than list {@code openat, newfstatat, statx, ...}. Names absent on an architecture (such as
 * {@code open} on aarch64) are skipped there.
 *
 * <pre>{@code
 * SeccompPolicy p = SeccompPolicy.builder(SeccompAction.KILL_PROCESS)
 *         .allow(SyscallGroup.BASIC_IO, SyscallGroup.MEMORY, SyscallGroup.PROCESS_EXIT)
 *         .build();
 * }</pre>
 */
public enum SyscallGroup {
    /** Reading and writing already open descriptors, closing and duplicating them. */
    BASIC_IO("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
            "preadv2", "pwritev2", "close", "close_range", "lseek", "fstat", "dup", "dup2", "dup3",
            "fcntl", "pipe", "pipe2", "poll", "ppoll", "select", "pselect6", "epoll_create",
            "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd",
            "eventfd2", "fsync", "fdatasync", "sendfile", "splice", "tee", "ioctl"),
    /** Opening and inspecting files and directories without changing them. */
    FILE_READ("open", "openat", "openat2", "stat", "lstat", "fstat", "newfstatat", "statx",
            "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents",
            "getdents64", "getcwd", "chdir", "fchdir", "statfs", "fstatfs", "fadvise64",
            "readahead", "getxattr", "lgetxattr", "fgetxattr", "getxattrat", "listxattr",
            "llistxattr", "flistxattr", "listxattrat", "file_getattr", "flock"),
    /** Creating, changing and removing files and directories. */
    FILE_WRITE("creat", "open", "openat", "openat2", "mkdir", "mkdirat", "rmdir", "unlink",
            "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
            "symlinkat", "truncate", "ftruncate", "fallocate", "chmod", "fchmod", "fchmodat",
            "fchmodat2", "utime", "utimes", "utimensat", "futimesat", "umask", "setxattr",
            "lsetxattr", "fsetxattr", "setxattrat", "removexattr", "lremovexattr",
            "fremovexattr", "removexattrat", "file_setattr", "sync", "syncfs",
            "sync_file_range", "mknod", "mknodat"),
    /** Memory management. */
    MEMORY("brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mlock", "mlock2",
            "munlock", "mincore", "msync", "memfd_create", "pkey_alloc", "pkey_free",
            "pkey_mprotect", "mseal", "map_shadow_stack"),
    /** Ending the process or thread. */
    PROCESS_EXIT("exit", "exit_group"),
    /** Handling and sending signals within the process (not to other processes). */
    SIGNALS("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
            "rt_sigtimedwait", "rt_sigsuspend", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
            "sigaltstack", "signalfd", "signalfd4", "tgkill", "tkill", "pause", "restart_syscall",
            "alarm", "getitimer", "setitimer", "kill"),
    /** Clocks, timers and sleeping. */
    TIME("clock_gettime", "clock_getres", "clock_nanosleep", "gettimeofday", "time",
            "nanosleep", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
            "timer_delete", "timerfd_create", "timerfd_settime", "timerfd_gettime", "times"),
    /**
     * Creating and synchronising threads. {@code clone3} is not in the group: glibc needs it
     * answered with ENOSYS (never EPERM) so it falls back to {@code clone}, whose flags a filter can
     * inspect; {@link SeccompPolicy.Builder#allow(SyscallGroup...)} adds that ENOSYS rule.
     */
    THREADS("clone", "futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue",
            "set_robust_list", "get_robust_list",
            "set_tid_address", "gettid", "sched_yield", "rseq", "membarrier"),
    /** Outgoing network connections (TCP/UDP/Unix sockets), name resolution included. */
    NETWORK_CLIENT("socket", "connect", "getsockname", "getpeername", "getsockopt",
            "setsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
            "shutdown", "socketpair"),
    /** Accepting network connections. */
    NETWORK_SERVER("socket", "bind", "listen", "accept", "accept4", "getsockname",
            "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg",
            "sendmmsg", "recvmmsg", "shutdown", "socketpair"),
    /** Running a program and starting processes. */
    EXEC("execve", "execveat", "fork", "vfork", "clone", "wait4", "waitid"),
    /**
     * What a HotSpot JVM needs beyond the groups above: identity and resource queries, thread
     * scheduling, the GC's and JIT's memory calls, and the /proc and cgroup reads of container
     * detection. Combine with BASIC_IO, FILE_READ, MEMORY, PROCESS_EXIT, SIGNALS, TIME and THREADS.
     */
    JVM("futex", "madvise", "mprotect", "mmap", "munmap", "mremap", "clone", "rseq",
            "membarrier", "prctl", "arch_prctl", "sched_getaffinity", "sched_setaffinity",
            "sched_yield", "sched_getparam", "sched_getscheduler", "sched_get_priority_max",
            "sched_get_priority_min", "getpriority", "setpriority", "getrlimit", "setrlimit",
            "prlimit64", "getrusage", "sysinfo", "uname", "getpid", "getppid", "gettid", "getuid",
            "geteuid", "getgid", "getegid", "getgroups", "getresuid", "getresgid", "getrandom",
            "set_robust_list", "set_tid_address", "sigaltstack", "rt_sigaction",
            "rt_sigprocmask", "rt_sigreturn", "tgkill", "sched_getattr", "getcpu", "mincore",
            "memfd_create", "ftruncate", "fallocate", "readlink", "readlinkat", "getcwd",
            "socketpair", "wait4", "kill", "pipe2", "eventfd2", "epoll_create1", "epoll_ctl",
            "epoll_wait", "epoll_pwait", "getdents64", "statfs", "fstatfs", "statx",
            "newfstatat", "fstat", "stat", "lstat", "access", "faccessat", "faccessat2");

    private final List<String> names;

    SyscallGroup(String... names) {
        this.names = List.of(names);
    }

    /** The canonical names in the group (some exist on one architecture only). */
    public List<String> syscalls() {
        return names;
    }

    /** Whether the group needs clone3 answered ENOSYS (see {@link #THREADS}). */
    boolean needsClone3Enosys() {
        return this == THREADS || this == JVM || this == EXEC;
    }
}
