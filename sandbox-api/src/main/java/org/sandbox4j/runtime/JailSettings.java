package org.sandbox4j.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.IdMap;
import org.sandbox4j.Namespace;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.cgroup.CgroupLimits;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.MountOp;

/**
 * Everything a {@link org.sandbox4j.Sandbox} says, read by the other runtimes and the exports
 * ({@code Sandbox.settings()}); one value, so a new builder option shows up here and in the mapping
 * of each runtime (docs/runtimes.md) rather than being missed by one of them.
 *
 * @param rlimits soft and hard value of each limit the caller set
 * @param keptFds pairs {jvm fd, fd in the jail}
 * @param seccompProgram the compiled filter (null: {@code noSeccomp()})
 * @param seccompDefault whether that filter is the default deny list
 * @param recording whether a syscall recorder is attached
 */
public record JailSettings(JailRuntime runtime, Set<Namespace> shared, @Nullable Path rootDir, boolean rootWritable,
        boolean rootNoSymlinks, List<MountOp> ops, int uid, int gid, int hostUid, int hostGid, List<IdMap> uidMaps,
        List<IdMap> gidMaps, @Nullable String hostname, Map<String, String> env, String cwd, Map<Rlimit, long[]> rlimits,
        Set<Capability> keptCaps, @Nullable Duration timeLimit, Duration setupTimeout, List<int[]> keptFds,
        Redirect stdin, Redirect stdout, Redirect stderr, boolean redirectErrorStream, boolean init,
        boolean newSession, byte @Nullable [] seccompProgram, boolean seccompDefault, boolean reportViolations,
        boolean recording, @Nullable LandlockRuleset landlock, CgroupLimits cgroupLimits, boolean bestEffort) {

    /** Whether the jail has a network namespace of its own ({@link org.sandbox4j.Network#NONE}). */
    public boolean networkNone() {
        return !shared.contains(Namespace.NET);
    }
}
