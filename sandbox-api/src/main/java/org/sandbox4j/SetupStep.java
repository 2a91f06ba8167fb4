package org.sandbox4j;

import java.util.Locale;

/** The step of building a jail that failed, as the launcher reports it. */
public enum SetupStep {
    /** Java could not start the launcher (posix_spawn), or its binary is missing. */
    LAUNCH("start the launcher"),
    /** The launcher rejected the spec it was sent (a bug or a version mismatch). */
    SPEC("decode the jail spec"),
    CLONE("create the namespaces"),
    UID_MAP("write the uid map"),
    GID_MAP("write the gid map"),
    SETGROUPS("set up supplementary groups"),
    MOUNT_PRIVATE("make the mount namespace private"),
    ROOT("create the jail's root"),
    BIND("bind mount"),
    TMPFS("mount tmpfs"),
    PROC("mount proc"),
    DEV("create /dev"),
    SYMLINK("create symlink"),
    MKDIR("create directory"),
    WRITE_FILE("write file"),
    HIDE("hide"),
    REMOUNT_RO("make read-only"),
    PIVOT_ROOT("switch to the jail's root (pivot_root)"),
    CHROOT("chroot"),
    CHDIR("change directory"),
    HOSTNAME("set host name"),
    LOOPBACK("bring up loopback"),
    RLIMIT("set resource limit"),
    IDENTITY("switch uid/gid"),
    CAPS("drop capabilities"),
    NO_NEW_PRIVS("set no_new_privs"),
    LANDLOCK("apply Landlock"),
    SECCOMP("install the seccomp filter"),
    FDS("arrange file descriptors"),
    SETSID("start a new session"),
    FORK("start the program"),
    EXECVE("execute"),
    /** Creating the jail's cgroup, writing its limits or moving the jail into it (docs/resources.md). */
    CGROUP("set up the jail's cgroup"),
    /**
     * The prestarted launcher refused a spec beyond the limits of the lockdown applied to this JVM
     * ({@code Lockdown.Builder.keepStartingJails()}, docs/lockdown.md).
     */
    LOCKDOWN("stay within the JVM's lockdown"),
    /** A step this version of the library does not know (launcher newer than the library). */
    UNKNOWN("set up the jail");

    private final String action;

    SetupStep(String action) {
        this.action = action;
    }

    /** What the step does, as a phrase: {@code bind mount}. */
    public String action() {
        return action;
    }

    /** The launcher's wire name ({@code uid_map}) to a step; unknown names map to {@link #UNKNOWN}. */
    public static SetupStep fromWire(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
