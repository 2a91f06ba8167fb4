package org.sandbox4j.seccomp;

import static org.sandbox4j.seccomp.SeccompPolicy.Errno.ENOSYS;
import static org.sandbox4j.seccomp.SeccompPolicy.Errno.EPERM;

/**
 * Ready-made policies.
 *
 * <pre>{@code
 * SeccompPolicy jail = SeccompPolicies.defaultDenyList();          // what every jail gets
 * SeccompPolicy mine = jail.toBuilder().errno(1, "socket").build(); // plus: no sockets
 * }</pre>
 */
public final class SeccompPolicies {
    /** Every {@code CLONE_NEW*} namespace flag (NEWTIME, NS, CGROUP, UTS, IPC, USER, PID, NET). */
    public static final long CLONE_NEW_MASK = 0x00000080L | 0x00020000L | 0x02000000L
            | 0x04000000L | 0x08000000L | 0x10000000L | 0x20000000L | 0x40000000L;
    /** {@code CLONE_THREAD}. */
    public static final long CLONE_THREAD = 0x00010000L;
    /** {@code TIOCSTI}: push a character into a terminal's input. */
    public static final long TIOCSTI = 0x5412;
    /** {@code TIOCLINUX}: Linux console subcommands, including selection paste. */
    public static final long TIOCLINUX = 0x541C;

    /** Kernel surface with no use in a confined program, answered EPERM. */
    static final String[] DENIED = {
        // kernel modules and kexec
        "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
        // in-kernel programs and monitoring
        "bpf", "perf_event_open", "userfaultfd", "lookup_dcookie",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        // kernel keyrings
        "add_key", "request_key", "keyctl",
        // mounts
        "mount", "umount2", "pivot_root", "move_mount", "open_tree", "open_tree_attr", "fsopen",
        "fsmount", "fsconfig", "fspick", "mount_setattr", "chroot",
        // the mount table: statmount shows each bind's source path on the host, /proc or not
        "listmount", "statmount",
        // namespaces
        "unshare", "setns",
        // other processes' memory
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
        "process_madvise", "process_mrelease",
        // changing the process's own LSM label (what /proc/self/attr does, without /proc)
        "lsm_set_self_attr",
        // file handles bypass path checks
        "open_by_handle_at", "name_to_handle_at",
        // machine administration
        "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl", "quotactl_fd", "vhangup",
        "sethostname", "setdomainname", "iopl", "ioperm", "uselib", "_sysctl", "nfsservctl",
        // clocks
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    };

    private SeccompPolicies() {}

    /**
     * The jail's default filter: default ALLOW, denying with EPERM the kernel attack surface that
     * confined programs do not need (see {@code docs/seccomp.md} for the list):
     * {@link #DENIED} calls; {@code clone} with any {@code CLONE_NEW*} flag; {@code clone3}
     * answered ENOSYS so glibc falls back to {@code clone}; {@code personality} other than
     * {@code PER_LINUX} (0) or the query 0xffffffff; {@code ioctl} TIOCSTI and TIOCLINUX (the
     * request compared on its low 32 bits, as the kernel reads it). Numbers above the system call
     * table (calls of a kernel newer than it) get ENOSYS. Foreign architectures, and on x86_64 the
     * i386 and x32 ABIs, are killed.
     */
    public static SeccompPolicy defaultDenyList() {
        return denyRules(SeccompPolicy.builder(SeccompAction.ALLOW)).build();
    }

    /** Adds the deny list's rules to {@code b} (shared with the profiles). */
    static SeccompPolicy.Builder denyRules(SeccompPolicy.Builder b) {
        SeccompAction eperm = SeccompAction.errno(EPERM);
        b.errno(EPERM, DENIED);
        b.rule("clone", eperm, ArgCondition.maskedNe(0, CLONE_NEW_MASK, 0));
        b.errno(ENOSYS, "clone3");
        b.rule("personality", SeccompAction.ALLOW, ArgCondition.maskedEq(0, 0xffffffffL, 0));
        b.rule("personality", SeccompAction.ALLOW, ArgCondition.maskedEq(0, 0xffffffffL, 0xffffffffL));
        b.rule("personality", eperm);
        b.rule("ioctl", eperm, ArgCondition.maskedEq(1, 0xffffffffL, TIOCSTI));
        b.rule("ioctl", eperm, ArgCondition.maskedEq(1, 0xffffffffL, TIOCLINUX));
        return b;
    }
}
