package org.sandbox4j.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Errno;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SetupStep;
import org.sandbox4j.cgroup.CgroupLimits;
import org.sandbox4j.mount.MountOp;

/**
 * A launcher's status record turned into the exception the caller sees: the step, the path (a bind
 * as {@code source -> target}), the errno, the builder call that made the failing op, and for host
 * problems the cause and the fix ({@link HostDiagnosis}, {@link Cgroups#launcherHint}).
 */
public final class SetupFailures {
    private SetupFailures() {}

    /**
     * @param ops the jail's mount operations, indexed as the spec's OP records
     * @param sharesUser whether the jail shares the host's user namespace (then a clone failure is not a userns refusal)
     */
    public static SandboxException toException(Spawner.Status s, List<MountOp> ops, boolean sharesUser,
            CgroupLimits cgroupLimits) {
        SetupStep step = SetupStep.fromWire(s.step());
        boolean inOps = s.opIndex() >= 0 && s.opIndex() < ops.size();
        @Nullable String call = inOps ? ops.get(s.opIndex()).describe() : null;
        @Nullable String hint = null;
        if (step == SetupStep.CLONE && !sharesUser) {
            hint = HostDiagnosis.userNamespaceRefused(s.errno());
        } else if (step == SetupStep.PROC && s.errno() == 1) {
            hint = "the kernel refuses a new /proc where the host's /proc is partly covered (as in many containers);"
                    + " bind the host's /proc read-only instead, or run with the container's /proc unmasked";
        } else if (step == SetupStep.CGROUP) {
            hint = Cgroups.launcherHint(s.errno(), s.path());
            call = cgroupLimits.describe().isEmpty() ? null : cgroupLimits.describe();
        } else if (step == SetupStep.EXECVE && s.errno() == 2) {
            hint = "the program is not visible inside the jail: bind its directory (and its libraries), e.g."
                    + " readOnlySystem()";
        }
        String path = s.path();
        if (inOps && ops.get(s.opIndex()) instanceof MountOp.Bind b && path.equals(b.source())) {
            path = b.source() + " -> " + b.target();
        }
        return new SandboxSetupException(step, s.errno(), path, conciseDetail(s.detail(), s.path(), s.errno(), s.step()),
                call, hint);
    }

    /**
     * The launcher's detail without what the message already says: "open bind source /x: No such
     * file or directory" becomes "open bind source" next to "/x: ENOENT (No such file or directory)".
     */
    static String conciseDetail(String detail, String path, int errno, String wireStep) {
        String d = detail;
        if (errno != 0) {
            String suffix = ": " + Errno.message(errno);
            if (d.endsWith(suffix)) {
                d = d.substring(0, d.length() - suffix.length());
            }
        }
        if (!path.isEmpty() && d.endsWith(" " + path)) {
            d = d.substring(0, d.length() - path.length() - 1);
        }
        d = d.strip();
        return d.equals(wireStep) ? "" : d; // "chdir" after "change directory" says nothing new
    }
}
