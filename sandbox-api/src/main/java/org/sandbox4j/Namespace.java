package org.sandbox4j;

/**
 * The Linux namespaces a jail gets. Every one of them is new by default; {@link
 * Sandbox.Builder#share(Namespace...)} keeps the host's instead.
 */
public enum Namespace {
    /** User and group ids, capabilities. Without it, the jail needs the JVM to be root. */
    USER(0x10000000),
    /** Mounts: the jail's own root file system. */
    MOUNT(0x00020000),
    /** Process ids: the jail sees only its own processes, and they all die with its pid 1. */
    PID(0x20000000),
    /** Network: interfaces, ports, routing. New means only a loopback interface. */
    NET(0x40000000),
    /** System V IPC and POSIX message queues. */
    IPC(0x08000000),
    /** Host name and domain name. */
    UTS(0x04000000),
    /** The view of the cgroup hierarchy. */
    CGROUP(0x02000000);

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
