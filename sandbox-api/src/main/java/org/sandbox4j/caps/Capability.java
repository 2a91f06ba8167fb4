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
    CHOWN,
    DAC_OVERRIDE,
    DAC_READ_SEARCH,
    FOWNER,
    FSETID,
    KILL,
    SETGID,
    SETUID,
    SETPCAP,
    LINUX_IMMUTABLE,
    NET_BIND_SERVICE,
    NET_BROADCAST,
    NET_ADMIN,
    NET_RAW,
    IPC_LOCK,
    IPC_OWNER,
    SYS_MODULE,
    SYS_RAWIO,
    SYS_CHROOT,
    SYS_PTRACE,
    SYS_PACCT,
    SYS_ADMIN,
    SYS_BOOT,
    SYS_NICE,
    SYS_RESOURCE,
    SYS_TIME,
    SYS_TTY_CONFIG,
    MKNOD,
    LEASE,
    AUDIT_WRITE,
    AUDIT_CONTROL,
    SETFCAP,
    MAC_OVERRIDE,
    MAC_ADMIN,
    SYSLOG,
    WAKE_ALARM,
    BLOCK_SUSPEND,
    AUDIT_READ,
    PERFMON,
    BPF,
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
