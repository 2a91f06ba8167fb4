package org.sandbox4j;

import org.sandbox4j.internal.Wire;

/**
 * The Linux namespaces a jail gets. Every one of them is new by default; {@link
 * Sandbox.Builder#share(Namespace...)} keeps the host's instead.
 */
public enum Namespace {
    /** User and group ids, capabilities. Without it, the jail needs the JVM to be root. */
    USER(Wire.NS_USER),
    /** Mounts: the jail's own root file system. */
    MOUNT(Wire.NS_MOUNT),
    /** Process ids: the jail sees only its own processes, and they all die with its pid 1. */
    PID(Wire.NS_PID),
    /** Network: interfaces, ports, routing. New means only a loopback interface. */
    NET(Wire.NS_NET),
    /** System V IPC and POSIX message queues. */
    IPC(Wire.NS_IPC),
    /** Host name and domain name. */
    UTS(Wire.NS_UTS),
    /** The view of the cgroup hierarchy. */
    CGROUP(Wire.NS_CGROUP);

    private final int cloneFlag;

    Namespace(int cloneFlag) {
        this.cloneFlag = cloneFlag;
    }

    /** The kernel's {@code CLONE_NEW*} flag. */
    public int cloneFlag() {
        return cloneFlag;
    }

    /** Parses {@code user}, {@code mount} (or {@code mnt}, {@code ns}), {@code pid}, {@code net}, ... */
    public static Namespace parse(String name) {
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "user":
                return USER;
            case "mount":
            case "mnt":
            case "ns":
                return MOUNT;
            case "pid":
                return PID;
            case "net":
            case "network":
                return NET;
            case "ipc":
                return IPC;
            case "uts":
                return UTS;
            case "cgroup":
                return CGROUP;
            default:
                throw new IllegalArgumentException(
                        "unknown namespace '" + name + "': expected one of user, mount, pid, net, ipc, uts, cgroup");
        }
    }
}
