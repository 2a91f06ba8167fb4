package org.sandbox4j.caps;

import java.util.Locale;

/**
 * A Linux capability. A jail drops all of them (bounding, ambient, inheritable, permitted and
 * effective sets) unless the caller keeps some by name; capabilities held in a jail's user namespace
 * grant nothing over the host.
 *
 * <pre>{@code
 * Sandbox.builder().keepCapabilities(Capability.NET_BIND_SERVICE)
 * }</pre>
 */
public enum Capability {
    /** Change the owner and group of any file ({@code chown(2)}). */
    CHOWN,
    /** Read, write and execute files regardless of their permission bits. */
    DAC_OVERRIDE,
    /**
     * Read any file and list or search any directory regardless of permissions; use
     * {@code open_by_handle_at(2)}.
     */
    DAC_READ_SEARCH,
    /**
     * Act as the owner of any file: change its mode, times, ACLs and flags, and delete in sticky
     * directories.
     */
    FOWNER,
    /** Keep a file's set-user-ID and set-group-ID bits when it is modified or its group changes. */
    FSETID,
    /** Send signals to processes owned by other users. */
    KILL,
    /** Change group ids, set supplementary groups and pass any gid over a socket. */
    SETGID,
    /** Change user ids and pass any uid over a socket. */
    SETUID,
    /** Drop capabilities from the bounding set and change the securebits. */
    SETPCAP,
    /** Set and clear a file's immutable and append-only flags. */
    LINUX_IMMUTABLE,
    /** Bind sockets to ports below 1024. */
    NET_BIND_SERVICE,
    /** Send broadcasts and listen to multicast (unused by current kernels). */
    NET_BROADCAST,
    /** Configure the network: interfaces, addresses, routes, firewall rules and socket options. */
    NET_ADMIN,
    /** Open raw and packet sockets (craft packets, ping without a helper). */
    NET_RAW,
    /** Lock memory ({@code mlock(2)}) beyond {@code RLIMIT_MEMLOCK} and use huge pages. */
    IPC_LOCK,
    /** Bypass permission checks on System V IPC objects. */
    IPC_OWNER,
    /** Load and unload kernel modules. */
    SYS_MODULE,
    /** Perform raw I/O: I/O ports, {@code /dev/mem} and similar device access. */
    SYS_RAWIO,
    /** Call {@code chroot(2)} and change mount namespaces with {@code setns(2)}. */
    SYS_CHROOT,
    /** Trace and inspect any process ({@code ptrace(2)}, {@code process_vm_readv(2)}). */
    SYS_PTRACE,
    /** Switch process accounting on and off ({@code acct(2)}). */
    SYS_PACCT,
    /** A wide range of administration: mount, set the host name, namespaces, quotas and much more. */
    SYS_ADMIN,
    /** Reboot and load a new kernel ({@code reboot(2)}, {@code kexec_load(2)}). */
    SYS_BOOT,
    /** Raise priorities, set real-time scheduling and CPU or memory placement of any process. */
    SYS_NICE,
    /** Exceed resource limits and quotas and raise hard resource limits. */
    SYS_RESOURCE,
    /** Set the system clock and the hardware clock. */
    SYS_TIME,
    /** Hang up terminals ({@code vhangup(2)}) and configure virtual consoles. */
    SYS_TTY_CONFIG,
    /** Create device special files ({@code mknod(2)}). */
    MKNOD,
    /** Take leases on files the process does not own. */
    LEASE,
    /** Write records to the kernel audit log. */
    AUDIT_WRITE,
    /** Configure kernel auditing: enable it, change its rules and read its status. */
    AUDIT_CONTROL,
    /** Set file capabilities; in a user namespace, map uid 0 of the parent namespace. */
    SETFCAP,
    /** Override mandatory access control (used by Smack). */
    MAC_OVERRIDE,
    /** Configure mandatory access control (Smack, AppArmor policy). */
    MAC_ADMIN,
    /** Use privileged {@code syslog(2)} operations and see kernel addresses. */
    SYSLOG,
    /** Set timers that wake the system from suspend. */
    WAKE_ALARM,
    /** Prevent the system from suspending (epoll wake-ups). */
    BLOCK_SUSPEND,
    /** Read the kernel audit log through a multicast netlink socket. */
    AUDIT_READ,
    /** Use performance monitoring ({@code perf_event_open(2)}) and related BPF operations. */
    PERFMON,
    /** Use privileged BPF operations: load programs and create maps. */
    BPF,
    /** Checkpoint and restore processes: choose pids in a clone, read other processes' map files. */
    CHECKPOINT_RESTORE;

    /** The kernel's capability number ({@code CAP_CHOWN} is 0). */
    public int number() {
        return ordinal();
    }

    /** {@code CAP_NET_BIND_SERVICE}. */
    public String kernelName() {
        return "CAP_" + name();
    }

    /** Parses {@code net_bind_service}, {@code CAP_NET_BIND_SERVICE} and the like. */
    public static Capability parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) {
            n = n.substring(4);
        }
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown capability '" + name + "' (for example CAP_NET_BIND_SERVICE)", e);
        }
    }
}
