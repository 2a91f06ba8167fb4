package org.sandbox4j.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Explains why the host refused a namespace, where the kernel only says EPERM, EACCES or ENOSPC.
 * Every other tool shows a bare "Permission denied" here; the fix depends on the cause.
 */
public final class HostDiagnosis {
    private HostDiagnosis() {}

    /** The cause and fix for a failed clone/unshare of a user namespace, or null if none is known. */
    public static @Nullable String userNamespaceRefused(int errno) {
        String max = read("/proc/sys/user/max_user_namespaces");
        if ("0".equals(max) || errno == 28 /* ENOSPC */) {
            return "user namespaces are disabled or exhausted (user.max_user_namespaces=" + max
                    + "): run 'sysctl -w user.max_user_namespaces=15000' as root; see docs/troubleshooting.md";
        }
        if ("0".equals(read("/proc/sys/kernel/unprivileged_userns_clone"))) {
            return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0): run"
                    + " 'sysctl -w kernel.unprivileged_userns_clone=1' as root; see docs/troubleshooting.md";
        }
        if ("1".equals(read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))) {
            return "AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+,"
                    + " kernel.apparmor_restrict_unprivileged_userns=1): give the JVM an AppArmor profile"
                    + " with 'userns,' or run 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0';"
                    + " see docs/troubleshooting.md";
        }
        String status = read("/proc/self/status");
        if (status != null && status.contains("Seccomp:\t2")) {
            return "this process runs under a seccomp filter (a container's profile, such as Docker's default)"
                    + " that blocks namespace creation: run the container with a profile that allows"
                    + " clone/unshare of namespaces (or --security-opt seccomp=unconfined), or use best-effort"
                    + " mode; see docs/troubleshooting.md";
        }
        if (errno == 1 /* EPERM */ || errno == 13 /* EACCES */) {
            return "the kernel refused to create a user namespace; the host may restrict them (a container,"
                    + " an LSM policy): see docs/troubleshooting.md";
        }
        return null;
    }

    private static @Nullable String read(String path) {
        return org.sandbox4j.internal.ProcFiles.read(path);
    }
}
