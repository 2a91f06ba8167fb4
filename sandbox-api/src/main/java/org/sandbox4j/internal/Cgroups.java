package org.sandbox4j.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Errno;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SetupStep;
import org.sandbox4j.cgroup.CgroupLimits;
import org.sandbox4j.cgroup.ResourceUsage;
import org.sandbox4j.landlock.Compatibility;

/**
 * Where a jail's cgroups go, and the cgroups themselves (docs/resources.md). Java finds the place,
 * creates one directory per hierarchy and writes the limits; the launcher (cgroup.c) moves the jail
 * in before it runs, and at the end kills what is left, reads the counters and removes the
 * directories. {@link Jail#cleanup()} is the safety net when the launcher could not (killed by
 * SIGKILL).
 *
 * <p>cgroup v2 is used when its hierarchy has controllers; otherwise the v1 hierarchies of the
 * controllers a jail needs (a hybrid host's controller-less v2 counts for nothing).
 */
public final class Cgroups {
    private static final LazyLog LOG = new LazyLog(Cgroups.class);
    private static final AtomicLong COUNTER = new AtomicLong();
    /** The leaf this JVM moves itself into on cgroup v2 when its own cgroup must get controllers. */
    static final String LEAF = "sb4j-jvm";

    private Cgroups() {}

    /** The cgroup mounts and this process's place in them. */
    public record Host(@Nullable Path v2Mount, String v2Own, Map<String, Path> v1Mounts, Map<String, String> v1Own) {
        /**
         * True when the v2 hierarchy carries the memory controller (a unified host). A hybrid host's
         * v2 may carry a stray controller (hugetlb, misc) while memory, pids and cpu are on v1.
         */
        public boolean v2Usable() {
            return v2Mount != null && !v1Mounts.containsKey("memory")
                    && List.of(read(v2Mount.resolve("cgroup.controllers")).strip().split("\\s+")).contains("memory");
        }

        /** This process's cgroup directory in the v2 hierarchy. */
        public @Nullable Path v2Dir() {
            return v2Mount == null ? null : under(v2Mount, v2Own);
        }

        /** This process's cgroup directory in the v1 hierarchy of {@code controller}. */
        public @Nullable Path v1Dir(String controller) {
            Path m = v1Mounts.get(controller);
            String own = v1Own.get(controller);
            return m == null || own == null ? null : under(m, own);
        }
    }

    private static volatile @Nullable Host host;

    /** The host's cgroup layout, read once (and again after this JVM moved itself, see below). */
    public static Host host() {
        Host h = host;
        if (h == null) {
            h = detect();
            host = h;
        }
        return h;
    }

    static Host detect() {
        Path v2 = null;
        Map<String, Path> v1 = new LinkedHashMap<>();
        for (String line : read(Path.of("/proc/self/mountinfo")).split("\n")) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash < 0 || f.length < dash + 4 || f.length < 5) {
                continue;
            }
            String fstype = f[dash + 1];
            Path mp = Path.of(unescape(f[4]));
            if (fstype.equals("cgroup2")) {
                // The first, or the canonical one when there are several.
                if (v2 == null || mp.equals(Path.of("/sys/fs/cgroup"))) {
                    v2 = mp;
                }
            } else if (fstype.equals("cgroup")) {
                for (String o : f[dash + 3].split(",")) {
                    if (Set.of("memory", "pids", "cpu", "cpuacct").contains(o)) {
                        v1.putIfAbsent(o, mp);
                    }
                }
            }
        }
        String v2Own = "/";
        Map<String, String> v1Own = new LinkedHashMap<>();
        for (String line : read(Path.of("/proc/self/cgroup")).split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                v2Own = f[2];
            }
            for (String c : f[1].split(",")) {
                v1Own.put(c, f[2]);
            }
        }
        return new Host(v2, v2Own, Map.copyOf(v1), Map.copyOf(v1Own));
    }

    /** One directory of a jail's cgroup and the counters the launcher reads from it. */
    record Dir(Path path, boolean v2, boolean created, List<String[]> stats) {}

    /** A jail's cgroups, created and limited, not yet holding the jail. */
    public static final class Jail {
        private final List<Dir> dirs;
        private final List<String> applied;
        private final Map<Integer, Long> rlimits;
        private final CgroupLimits limits;
        private final long pidsApplied;
        private volatile boolean cleaned;

        Jail(List<Dir> dirs, List<String> applied, Map<Integer, Long> rlimits, CgroupLimits limits, long pidsApplied) {
            this.dirs = List.copyOf(dirs);
            this.applied = List.copyOf(applied);
            this.rlimits = Map.copyOf(rlimits);
            this.limits = limits;
            this.pidsApplied = pidsApplied;
        }

        /** What was applied, in words ("memory.max=67108864 in /sys/fs/cgroup/..."). */
        public List<String> applied() {
            return applied;
        }

        /** Whether the jail has a cgroup at all (false: rlimits only). */
        public boolean hasCgroup() {
            return !dirs.isEmpty();
        }

        /** The cgroup directories (tests check they are gone). */
        public List<Path> paths() {
            return dirs.stream().map(Dir::path).toList();
        }

        /** RLIMIT records to add (resource number -> value): the fallbacks and the default process limit. */
        public Map<Integer, Long> rlimits() {
            return rlimits;
        }

        /** Appends the CGROUP records. */
        public void write(SpecWriter w) {
            for (Dir d : dirs) {
                w.cgroup(d.v2 ? Wire.CG_F_V2 | Wire.CG_F_INTO : 0, d.path.toString(), d.stats);
            }
        }

        /** The usage from the counters the launcher sent back (in {@link #write} order), or null. */
        public @Nullable ResourceUsage usage(long @Nullable [] values) {
            if (dirs.isEmpty() || values == null) {
                return null;
            }
            long peak = -1;
            long oom = -1;
            long pidsHits = -1;
            Duration cpu = null;
            int i = 0;
            for (Dir d : dirs) {
                for (String[] st : d.stats) {
                    long v = i < values.length ? values[i] : -1;
                    i++;
                    if (v < 0) {
                        continue; // unreadable (UINT64_MAX on the wire)
                    }
                    switch (st[0] + " " + st[1]) {
                        case "memory.peak ", "memory.max_usage_in_bytes " -> peak = v;
                        case "memory.events oom_kill", "memory.oom_control oom_kill" -> oom = v;
                        case "pids.events max" -> pidsHits = v;
                        case "cpu.stat usage_usec" -> cpu = Duration.ofNanos(v * 1000);
                        case "cpuacct.usage " -> cpu = Duration.ofNanos(v);
                        default -> { }
                    }
                }
            }
            return new ResourceUsage(peak, cpu, oom, pidsHits, limits.memoryMax(), pidsApplied);
        }

        /** {@link #finish()}, for callers that do not need the counters. */
        public void cleanup() {
            finish();
        }

        /**
         * What the launcher does at the end, for when it could not (it was killed by SIGKILL): kills
         * what is left in the cgroups, reads the counters (in {@link #write} order), removes the
         * directories. Idempotent; returns null when the directories were already gone (the launcher
         * removed them and sent the counters itself). Waits at most about two seconds for processes.
         */
        public synchronized long @Nullable [] finish() {
            if (cleaned) {
                return null;
            }
            cleaned = true;
            boolean any = false;
            for (Dir d : dirs) {
                if (!Files.isDirectory(d.path)) {
                    continue;
                }
                any = true;
                if (d.v2) {
                    writeFile(d.path.resolve("cgroup.kill"), "1");
                }
                for (int round = 0; round < 200; round++) {
                    String procs = read(d.path.resolve("cgroup.procs"));
                    if (procs.isBlank()) {
                        break;
                    }
                    for (String pid : procs.split("\n")) {
                        // A task in the middle of its exit is listed as 0: kill(0) would be our own
                        // process group.
                        int n = pid.isBlank() ? 0 : Integer.parseInt(pid.strip());
                        if (n > 1) {
                            LibC.kill(n, LibC.SIGKILL);
                        }
                    }
                    sleep(10);
                }
            }
            if (!any) {
                return null;
            }
            List<Long> values = new ArrayList<>();
            for (Dir d : dirs) {
                for (String[] st : d.stats) {
                    values.add(counter(read(d.path.resolve(st[0])), st[1]));
                }
            }
            for (int i = dirs.size() - 1; i >= 0; i--) {
                Path p = dirs.get(i).path;
                for (int round = 0; round < 200 && Files.isDirectory(p) && LibC.rmdir(p.toString()) != 0; round++) {
                    sleep(10);
                }
                if (Files.isDirectory(p)) {
                    LOG.get().warn("sandbox4j: could not remove the jail's cgroup {}", p);
                }
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /**
     * Creates the jail's cgroups with {@code limits} (plus the default process limit). STRICT: a
     * limit that cannot be applied throws, naming what is missing and the fix. BEST_EFFORT: rlimits
     * instead, listed in {@link Jail#applied()}. Without any cgroup limit only the default process
     * limit is returned, as RLIMIT_NPROC (no cgroup is created: a cgroup per jail costs time).
     *
     * @param newUserNs the jail gets its own user namespace (RLIMIT_NPROC then counts only its processes)
     * @param nprocSet the caller set RLIMIT_NPROC itself
     * @param asSet the caller set RLIMIT_AS itself
     */
    public static Jail create(CgroupLimits limits, boolean newUserNs, boolean nprocSet, boolean asSet)
            throws SandboxSetupException {
        Map<Integer, Long> rl = new LinkedHashMap<>();
        List<String> applied = new ArrayList<>();
        if (!limits.any()) {
            if (newUserNs && !nprocSet) {
                rl.put(RLIMIT_NPROC, CgroupLimits.DEFAULT_PIDS);
                applied.add("RLIMIT_NPROC=" + CgroupLimits.DEFAULT_PIDS + " (default process limit)");
            }
            return new Jail(List.of(), applied, rl, limits, newUserNs && !nprocSet ? CgroupLimits.DEFAULT_PIDS : -1);
        }
        try {
            return createCgroups(limits, newUserNs, nprocSet);
        } catch (SandboxSetupException e) {
            if (limits.compatibility() == Compatibility.STRICT) {
                throw e;
            }
            LOG.get().warn("sandbox4j: cgroup limits not applied (best effort): {}", e.getMessage());
            applied.add("no cgroup (best effort): " + e.getMessage().lines().findFirst().orElse(""));
            if (limits.memoryMax() > 0 && !asSet) {
                rl.put(RLIMIT_AS, limits.memoryMax());
                applied.add("RLIMIT_AS=" + limits.memoryMax() + " instead of memory.max (counts address space, not tmpfs)");
            }
            long pids = limits.pidsMax() > 0 ? limits.pidsMax() : CgroupLimits.DEFAULT_PIDS;
            if (newUserNs && !nprocSet) {
                rl.put(RLIMIT_NPROC, pids);
                applied.add("RLIMIT_NPROC=" + pids + " instead of pids.max");
            }
            if (limits.cpuQuotaMicros() > 0) {
                applied.add("no CPU limit: an rlimit cannot share a core (RLIMIT_CPU bounds total seconds)");
            }
            return new Jail(List.of(), applied, rl, limits, newUserNs && !nprocSet ? pids : -1);
        }
    }

    private static final int RLIMIT_NPROC = 6;
    private static final int RLIMIT_AS = 9;

    private static Jail createCgroups(CgroupLimits limits, boolean newUserNs, boolean nprocSet) throws SandboxSetupException {
        Host h = host();
        String name = "sb4j-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        List<Dir> dirs = new ArrayList<>();
        List<String> applied = new ArrayList<>();
        Map<Integer, Long> rl = new LinkedHashMap<>();
        long pids = limits.pidsMax() > 0 ? limits.pidsMax() : CgroupLimits.DEFAULT_PIDS;
        long pidsApplied = -1;
        try {
            if (h.v2Usable()) {
                Set<String> need = new LinkedHashSet<>();
                if (limits.memoryMax() > 0) {
                    need.add("memory");
                }
                if (limits.pidsMax() > 0) {
                    need.add("pids");
                }
                if (limits.cpuQuotaMicros() > 0) {
                    need.add("cpu");
                }
                Path base = v2Base(h, limits, need);
                Set<String> have = Set.of(read(base.resolve("cgroup.subtree_control")).strip().split("\\s+"));
                if (!have.contains("pids") && !need.contains("pids")) {
                    // the default process limit: best effort, as RLIMIT_NPROC
                    enable(base, Set.of("pids"), false);
                    have = Set.of(read(base.resolve("cgroup.subtree_control")).strip().split("\\s+"));
                }
                Path dir = base.resolve(name);
                mkdir(dir, limits);
                dirs.add(new Dir(dir, true, true, v2Stats(have)));
                if (limits.memoryMax() > 0) {
                    limit(dir, "memory.max", limits.memoryMax(), limits, applied);
                    if (limits.swapMax() >= 0 && Files.exists(dir.resolve("memory.swap.max"))) {
                        limit(dir, "memory.swap.max", limits.swapMax(), limits, applied);
                    }
                    // One OOM kill ends the whole jail: a half-killed program is worse than a dead one.
                    writeFile(dir.resolve("memory.oom.group"), "1");
                }
                if (have.contains("pids")) {
                    limit(dir, "pids.max", pids, limits, applied);
                    pidsApplied = pids;
                } else if (newUserNs && !nprocSet) {
                    rl.put(RLIMIT_NPROC, pids);
                    applied.add("RLIMIT_NPROC=" + pids + " (no pids controller in " + base + ")");
                    pidsApplied = pids;
                }
                if (limits.cpuQuotaMicros() > 0) {
                    limitText(dir, "cpu.max", limits.cpuQuotaMicros() + " " + limits.cpuPeriodMicros(), limits, applied);
                }
            } else {
                Map<Path, Set<String>> byMount = new LinkedHashMap<>();
                Set<String> need = new LinkedHashSet<>();
                if (limits.memoryMax() > 0) {
                    need.add("memory");
                }
                need.add("pids"); // explicit or the default limit
                if (limits.cpuQuotaMicros() > 0) {
                    need.add("cpu");
                }
                need.add("cpuacct"); // the CPU time report
                for (String c : need) {
                    Path base = v1Base(h, limits, c);
                    if (base == null) {
                        boolean required = c.equals("memory") || c.equals("cpu") || (c.equals("pids") && limits.pidsMax() > 0);
                        if (required) {
                            throw missing(limits, "no cgroup hierarchy with the " + c + " controller is mounted (neither a v1 "
                                    + c + " hierarchy nor a cgroup2 with controllers)",
                                    "mount cgroup2 at /sys/fs/cgroup (systemd.unified_cgroup_hierarchy=1), or the v1 " + c
                                            + " hierarchy");
                        }
                        continue;
                    }
                    byMount.computeIfAbsent(base, k -> new LinkedHashSet<>()).add(c);
                }
                for (Map.Entry<Path, Set<String>> e : byMount.entrySet()) {
                    Set<String> cs = e.getValue();
                    Path dir = e.getKey().resolve(name);
                    boolean required = cs.contains("memory") || cs.contains("cpu") || (cs.contains("pids") && limits.pidsMax() > 0);
                    if (!required) {
                        // pids for the default limit, cpuacct for the report: best effort, never failing
                        if (LibC.mkdir(dir.toString(), 0755) != 0) {
                            if (cs.contains("pids") && newUserNs && !nprocSet) {
                                rl.put(RLIMIT_NPROC, pids);
                                applied.add("RLIMIT_NPROC=" + pids + " (cannot create " + dir + ": "
                                        + Errno.name(LibC.errno()) + ")");
                                pidsApplied = pids;
                            }
                            continue;
                        }
                        adoptOwner(dir, e.getKey());
                    } else {
                        mkdir(dir, limits);
                    }
                    dirs.add(new Dir(dir, false, true, v1Stats(cs)));
                    if (cs.contains("memory")) {
                        limit(dir, "memory.limit_in_bytes", limits.memoryMax(), limits, applied);
                        if (limits.swapMax() >= 0 && Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
                            limit(dir, "memory.memsw.limit_in_bytes", limits.memoryMax() + limits.swapMax(), limits, applied);
                        }
                    }
                    if (cs.contains("pids")) {
                        if (required) {
                            limit(dir, "pids.max", pids, limits, applied);
                        } else if (writeFile(dir.resolve("pids.max"), Long.toString(pids)) == 0) {
                            applied.add("pids.max=" + pids + " in " + dir + " (default)");
                        }
                        pidsApplied = pids;
                    }
                    if (cs.contains("cpu")) {
                        limit(dir, "cpu.cfs_period_us", limits.cpuPeriodMicros(), limits, applied);
                        limit(dir, "cpu.cfs_quota_us", limits.cpuQuotaMicros(), limits, applied);
                    }
                }
            }
        } catch (SandboxSetupException | RuntimeException e) {
            new Jail(dirs, applied, rl, limits, pidsApplied).cleanup();
            throw e;
        }
        return new Jail(dirs, applied, rl, limits, pidsApplied);
    }

    private static List<String[]> v2Stats(Set<String> controllers) {
        List<String[]> s = new ArrayList<>();
        if (controllers.contains("memory")) {
            s.add(new String[] {"memory.events", "oom_kill"});
            s.add(new String[] {"memory.peak", ""});
        }
        if (controllers.contains("pids")) {
            s.add(new String[] {"pids.events", "max"});
        }
        s.add(new String[] {"cpu.stat", "usage_usec"});
        return s;
    }

    private static List<String[]> v1Stats(Set<String> controllers) {
        List<String[]> s = new ArrayList<>();
        if (controllers.contains("memory")) {
            s.add(new String[] {"memory.oom_control", "oom_kill"});
            s.add(new String[] {"memory.max_usage_in_bytes", ""});
        }
        if (controllers.contains("pids")) {
            s.add(new String[] {"pids.events", "max"});
        }
        if (controllers.contains("cpuacct")) {
            s.add(new String[] {"cpuacct.usage", ""});
        }
        return s;
    }

    /** The v1 parent for {@code controller}: cgroupParent mapped into that hierarchy, or this JVM's cgroup. */
    private static @Nullable Path v1Base(Host h, CgroupLimits limits, String controller) {
        Path mount = h.v1Mounts().get(controller);
        if (mount == null) {
            return null;
        }
        Path parent = limits.parent();
        if (parent != null) {
            // Below this JVM's cgroup in some hierarchy: the same path below its cgroup in this one
            // (the JVM's place differs between hierarchies, e.g. memory:/app but pids:/).
            for (String c : h.v1Mounts().keySet()) {
                Path own = h.v1Dir(c);
                if (own != null && parent.startsWith(own) && h.v1Dir(controller) != null) {
                    return h.v1Dir(controller).resolve(own.relativize(parent).toString());
                }
            }
            for (Path m : h.v1Mounts().values()) {
                if (parent.startsWith(m)) {
                    return mount.resolve(m.relativize(parent).toString());
                }
            }
            return parent.startsWith("/") && !parent.startsWith(Path.of("/sys/fs/cgroup")) ? mount.resolve(parent.toString().substring(1)) : parent;
        }
        return h.v1Dir(controller);
    }

    /**
     * The v2 parent: cgroupParent, or this JVM's cgroup (as root in the root cgroup: a "sandbox4j"
     * child the library creates). The controllers the limits need are enabled in its
     * cgroup.subtree_control; where that is refused because this JVM sits in that very cgroup (the
     * "no internal processes" rule) and it is the only process there, the JVM first moves itself into
     * a leaf child "sb4j-jvm", as systemd's delegation documentation prescribes.
     */
    private static Path v2Base(Host h, CgroupLimits limits, Set<String> need) throws SandboxSetupException {
        Path base;
        if (limits.parent() != null) {
            base = limits.parent();
        } else {
            Path own = h.v2Dir();
            if (own == null) {
                throw missing(limits, "no cgroup2 mount", "mount cgroup2 at /sys/fs/cgroup");
            }
            if (h.v2Own().equals("/")) {
                base = own.resolve("sandbox4j");
                enable(own, need, true, limits);
                if (LibC.mkdir(base.toString(), 0755) != 0 && LibC.errno() != 17 /* EEXIST */) {
                    throw cgroupError(limits, LibC.errno(), base, "create the library's cgroup subtree", fixFor(base));
                }
            } else if (own.getFileName().toString().equals(LEAF)) {
                base = own.getParent(); // this JVM moved itself into a leaf of its delegated cgroup
            } else {
                base = own;
            }
        }
        if (!Files.isDirectory(base) || !Files.exists(base.resolve("cgroup.controllers"))) {
            throw cgroupError(limits, 2, base, "not a cgroup v2 directory", "give cgroupParent a directory of the cgroup2 file system");
        }
        enable(base, need, true, limits);
        return base;
    }

    private static void enable(Path base, Set<String> need, boolean strict) {
        try {
            enable(base, need, strict, CgroupLimits.NONE);
        } catch (SandboxSetupException e) {
            LOG.get().debug("sandbox4j: {}", e.getMessage());
        }
    }

    private static synchronized void enable(Path base, Set<String> need, boolean strict, CgroupLimits limits)
            throws SandboxSetupException {
        Set<String> available = Set.of(read(base.resolve("cgroup.controllers")).strip().split("\\s+"));
        Set<String> missingCtl = new LinkedHashSet<>(need);
        missingCtl.removeAll(available);
        if (!missingCtl.isEmpty()) {
            throw missing(limits, "the " + String.join(", ", missingCtl) + " controller" + (missingCtl.size() > 1 ? "s are" : " is")
                    + " not available in " + base + " (cgroup.controllers: " + String.join(" ", available) + ")",
                    "enable " + String.join(" ", missingCtl) + " in the parent's cgroup.subtree_control (systemd: Delegate=yes,"
                            + " or Delegate=" + String.join(" ", need) + ")");
        }
        Set<String> enabled = Set.of(read(base.resolve("cgroup.subtree_control")).strip().split("\\s+"));
        StringBuilder sb = new StringBuilder();
        for (String c : need) {
            if (!enabled.contains(c)) {
                sb.append(sb.length() == 0 ? "" : " ").append('+').append(c);
            }
        }
        if (sb.length() == 0) {
            return;
        }
        // Never enable a controller on a cgroup that holds processes (the root cgroup excepted): the
        // kernel refuses domain controllers (EBUSY), and accepts threaded ones (pids, cpu), which
        // would make it a thread root whose children can hold no jail (EOPNOTSUPP).
        if (!isV2Root(base) && !read(base.resolve("cgroup.procs")).isBlank()) {
            moveSelfToLeaf(base, limits);
        }
        Path ctl = base.resolve("cgroup.subtree_control");
        int err = writeFile(ctl, sb.toString());
        if (err != 0) {
            throw cgroupError(limits, err, ctl, "enable " + sb, fixFor(base));
        }
    }

    private static boolean isV2Root(Path dir) {
        return !Files.exists(dir.resolve("cgroup.type")); // every non-root v2 cgroup has one
    }

    /** The "no internal processes" rule: move this JVM (only if it is alone there) into base/sb4j-jvm. */
    private static void moveSelfToLeaf(Path base, CgroupLimits limits) throws SandboxSetupException {
        long self = ProcessHandle.current().pid();
        List<String> others = new ArrayList<>();
        for (String p : read(base.resolve("cgroup.procs")).split("\n")) {
            if (!p.isBlank() && Long.parseLong(p.strip()) != self) {
                others.add(p.strip());
            }
        }
        if (!others.isEmpty()) {
            throw cgroupError(limits, 16, base, "cgroup v2 allows no controllers on a cgroup that holds processes, and "
                    + base + " holds this JVM and " + others.size() + " other process(es) (" + String.join(" ", others.subList(0, Math.min(5, others.size())))
                    + ")", "start the JVM alone in its delegated cgroup (systemd-run --user --scope -p Delegate=yes java ...),"
                    + " or move the other processes into a leaf, or pass a cgroup without processes as cgroupParent(...)");
        }
        Path leaf = base.resolve(LEAF);
        if (LibC.mkdir(leaf.toString(), 0755) != 0 && LibC.errno() != 17) {
            throw cgroupError(limits, LibC.errno(), leaf, "create a leaf cgroup for this JVM", fixFor(base));
        }
        int err = writeFile(leaf.resolve("cgroup.procs"), Long.toString(self));
        if (err != 0) {
            throw cgroupError(limits, err, leaf, "move this JVM into its leaf cgroup", fixFor(base));
        }
        LOG.get().info("sandbox4j: moved this JVM into {} so that jails can get cgroups next to it (cgroup v2 rule: no"
                + " processes in a cgroup that has controller-enabled children)", leaf);
        host = null; // its v2 path changed
    }

    private static void mkdir(Path dir, CgroupLimits limits) throws SandboxSetupException {
        if (LibC.mkdir(dir.toString(), 0755) != 0) {
            int err = LibC.errno();
            throw cgroupError(limits, err, dir, "create the jail's cgroup", fixFor(dir.getParent()));
        }
        adoptOwner(dir, dir.getParent());
    }

    /**
     * A root JVM creating a jail's cgroup in a subtree delegated to another user gives it to that
     * user (its launcher may run as that user, and must move the jail in).
     */
    private static void adoptOwner(Path dir, Path parent) {
        if (LibC.geteuid() != 0) {
            return;
        }
        try {
            int uid = (Integer) Files.getAttribute(parent, "unix:uid");
            int gid = (Integer) Files.getAttribute(parent, "unix:gid");
            if (uid == 0 && gid == 0) {
                return;
            }
            for (String f : new String[] {"", "cgroup.procs", "tasks", "cgroup.subtree_control", "cgroup.threads"}) {
                Path p = f.isEmpty() ? dir : dir.resolve(f);
                if (Files.exists(p)) {
                    LibC.chown(p.toString(), uid, gid);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.get().debug("sandbox4j: owner of {} not read: {}", parent, e.toString());
        }
    }

    private static void limit(Path dir, String file, long value, CgroupLimits limits, List<String> applied)
            throws SandboxSetupException {
        limitText(dir, file, Long.toString(value), limits, applied);
    }

    private static void limitText(Path dir, String file, String value, CgroupLimits limits, List<String> applied)
            throws SandboxSetupException {
        int err = writeFile(dir.resolve(file), value);
        if (err != 0) {
            throw cgroupError(limits, err, dir.resolve(file), "write " + value, err == 2
                    ? "this kernel has no " + file + " (a controller or an option like swapaccount=1 is missing)"
                    : "check the value and the limits of the parent cgroup");
        }
        applied.add(file + "=" + value + " in " + dir);
    }

    private static String fixFor(@Nullable Path parent) {
        int uid = LibC.geteuid();
        String who = uid == 0 ? "root" : "uid " + uid;
        return "the cgroup " + parent + " is not delegated to " + who + ". Fixes: run the JVM in a delegated cgroup v2"
                + " subtree (systemd-run --user --scope -p Delegate=yes java ..., or a service unit with Delegate=yes),"
                + " or in a container with a private, writable cgroup namespace (docker run --cgroupns=private and a"
                + " writable /sys/fs/cgroup), or pass a directory this user owns with cgroupParent(...); on cgroup v1 only"
                + " root, or a subtree chowned to this user in each hierarchy, can do it; or choose"
                + " cgroupCompatibility(BEST_EFFORT) for rlimits instead (docs/resources.md)";
    }

    private static SandboxSetupException missing(CgroupLimits limits, String what, String fix) {
        return new SandboxSetupException(SetupStep.CGROUP, 0, "", what, limits.describe().isEmpty() ? null : limits.describe(),
                fix + " (docs/resources.md)");
    }

    private static SandboxSetupException cgroupError(CgroupLimits limits, int errno, Path path, String what, String fix) {
        return new SandboxSetupException(SetupStep.CGROUP, errno, path.toString(), what,
                limits.describe().isEmpty() ? null : limits.describe(), fix);
    }

    /** The hint for a launcher that could not move the jail into its cgroup (status step "cgroup"). */
    public static String launcherHint(int errno, String path) {
        if (errno == 13 || errno == 1) {
            return "the launcher's user may not move processes into " + path + ": " + fixFor(Path.of(path).getParent());
        }
        return "see docs/resources.md";
    }

    /** A counter as the launcher reads it: the first number, or the value on the line "key N"; -1 if absent. */
    static long counter(String text, String key) {
        for (String line : text.split("\n")) {
            String v = key.isEmpty() ? line.strip() : line.startsWith(key + " ") ? line.substring(key.length() + 1).strip() : null;
            if (v != null) {
                try {
                    return Long.parseLong(v.split("\\s+")[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Writes {@code text} to a cgroup file; returns 0 or the errno. */
    static int writeFile(Path file, String text) {
        int fd = LibC.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            return LibC.errno();
        }
        try {
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            long n = LibC.write(fd, b, b.length);
            return n == b.length ? 0 : n < 0 ? LibC.errno() : 5;
        } finally {
            LibC.close(fd);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static Path under(Path mount, String own) {
        String rel = own.startsWith("/") ? own.substring(1) : own;
        return rel.isEmpty() ? mount : mount.resolve(rel);
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
