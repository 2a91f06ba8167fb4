package org.sandbox4j.internal;

import org.jspecify.annotations.Nullable;

/**
 * Explains why the host refused a namespace, where the kernel only says EPERM, EACCES or ENOSPC.
 * Every other tool shows a bare "Permission denied" here; the fix depends on the cause.
 */
public final class HostDiagnosis {
    private HostDiagnosis() {}

    /**
     * The last resort every cause names: best effort (the real option and builder call), which
     * confines without namespaces and reports what it could apply (docs/deployment.md).
     */
    public static final String BEST_EFFORT_HINT = "or accept weaker isolation without namespaces with"
            + " Sandbox.Builder.bestEffort() ('--best-effort' in the CLI, 'best-effort' in a config file),"
            + " see docs/deployment.md";

    /** Why user namespaces are refused here, in a few words (null: no known cause). */
    public enum Cause {
        SYSCTL_MAX_USER_NAMESPACES("user.max_user_namespaces=0"),
        SYSCTL_UNPRIVILEGED_USERNS_CLONE("kernel.unprivileged_userns_clone=0"),
        APPARMOR("AppArmor userns restriction"),
        SECCOMP_FILTER("container seccomp filter"),
        UNKNOWN("refused by the kernel");

        private final String words;

        Cause(String words) {
            this.words = words;
        }

        /** The cause in a few words, for one-line reports. */
        public String words() {
            return words;
        }
    }

    /** The most likely cause of a refused user namespace (errno from clone/unshare). */
    public static Cause cause(int errno) {
        String max = read("/proc/sys/user/max_user_namespaces");
        if ("0".equals(max) || errno == 28 /* ENOSPC */) {
            return Cause.SYSCTL_MAX_USER_NAMESPACES;
        }
        if ("0".equals(read("/proc/sys/kernel/unprivileged_userns_clone"))) {
            return Cause.SYSCTL_UNPRIVILEGED_USERNS_CLONE;
        }
        if ("1".equals(read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))) {
            return Cause.APPARMOR;
        }
        String status = read("/proc/self/status");
        if (status != null && status.contains("Seccomp:\t2")) {
            return Cause.SECCOMP_FILTER;
        }
        return Cause.UNKNOWN;
    }

    /** The cause and fix for a failed clone/unshare of a user namespace, or null if none is known. */
    public static @Nullable String userNamespaceRefused(int errno) {
        switch (cause(errno)) {
            case SYSCTL_MAX_USER_NAMESPACES:
                return "user namespaces are disabled or exhausted (user.max_user_namespaces="
                        + read("/proc/sys/user/max_user_namespaces")
                        + "): run 'sysctl -w user.max_user_namespaces=15000' as root; see docs/troubleshooting.md; "
                        + BEST_EFFORT_HINT;
            case SYSCTL_UNPRIVILEGED_USERNS_CLONE:
                return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0): run"
                        + " 'sysctl -w kernel.unprivileged_userns_clone=1' as root; see docs/troubleshooting.md; "
                        + BEST_EFFORT_HINT;
            case APPARMOR:
                return "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+,"
                        + " kernel.apparmor_restrict_unprivileged_userns=1): install the launcher with its AppArmor"
                        + " profile ('sandbox4j install-launcher' as root, load it with apparmor_parser, then"
                        + " -Dsandbox4j.launcher=" + InstalledLauncher.DEFAULT_LAUNCHER + "), give the JVM an AppArmor"
                        + " profile with 'userns,', or run 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0';"
                        + " see docs/troubleshooting.md; " + BEST_EFFORT_HINT;
            case SECCOMP_FILTER:
                return "this process runs under a seccomp filter (a container's profile, such as Docker's default)"
                        + " that blocks namespace creation: run the container with a profile that allows"
                        + " clone/unshare of namespaces (or --security-opt seccomp=unconfined; in Kubernetes"
                        + " securityContext.seccompProfile), see docs/deployment.md; " + BEST_EFFORT_HINT;
            default:
                if (errno == 1 /* EPERM */ || errno == 13 /* EACCES */) {
                    return "the kernel refused to create a user namespace; the host may restrict them (a container,"
                            + " an LSM policy): see docs/troubleshooting.md; " + BEST_EFFORT_HINT;
                }
                return null;
        }
    }

    private static @Nullable String read(String path) {
        return org.sandbox4j.internal.ProcFiles.read(path);
    }
}
