package org.sandbox4j.landlock;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A ruleset resolved against one kernel ABI: the masks and rules to hand to the kernel, the ABI the
 * result needs (0 when best effort), and the {@link LandlockStatus} to report. Create with {@link
 * Landlock#plan(LandlockRuleset)} or, for a given ABI, {@link #resolve(LandlockRuleset, int)}.
 */
public final class LandlockPlan {
    /** A path rule with its kernel mask. */
    public record Path(String path, long access) {}

    /** A port rule with its kernel mask. */
    public record Port(int port, long access) {}

    private final long fsMask;
    private final long netMask;
    private final long scopeMask;
    private final int minAbi;
    private final List<Path> paths;
    private final List<Port> ports;
    private final LandlockStatus status;

    private LandlockPlan(long fsMask, long netMask, long scopeMask, int minAbi, List<Path> paths, List<Port> ports,
            LandlockStatus status) {
        this.fsMask = fsMask;
        this.netMask = netMask;
        this.scopeMask = scopeMask;
        this.minAbi = minAbi;
        this.paths = List.copyOf(paths);
        this.ports = List.copyOf(ports);
        this.status = status;
    }

    /**
     * Resolves {@code rules} for a kernel with Landlock ABI {@code abi} (0: none).
     *
     * @throws LandlockUnsupportedException for a {@link Compatibility#STRICT} ruleset the ABI cannot enforce
     */
    public static LandlockPlan resolve(LandlockRuleset rules, int abi) {
        Map<String, String> missing = new LinkedHashMap<>();
        EnumSet<AccessFs> fs = EnumSet.noneOf(AccessFs.class);
        EnumSet<AccessNet> net = EnumSet.noneOf(AccessNet.class);
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (abi <= 0) {
            missing.put("Landlock", "not available in this kernel (needs Linux 5.13+ with CONFIG_SECURITY_LANDLOCK"
                    + " and landlock in the lsm= boot parameter)");
        } else {
            for (AccessFs a : rules.handledFs()) {
                if (a.abi() <= abi) {
                    fs.add(a);
                } else {
                    missing.put(a.name(), "needs Landlock ABI " + a.abi() + ", the kernel has " + abi);
                }
            }
            for (AccessNet a : rules.handledNet()) {
                if (a.abi() <= abi) {
                    net.add(a);
                } else {
                    missing.put(a.name(), "needs Landlock ABI " + a.abi() + ", the kernel has " + abi);
                }
            }
            for (Scope sc : rules.scopes()) {
                if (sc.abi() <= abi) {
                    scopes.add(sc);
                } else {
                    missing.put("SCOPE_" + sc.name(), "needs Landlock ABI " + sc.abi() + ", the kernel has " + abi);
                }
            }
        }
        if (!missing.isEmpty() && rules.compatibility() == Compatibility.STRICT) {
            throw new LandlockUnsupportedException(Math.max(abi, 0), missing);
        }
        long fsMask = mask(fs);
        long netMask = 0;
        for (AccessNet a : net) {
            netMask |= a.mask();
        }
        List<Path> paths = new ArrayList<>();
        List<Port> ports = new ArrayList<>();
        for (LandlockRuleset.PathRule r : rules.pathRules()) {
            long m = mask(r.rights()) & fsMask;
            if (m != 0) {
                paths.add(new Path(r.path(), m));
            }
        }
        for (LandlockRuleset.PortRule r : rules.portRules()) {
            long m = 0;
            for (AccessNet a : r.rights()) {
                m |= a.mask();
            }
            m &= netMask;
            if (m != 0) {
                ports.add(new Port(r.port(), m));
            }
        }
        long scopeMask = 0;
        for (Scope sc : scopes) {
            scopeMask |= sc.mask();
        }
        int minAbi = rules.compatibility() == Compatibility.STRICT ? rules.requiredAbi() : 0;
        if (fsMask == 0 && netMask == 0 && scopeMask == 0) {
            missing.putIfAbsent("Landlock", "nothing of the ruleset is enforceable by ABI " + abi);
        }
        return new LandlockPlan(fsMask, netMask, scopeMask, minAbi, paths, ports,
                new LandlockStatus(Math.max(abi, 0), rules.compatibility(), fs, net, scopes, missing));
    }

    static long mask(Set<AccessFs> rights) {
        long m = 0;
        for (AccessFs a : rights) {
            m |= a.mask();
        }
        return m;
    }

    /** Whether there is anything to apply (false: best effort on a kernel that enforces none of it). */
    public boolean applies() {
        return fsMask != 0 || netMask != 0 || scopeMask != 0;
    }

    /** {@code scoped} for the kernel (LANDLOCK_SCOPE_* bits, ABI 6). */
    public long scopeMask() {
        return scopeMask;
    }

    /** handled_access_fs for the kernel. */
    public long fsMask() {
        return fsMask;
    }

    /** handled_access_net for the kernel. */
    public long netMask() {
        return netMask;
    }

    /** The ABI the kernel must have to apply this plan exactly (0: best effort, anything goes). */
    public int minAbi() {
        return minAbi;
    }

    /** The path rules with their kernel masks; rules left with no enforceable right are dropped. */
    public List<Path> paths() {
        return paths;
    }

    /** The TCP port rules with their kernel masks. */
    public List<Port> ports() {
        return ports;
    }

    /** What the kernel will enforce of the ruleset, to report to the caller. */
    public LandlockStatus status() {
        return status;
    }

    /** Rights of a file (not a directory) rule: Landlock refuses directory rights there. */
    public static long fileRightsMask() {
        return mask(LandlockRuleset.FILE_RIGHTS);
    }
}
