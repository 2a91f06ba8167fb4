package org.sandbox4j;

import java.util.Locale;

/** The step of building a jail that failed, as the launcher reports it. */
public enum SetupStep {
    /** Java could not start the launcher (posix_spawn), or its binary is missing. */
    LAUNCH("start the launcher"),
    /** The launcher rejected the spec it was sent (a bug or a version mismatch). */
    SPEC("decode the jail spec"),
    /** Creating the jail's process in its new namespaces ({@code clone(2)}) and its plumbing. */
    CLONE("create the namespaces"),
    /** Writing the user namespace's {@code uid_map}. */
    UID_MAP("write the uid map"),
    /** Writing the user namespace's {@code gid_map}. */
    GID_MAP("write the gid map"),
    /**
     * Writing the user namespace's {@code setgroups} file, which decides if {@code setgroups(2)} is
     * allowed.
     */
    SETGROUPS("set up supplementary groups"),
    /** Making the new mount namespace private, so no mount leaks back to the host. */
    MOUNT_PRIVATE("make the mount namespace private"),
    /** Creating the jail's root file system (a tmpfs, or a bind of the chosen root directory). */
    ROOT("create the jail's root"),
    /** A bind mount of a host path into the jail. */
    BIND("bind mount"),
    /** Mounting a tmpfs in the jail. */
    TMPFS("mount tmpfs"),
    /** Mounting {@code /proc} for the jail's pid namespace. */
    PROC("mount proc"),
    /**
     * Building the jail's {@code /dev}: a tmpfs with binds of a few host devices (null, zero, urandom
     * and the like), the standard symlinks and, when asked, a devpts.
     */
    DEV("create /dev"),
    /** Creating a symbolic link in the jail. */
    SYMLINK("create symlink"),
    /** Creating a directory in the jail. */
    MKDIR("create directory"),
    /** Writing a file with given content into the jail. */
    WRITE_FILE("write file"),
    /** Hiding a path (an empty read-only tmpfs over a directory, {@code /dev/null} over a file). */
    HIDE("hide"),
    /** Making a mount, or the jail's root, read-only. */
    REMOUNT_RO("make read-only"),
    /** Switching to the jail's root with {@code pivot_root(2)} and detaching the host's tree. */
    PIVOT_ROOT("switch to the jail's root (pivot_root)"),
    /** Opening a chroot directory or changing root into it. */
    CHROOT("chroot"),
    /** Changing to the jail's working directory. */
    CHDIR("change directory"),
    /** Setting the host name in the jail's UTS namespace. */
    HOSTNAME("set host name"),
    /** Bringing up the loopback interface in the jail's network namespace. */
    LOOPBACK("bring up loopback"),
    /** Setting a resource limit ({@code setrlimit(2)}). */
    RLIMIT("set resource limit"),
    /** Switching to the jail's uid, gid and supplementary groups. */
    IDENTITY("switch uid/gid"),
    /** Dropping capabilities (bounding, ambient and the other sets) down to the ones kept. */
    CAPS("drop capabilities"),
    /** Setting {@code no_new_privs}, so exec can never grant privileges. */
    NO_NEW_PRIVS("set no_new_privs"),
    /** Creating and enforcing the jail's Landlock ruleset. */
    LANDLOCK("apply Landlock"),
    /** Installing the jail's seccomp filter. */
    SECCOMP("install the seccomp filter"),
    /** Moving the file descriptors the jail receives to their numbers; all others close on exec. */
    FDS("arrange file descriptors"),
    /** Starting a new session ({@code setsid(2)}), detaching the jail from the caller's terminal. */
    SETSID("start a new session"),
    /** Forking the target program from the jail's init process. */
    FORK("start the program"),
    /** Executing the target program ({@code execve(2)}). */
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
