package org.sandbox4j;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.internal.HostDiagnosis;
import org.sandbox4j.internal.SeccompChoice;
import org.sandbox4j.internal.SetupFailures;
import org.sandbox4j.internal.SpecEncoder;
import org.sandbox4j.internal.SpecWriter;
import org.sandbox4j.internal.Cgroups;
import org.sandbox4j.cgroup.CgroupLimits;
import org.sandbox4j.internal.Spawner;
import org.sandbox4j.landlock.Landlock;
import org.sandbox4j.landlock.LandlockPlan;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.BindOption;
import org.sandbox4j.mount.JailPath;
import org.sandbox4j.mount.MountOp;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.seccomp.SeccompProgram;

/**
 * A jail: an immutable, validated, thread-safe description of where and how a program runs.
 * Build it once, start it many times.
 *
 * <pre>{@code
 * Sandbox sandbox = Sandbox.builder()            // strict by default: all namespaces new, no network,
 *         .readOnlySystem()                      // an empty read-only root, no capabilities, ...
 *         .tmpfs("/tmp")
 *         .readWrite(inputDir, "/input")
 *         .build();
 * Process p = sandbox.start("/usr/bin/pdftotext", "/input/in.pdf", "-");
 * }</pre>
 *
 * <p>What a jail gets unless the builder says otherwise: new user, mount, pid, ipc, uts, net and
 * cgroup namespaces; an empty tmpfs as root, made read-only once the mounts are in place; uid and gid
 * 65534 inside (mapped to the caller's own ids, or to 65534 when the JVM is root); no capabilities;
 * no_new_privs; the seccomp deny list of {@link SeccompPolicies#defaultDenyList()}; a new session (no
 * controlling terminal, so no TIOCSTI); an empty environment; only
 * stdin, stdout and stderr open; host name {@code sandbox}; an init process as pid 1 that forwards
 * signals and reaps; and death with the JVM. Resource defaults (best effort, never failing a
 * start, docs/resources.md): at most 512 processes ({@code pids.max} where the jail has a cgroup,
 * else RLIMIT_NPROC in its user namespace), RLIMIT_NOFILE 1024, RLIMIT_CORE 0, and every tmpfs
 * without a size capped at 256 MiB and 65536 inodes. Cgroup limits ({@link
 * Builder#memoryLimit(long)}, {@link Builder#pidsLimit(long)}, {@link Builder#cpuLimit(double)})
 * are strict: a limit that cannot be applied fails {@link #start(List)}.
 */
public final class Sandbox {
    /** The uid and gid a jail runs as unless the builder chooses another ({@code nobody}). */
    public static final int NOBODY = 65534;

    private final Set<Namespace> shared;
    private final @Nullable Path rootDir;
    private final boolean rootWritable;
    private final boolean rootNoSymlinks;
    private final List<MountOp> ops;
    private final int uid;
    private final int gid;
    private final int hostUid;
    private final int hostGid;
    private final List<IdMap> uidMaps;
    private final List<IdMap> gidMaps;
    private final @Nullable String hostname;
    private final Map<String, String> env;
    private final String cwd;
    private final Map<Rlimit, long[]> rlimits;
    private final Set<Capability> keptCaps;
    private final @Nullable Duration timeLimit;
    private final Duration setupTimeout;
    private final List<int[]> keptFds;
    private final Redirect stdin;
    private final Redirect stdout;
    private final Redirect stderr;
    private final boolean redirectErrorStream;
    private final boolean init;
    private final boolean newSession;
    private final boolean dieWithParent;
    private final byte @Nullable [] seccompProgram;
    // ---- seccomp supervisor (issue 15): violation reports, learning ----
    private final boolean reportViolations;
    private final org.sandbox4j.seccomp.@Nullable SyscallRecorder recorder;
    // ---- end seccomp supervisor ----
    private final @Nullable LandlockRuleset landlock;
    private final @Nullable LandlockPlan landlockPlan;
    private final CgroupLimits cgroupLimits;
    /** The launcher chosen for this jail, or null for the JVM's default at each start. */
    private final @Nullable Launcher launcher;
    private final org.sandbox4j.runtime.JailRuntime runtime;

    /** The spec's records that do not depend on the command, encoded once. */
    private final SpecWriter.Spec specPrefix;

    /** Best effort (see {@link BestEffort}): the features required of it, null when strict. */
    private final @Nullable Set<Isolation.Feature> bestEffortRequired;
    /** The jail started instead of this one where the host refuses namespaces (null when strict). */
    private final @Nullable Sandbox bestEffortTwin;

    private Sandbox(Builder b, @Nullable Sandbox bestEffortTwin) {
        this.bestEffortRequired = b.bestEffortRequired == null ? null : Collections.unmodifiableSet(b.bestEffortRequired.clone());
        this.bestEffortTwin = bestEffortTwin;
        this.shared = Collections.unmodifiableSet(EnumSet.copyOf(b.shared.isEmpty() ? EnumSet.noneOf(Namespace.class) : b.shared));
        this.rootDir = b.rootDir;
        this.rootWritable = b.rootWritable;
        this.rootNoSymlinks = b.rootNoSymlinks;
        this.ops = List.copyOf(b.ops);
        this.uid = b.uid;
        this.gid = b.gid;
        this.hostUid = b.hostUid;
        this.hostGid = b.hostGid;
        this.uidMaps = List.copyOf(b.uidMaps);
        this.gidMaps = List.copyOf(b.gidMaps);
        this.hostname = b.hostname;
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.cwd = b.cwd;
        EnumMap<Rlimit, long[]> rl = new EnumMap<>(Rlimit.class);
        b.rlimits.forEach((k, v) -> rl.put(k, v.clone()));
        this.rlimits = Collections.unmodifiableMap(rl);
        this.keptCaps = Collections.unmodifiableSet(b.keptCaps.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(b.keptCaps));
        this.timeLimit = b.timeLimit;
        this.setupTimeout = b.setupTimeout;
        List<int[]> fds = new ArrayList<>();
        for (int[] f : b.keptFds) {
            fds.add(f.clone());
        }
        this.keptFds = Collections.unmodifiableList(fds);
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.redirectErrorStream = b.redirectErrorStream;
        this.init = b.init;
        this.newSession = b.newSession;
        this.dieWithParent = b.dieWithParent;
        this.seccompProgram = b.seccomp.bytes();
        this.reportViolations = b.reportViolations;
        this.recorder = b.recorder;
        this.landlock = b.landlock;
        this.landlockPlan = b.landlock == null ? null : Landlock.plan(b.landlock);
        this.cgroupLimits = b.cgroupLimits;
        this.launcher = b.launcher;
        this.runtime = b.runtime;
        this.specPrefix = SpecEncoder.prefix(new SpecEncoder.Jail(shared, rootDir, rootWritable, rootNoSymlinks, ops,
                uid, gid, hostUid, hostGid, uidMaps, gidMaps, hostname, env, cwd, rlimits, defaultNofile(), keptCaps,
                keptFds, timeLimit, init, newSession, dieWithParent, landlockPlan, recorder != null, reportViolations,
                seccompProgram));
    }

    /** A builder for a strict jail; see the class documentation for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The JVM's spawn mode: {@code true} (the default) starts every jail of this JVM through one
     * prestarted launcher (the "zygote", started lazily on the next start) that clones jails on
     * request; {@code false} spawns a launcher per jail. Without a call, {@code
     * -Dsandbox4j.spawn=per-jail} turns the prestarted mode off. Jails behave
     * the same in both modes, except that {@link SandboxedProcess#pid()} is the jail's pid 1 rather than
     * its launcher's, and that killing the zygote kills every jail it runs. A jail that shares the
     * pid namespace ({@code share(PID)}) or keeps the caller's session ({@code sameSession()}) is
     * still started by a launcher of its own. See docs/architecture.md.
     *
     * @deprecated a jail chooses its launcher: {@link Builder#launcher(Launcher)} with {@link
     *     Launcher#prestarted()}; the JVM's default is {@link Launcher#setDefault(Launcher)}. This sets
     *     the default's mode and keeps its prefix.
     */
    @Deprecated
    public static void usePrestartedLauncher(boolean on) {
        org.sandbox4j.internal.PrestartedLauncher.setEnabled(on);
    }

    /**
     * Starts every jail of this JVM from now on with the launcher installed at {@code launcher} by
     * {@code sandbox4j install-launcher} (as {@code -Dsandbox4j.launcher=PATH} does): on hosts where
     * AppArmor gives user namespaces only to profiled programs, the installed launcher carries the
     * profile that allows them (docs/deployment.md).
     *
     * @throws SandboxException when the file is not root-owned and unwritable by others, or is not
     *     byte for byte the launcher in this jar (its sha256 is compared)
     */
    public static void useInstalledLauncher(Path launcher) throws SandboxException {
        org.sandbox4j.internal.LauncherBinary.useInstalled(launcher);
    }

    /** A builder that starts from this jail's settings, to derive a variant. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Starts {@code command} in the jail; see {@link #start(List)}. */
    public SandboxedProcess start(String... command) throws IOException {
        return start(Arrays.asList(command));
    }

    /**
     * Starts {@code command} in a new jail and returns once the program runs.
     *
     * <p>{@code command.get(0)} is the program: an absolute path inside the jail, or a bare name
     * looked up in the jail's {@code PATH} (or {@code /usr/local/bin:/usr/bin:/bin} when the jail's
     * environment has none).
     *
     * @throws SandboxSetupException when a step of building the jail failed (naming the step, path,
     *     errno and builder call); nothing of that jail is left behind
     * @throws SandboxException when the launcher could not be started at all
     */
    public SandboxedProcess start(List<String> command) throws IOException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        checkLockdown();
        String program = command.get(0);
        if (program.isEmpty() || program.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the program name is empty or contains NUL");
        }
        if (program.indexOf('/') >= 0 && program.charAt(0) != '/') {
            throw new IllegalArgumentException("program '" + program
                    + "' is a relative path; give an absolute path inside the jail or a bare name found in PATH");
        }
        for (String arg : command) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argument contains a NUL character");
            }
        }
        if (runtime != org.sandbox4j.runtime.JailRuntime.NATIVE) {
            SandboxedProcess p = new SandboxedProcess(org.sandbox4j.runtime.Gvisor.start(settings(), command,
                    (launcher != null ? launcher : Launcher.getDefault()).prefix()));
            p.isolation(isolation(Isolation.Level.FULL, null));
            return p;
        }
        SpecWriter w = SpecEncoder.withCommand(specPrefix, command);
        if (bestEffortTwin != null && BestEffort.refusedCause() != null) {
            return startBestEffort(command, BestEffort.refusedCause());
        }
        SandboxedProcess p;
        try {
            p = spawn(w);
        } catch (SandboxSetupException e) {
            if (bestEffortTwin == null || !BestEffort.isRefusal(e)) {
                throw e;
            }
            String cause = BestEffort.cause(e.errno());
            BestEffort.refused(cause);
            return startBestEffort(command, cause);
        }
        p.isolation(isolation(Isolation.Level.FULL, null));
        return p;
    }

    private SandboxedProcess spawn(SpecWriter w) throws IOException {
        Cgroups.Jail cg = Cgroups.create(cgroupLimits, !shared.contains(Namespace.USER), rlimits.containsKey(Rlimit.NPROC),
                rlimits.containsKey(Rlimit.AS));
        cg.rlimits().forEach((r, v) -> w.rlimit(r, v, v));
        cg.write(w);
        int[] jvmFds = new int[keptFds.size()];
        for (int i = 0; i < jvmFds.length; i++) {
            jvmFds[i] = keptFds.get(i)[0];
        }
        Spawner.Spawned s;
        try {
            s = Spawner.spawn(w.toSpec(), launcher != null ? launcher : Launcher.getDefault(), stdin, stdout, stderr, redirectErrorStream, jvmFds,
                    setupTimeout.toMillis(), this::toException);
        } catch (IOException | RuntimeException | Error e) {
            cg.cleanup();
            throw e;
        }
        return new SandboxedProcess(s, recorder, cg);
    }

    /** A jail after a lockdown gets no more than the lockdown left this JVM (LockdownState). */
    private void checkLockdown() throws SandboxException {
        if (org.sandbox4j.internal.LockdownState.applied().isEmpty()) {
            return;
        }
        List<String> writable = new ArrayList<>();
        for (MountOp op : ops) {
            if (op instanceof MountOp.Bind bind && !bind.readOnly()) {
                writable.add(bind.source());
            }
        }
        if (rootDir != null && rootWritable) {
            writable.add(rootDir.toString());
        }
        List<String> caps = keptCaps.stream().map(Enum::name).toList();
        org.sandbox4j.internal.LockdownState.check(hostUid >= 0, caps, writable);
    }

    /** The cgroup limits (docs/resources.md); {@link CgroupLimits#NONE} without any. */
    public CgroupLimits cgroupLimits() {
        return cgroupLimits;
    }

    /**
     * The resource limits a start would apply, in words, without starting anything but probing the
     * host's cgroups: {@code sandbox4j run --dry-run} prints it.
     */
    public List<String> describeResourceLimits() {
        List<String> l = new ArrayList<>();
        if (cgroupLimits.any()) {
            l.add("cgroup: " + cgroupLimits.describe() + " (" + cgroupLimits.compatibility().name().toLowerCase(java.util.Locale.ROOT)
                    + ")" + (cgroupLimits.parent() != null ? " under " + cgroupLimits.parent() : ""));
        }
        if (!rlimits.containsKey(Rlimit.NPROC)) {
            l.add("processes: at most " + (cgroupLimits.pidsMax() > 0 ? cgroupLimits.pidsMax() : CgroupLimits.DEFAULT_PIDS)
                    + (cgroupLimits.any() ? " (pids.max)" : shared.contains(Namespace.USER) ? " (none: share(USER) shares the host's counts)"
                            : " (RLIMIT_NPROC in the jail's user namespace; default)"));
        }
        rlimits.forEach((r, v) -> l.add(r.kernelName() + "=" + (v[0] == Rlimit.INFINITY ? "unlimited" : v[0])
                + (v[1] != v[0] ? "/" + (v[1] == Rlimit.INFINITY ? "unlimited" : v[1]) : "")));
        if (!rlimits.containsKey(Rlimit.NOFILE)) {
            l.add("RLIMIT_NOFILE=" + defaultNofile() + " (default)");
        }
        if (!rlimits.containsKey(Rlimit.CORE)) {
            l.add("RLIMIT_CORE=0 (default)");
        }
        for (MountOp op : ops) {
            if (op instanceof MountOp.Tmpfs t) {
                l.add("tmpfs " + t.target() + ": " + (t.sizeBytes() > 0 ? CgroupLimits.formatBytes(t.sizeBytes())
                        : CgroupLimits.formatBytes(DEFAULT_TMPFS_BYTES) + ", " + DEFAULT_TMPFS_INODES + " inodes (default)"));
            }
        }
        return l;
    }

    /** The size of a tmpfs without one: 256 MiB. */
    public static final long DEFAULT_TMPFS_BYTES = SpecEncoder.DEFAULT_TMPFS_BYTES;
    /** The inode limit of a tmpfs without a size. */
    public static final long DEFAULT_TMPFS_INODES = SpecEncoder.DEFAULT_TMPFS_INODES;
    private static final long DEFAULT_NOFILE = 1024;

    /** 1024, or more when a kept fd is mapped higher (its dup2 would fail otherwise). */
    private long defaultNofile() {
        long n = DEFAULT_NOFILE;
        for (int[] f : keptFds) {
            n = Math.max(n, f[1] + 1L);
        }
        return n;
    }

    // ---- best effort (issue 14; see BestEffort) -----------------------------------------------

    /** Starts the best-effort twin, unless it falls short of what the caller requires. */
    private SandboxedProcess startBestEffort(List<String> command, String cause) throws IOException {
        Sandbox twin = java.util.Objects.requireNonNull(bestEffortTwin);
        Isolation iso = twin.isolation(Isolation.Level.BEST_EFFORT, cause);
        List<String> missing = new ArrayList<>();
        for (Isolation.Feature f : java.util.Objects.requireNonNull(bestEffortRequired)) {
            if (!iso.applied().contains(f)) {
                missing.add(f + " (" + iso.notApplied().getOrDefault(f, "not asked for by this jail") + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new SandboxSetupException(SetupStep.CLONE, 1, "", "the host refuses namespaces (" + cause
                    + ") and best effort lacks the required " + String.join(", ", missing), "bestEffort(...)",
                    HostDiagnosis.userNamespaceRefused(1));
        }
        SpecWriter w = SpecEncoder.withCommand(twin.specPrefix, command);
        SandboxedProcess p = twin.spawn(w);
        p.isolation(iso);
        return p;
    }

    /** What this jail's spec applies at {@code level}. */
    Isolation isolation(Isolation.Level level, @Nullable String cause) {
        EnumSet<Isolation.Feature> wanted = EnumSet.of(Isolation.Feature.NAMESPACES);
        if (seccompProgram != null || level == Isolation.Level.BEST_EFFORT) {
            wanted.add(Isolation.Feature.SECCOMP);
        }
        if (landlock != null) {
            if (!landlock.handledFs().isEmpty()) {
                wanted.add(Isolation.Feature.LANDLOCK_FILES);
            }
            if (!landlock.handledNet().isEmpty()) {
                wanted.add(Isolation.Feature.LANDLOCK_TCP);
            }
            if (!landlock.scopes().isEmpty()) {
                wanted.add(Isolation.Feature.LANDLOCK_SCOPES);
            }
        }
        return Isolation.of(level, cause, wanted, landlockStatus(), seccompProgram != null, !rlimits.isEmpty());
    }

    /** Whether {@link Builder#bestEffort(Isolation.Feature...)} is on (false: strict, the default). */
    public boolean bestEffort() {
        return bestEffortRequired != null;
    }

    /** What best effort must apply or fail (empty when strict or when nothing is required). */
    public Set<Isolation.Feature> bestEffortRequired() {
        return bestEffortRequired == null ? Collections.unmodifiableSet(EnumSet.noneOf(Isolation.Feature.class)) : bestEffortRequired;
    }

    private SandboxException toException(Spawner.Status s) {
        return SetupFailures.toException(s, ops, shared.contains(Namespace.USER), cgroupLimits);
    }

    /** The file-system operations, in order. */
    public List<MountOp> mountOps() {
        return ops;
    }

    /** The namespaces shared with the host (all others are new). */
    public Set<Namespace> sharedNamespaces() {
        return shared;
    }

    /** The jail's environment. */
    public Map<String, String> environment() {
        return env;
    }

    /** The uid inside the jail. */
    public int uid() {
        return uid;
    }

    /** The uid ranges of {@link Builder#uidMap}, in order (empty: the single uid map). */
    public List<IdMap> uidMaps() {
        return uidMaps;
    }

    /** The gid ranges of {@link Builder#gidMap}, in order (empty: the single gid map). */
    public List<IdMap> gidMaps() {
        return gidMaps;
    }

    /** The gid inside the jail. */
    public int gid() {
        return gid;
    }

    /** The working directory inside the jail ({@code /} unless {@link Builder#cwd(String)} was called). */
    public String cwd() {
        return cwd;
    }

    /** The wall-clock limit, if any. */
    public @Nullable Duration timeLimit() {
        return timeLimit;
    }

    /** What the running kernel enforces of the jail's Landlock ruleset; null without one. */
    public org.sandbox4j.landlock.@Nullable LandlockStatus landlockStatus() {
        return landlockPlan == null ? null : landlockPlan.status();
    }

    /** Whether the jail installs a seccomp filter before exec. */
    public boolean hasSeccompFilter() {
        return seccompProgram != null;
    }

    /** The fd numbers the program receives through {@link Builder#keepFd(int, int)}, in call order. */
    public List<Integer> keptFdTargets() {
        List<Integer> out = new ArrayList<>(keptFds.size());
        for (int[] f : keptFds) {
            out.add(f[1]);
        }
        return Collections.unmodifiableList(out);
    }

    /** The runtime that starts this jail ({@link org.sandbox4j.runtime.JailRuntime#NATIVE} unless chosen). */
    public org.sandbox4j.runtime.JailRuntime runtime() {
        return runtime;
    }

    /** Every setting of this jail, for the other runtimes and the exports (org.sandbox4j.runtime). */
    public org.sandbox4j.runtime.JailSettings settings() {
        EnumMap<Rlimit, long[]> rl = new EnumMap<>(Rlimit.class);
        rlimits.forEach((k, v) -> rl.put(k, v.clone())); // copies: the arrays are this jail's own
        List<int[]> fds = keptFds.stream().map(int[]::clone).toList();
        return new org.sandbox4j.runtime.JailSettings(runtime, shared, rootDir, rootWritable, rootNoSymlinks, ops, uid, gid,
                hostUid, hostGid, uidMaps, gidMaps, hostname, env, cwd, Collections.unmodifiableMap(rl), keptCaps, timeLimit,
                setupTimeout, fds, stdin, stdout, stderr, redirectErrorStream, init, newSession,
                seccompProgram == null ? null : seccompProgram.clone(),
                SeccompChoice.isDefaultDenyList(seccompProgram), reportViolations,
                recorder != null, landlock, cgroupLimits, bestEffortRequired != null);
    }

    /** The spec bytes up to (not including) the command: for tests of the encoding. */
    byte[] specPrefix() {
        return specPrefix.bytes().clone();
    }

    @Override
    public String toString() {
        return "Sandbox[shared=" + shared + ", root=" + (rootDir == null ? "tmpfs" : rootDir) + ", ops="
                + ops.stream().map(MountOp::describe).toList() + ", uid=" + uid + ", gid=" + gid + "]";
    }

    /**
     * Builds a {@link Sandbox}. Each call checks its own arguments and throws {@link
     * IllegalArgumentException} at once; {@link #build()} checks how the calls fit together. Not
     * thread-safe; the {@link Sandbox} it builds is.
     */
    public static final class Builder {
        private final EnumSet<Namespace> shared = EnumSet.noneOf(Namespace.class);
        private @Nullable Path rootDir;
        private boolean rootWritable;
        private boolean rootNoSymlinks;
        private final List<MountOp> ops = new ArrayList<>();
        private int uid = NOBODY;
        private int gid = NOBODY;
        private int hostUid = -1;
        private int hostGid = -1;
        private final List<IdMap> uidMaps = new ArrayList<>();
        private final List<IdMap> gidMaps = new ArrayList<>();
        private @Nullable String hostname = "sandbox";
        private boolean hostnameSet;
        private final Map<String, String> env = new LinkedHashMap<>();
        private String cwd = "/";
        private final EnumMap<Rlimit, long[]> rlimits = new EnumMap<>(Rlimit.class);
        private final EnumSet<Capability> keptCaps = EnumSet.noneOf(Capability.class);
        private @Nullable Duration timeLimit;
        private Duration setupTimeout = Duration.ofSeconds(60);
        private final List<int[]> keptFds = new ArrayList<>();
        private Redirect stdin = Redirect.PIPE;
        private Redirect stdout = Redirect.PIPE;
        private Redirect stderr = Redirect.PIPE;
        private boolean redirectErrorStream;
        private boolean init = true;
        private boolean newSession = true;
        private boolean dieWithParent = true;
        private SeccompChoice seccomp = SeccompChoice.DEFAULT;
        private @Nullable LandlockRuleset landlock;
        private boolean reportViolations;
        private org.sandbox4j.seccomp.@Nullable SyscallRecorder recorder;
        private CgroupLimits cgroupLimits = CgroupLimits.NONE;
        private @Nullable Launcher launcher;
        private @Nullable EnumSet<Isolation.Feature> bestEffortRequired;
        private org.sandbox4j.runtime.JailRuntime runtime = org.sandbox4j.runtime.JailRuntime.NATIVE;

        Builder() {}

        Builder(Sandbox s) {
            shared.addAll(s.shared);
            rootDir = s.rootDir;
            rootWritable = s.rootWritable;
            rootNoSymlinks = s.rootNoSymlinks;
            ops.addAll(s.ops);
            uid = s.uid;
            gid = s.gid;
            hostUid = s.hostUid;
            hostGid = s.hostGid;
            uidMaps.addAll(s.uidMaps);
            gidMaps.addAll(s.gidMaps);
            hostname = s.hostname;
            hostnameSet = true;
            env.putAll(s.env);
            cwd = s.cwd;
            s.rlimits.forEach((k, v) -> rlimits.put(k, v.clone()));
            keptCaps.addAll(s.keptCaps);
            timeLimit = s.timeLimit;
            setupTimeout = s.setupTimeout;
            for (int[] f : s.keptFds) {
                keptFds.add(f.clone());
            }
            stdin = s.stdin;
            stdout = s.stdout;
            stderr = s.stderr;
            redirectErrorStream = s.redirectErrorStream;
            init = s.init;
            newSession = s.newSession;
            dieWithParent = s.dieWithParent;
            seccomp = SeccompChoice.ofBytes(s.seccompProgram);
            reportViolations = s.reportViolations;
            recorder = s.recorder;
            landlock = s.landlock;
            cgroupLimits = s.cgroupLimits;
            launcher = s.launcher;
            runtime = s.runtime;
            if (s.bestEffortRequired != null) {
                bestEffortRequired = EnumSet.noneOf(Isolation.Feature.class);
                bestEffortRequired.addAll(s.bestEffortRequired);
            }
        }

        // ---- file system -------------------------------------------------------------------

        /** Binds the host path read-only at the same path inside the jail. */
        public Builder readOnly(String path) {
            return readOnly(path, path);
        }

        /** Binds host {@code source} read-only at {@code target} inside the jail (recursively read-only). */
        public Builder readOnly(String source, String target) {
            ops.add(new MountOp.Bind(source, target, true, false, false));
            return this;
        }

        /** Binds host {@code source} read-only at {@code target}. */
        public Builder readOnly(Path source, String target) {
            return readOnly(source.toAbsolutePath().normalize().toString(), target);
        }

        /**
         * Binds host {@code source} read-only at {@code target}, opened as the options say; with
         * {@link BindOption#NO_SYMLINKS} setup fails if any component of {@code source} is a symbolic
         * link, so whoever can write the source's directories cannot redirect the bind.
         */
        public Builder readOnly(String source, String target, BindOption... options) {
            ops.add(new MountOp.Bind(source, target, true, false, false, noSymlinks(options)));
            return this;
        }

        /** Like {@link #readOnly(String)} but skipped when the host path does not exist. */
        public Builder readOnlyIfExists(String path) {
            ops.add(new MountOp.Bind(path, path, true, false, true));
            return this;
        }

        /** Binds the host path read-write at the same path inside the jail. */
        public Builder readWrite(String path) {
            return readWrite(path, path);
        }

        /** Binds host {@code source} read-write at {@code target} inside the jail. */
        public Builder readWrite(String source, String target) {
            ops.add(new MountOp.Bind(source, target, false, false, false));
            return this;
        }

        /** Binds host {@code source} read-write at {@code target}. */
        public Builder readWrite(Path source, String target) {
            return readWrite(source.toAbsolutePath().normalize().toString(), target);
        }

        /** Binds host {@code source} read-write at {@code target}, opened as the options say (see readOnly). */
        public Builder readWrite(String source, String target, BindOption... options) {
            ops.add(new MountOp.Bind(source, target, false, false, false, noSymlinks(options)));
            return this;
        }

        private static boolean noSymlinks(BindOption... options) {
            boolean no = false;
            for (BindOption o : options) {
                no |= o == BindOption.NO_SYMLINKS;
            }
            return no;
        }

        /** An empty tmpfs (mode 0755, size up to half of RAM; give a size to limit it). */
        public Builder tmpfs(String target) {
            ops.add(new MountOp.Tmpfs(target, 0, 0755, false));
            return this;
        }

        /**
         * An empty tmpfs of at most {@code sizeBytes}, which must be positive (the kernel reads 0 as
         * unlimited; use {@link #tmpfs(String)} for the default).
         */
        public Builder tmpfs(String target, long sizeBytes) {
            if (sizeBytes <= 0) {
                throw new IllegalArgumentException("tmpfs(\"" + target + "\", " + sizeBytes + "): the size must be a"
                        + " positive number of bytes (0 would mean unlimited), not " + sizeBytes);
            }
            ops.add(new MountOp.Tmpfs(target, sizeBytes, 0755, false));
            return this;
        }

        /** A new /proc showing only the jail's processes; /proc/sys, sysrq-trigger, irq, bus read-only. */
        public Builder proc(String target) {
            ops.add(new MountOp.Proc(target));
            return this;
        }

        /** A minimal /dev: null, zero, full, random, urandom, tty, and the fd, stdin, stdout, stderr links. */
        public Builder dev(String target) {
            ops.add(new MountOp.Dev(target, false));
            return this;
        }

        /** Like {@link #dev(String)}, with a private devpts at pts and ptmx, for programs that need a pty. */
        public Builder devWithPts(String target) {
            ops.add(new MountOp.Dev(target, true));
            return this;
        }

        /**
         * A symbolic link at {@code path} pointing to {@code linkText}. It never replaces anything: a
         * link with the same text already at {@code path} (in a bound root) is accepted, anything else
         * there fails setup with EEXIST. No other call may use the same {@code path} ({@link #build()}
         * refuses a bind, tmpfs or second symlink there); a mount whose target lies beneath the link
         * follows it inside the jail's root.
         */
        public Builder symlink(String linkText, String path) {
            ops.add(new MountOp.Symlink(linkText, path));
            return this;
        }

        /** A directory (mode 0755), with its parents. */
        public Builder dir(String path) {
            ops.add(new MountOp.Dir(path, 0755));
            return this;
        }

        /** A file with the given content (mode 0444), in the jail's root tmpfs. */
        public Builder file(String path, byte[] content) {
            ops.add(new MountOp.File(path, content, 0444));
            return this;
        }

        /** A file with the given content and permissions. */
        public Builder file(String path, byte[] content, int mode) {
            ops.add(new MountOp.File(path, content, mode));
            return this;
        }

        /** Makes {@code path} unreadable: an empty read-only tmpfs over a directory, /dev/null over a file. */
        public Builder hide(String path) {
            ops.add(new MountOp.Hide(path));
            return this;
        }

        /** Adds a file-system operation as it is (for code that derives jails from {@link #mountOps()}). */
        public Builder mount(MountOp op) {
            ops.add(Objects.requireNonNull(op, "op"));
            return this;
        }

        /** Removes every file-system operation given so far, to lay them out again in another order. */
        public Builder clearMounts() {
            ops.clear();
            return this;
        }

        /** Makes a mount point read-only (recursively), for example a tmpfs after files were written. */
        public Builder remountReadOnly(String path) {
            ops.add(new MountOp.RemountReadOnly(path));
            return this;
        }

        /**
         * The host's system directories, read-only: {@code /usr}, and {@code /bin}, {@code /sbin},
         * {@code /lib}, {@code /lib64}, {@code /lib32} as they are on the host (symlinks into /usr on
         * merged-/usr systems, read-only binds otherwise), plus the curated {@link #SYSTEM_ETC} files
         * of {@code /etc} that programs need to behave (the loader cache, name service and time zone
         * configuration, ImageMagick's security policy, font configuration; never a secret such as
         * {@code shadow} or a private key) and a minimal {@code /etc/passwd} and {@code /etc/group}
         * naming only root and nobody (the host's list of users stays out). Enough to run most
         * dynamically linked programs; docs/getting-started.md lists the files.
         */
        public Builder readOnlySystem() {
            readOnly("/usr");
            for (String d : new String[] {"/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"}) {
                Path p = Path.of(d);
                try {
                    if (Files.isSymbolicLink(p)) {
                        symlink(Files.readSymbolicLink(p).toString(), d);
                    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        readOnly(d);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + d + ": " + e.getMessage(), e);
                }
            }
            systemEtc();
            return this;
        }

        /**
         * The host's {@code /etc} entries {@link #readOnlySystem()} shows, each when present: what
         * programs read to behave as they do on the host. Nothing secret (shadow, gshadow, ssh and
         * TLS private keys, machine-id, sudoers, crontabs stay out) and nothing that changes what a
         * program loads ({@code ld.so.preload}).
         */
        public static final List<String> SYSTEM_ETC = List.of(
                "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                "/etc/nsswitch.conf", "/etc/host.conf", "/etc/hosts", "/etc/gai.conf", "/etc/protocols",
                "/etc/services", "/etc/localtime", "/etc/timezone", "/etc/mime.types", "/etc/os-release",
                "/etc/debian_version", "/etc/ImageMagick-6", "/etc/ImageMagick-7", "/etc/fonts",
                "/etc/papersize", "/etc/ssl/certs");

        /**
         * The /etc entries {@link #readOnlySystem()} added: a call of the caller's own for the same
         * path (say {@code readOnly("/etc/passwd")}) replaces one instead of conflicting with it.
         */
        private final Set<MountOp> systemDefaults = Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        /** Each {@link #SYSTEM_ETC} entry as on the host (a symbolic link stays one), and passwd/group. */
        private void systemEtc() {
            int first = ops.size();
            systemEtcOps();
            systemDefaults.addAll(ops.subList(first, ops.size()));
        }

        private void systemEtcOps() {
            for (String e : SYSTEM_ETC) {
                Path p = Path.of(e);
                try {
                    if (Files.isSymbolicLink(p)) {
                        symlink(Files.readSymbolicLink(p).toString(), e);
                    } else if (Files.exists(p)) {
                        readOnly(e);
                    }
                } catch (IOException ex) {
                    throw new IllegalStateException("cannot read " + e + ": " + ex.getMessage(), ex);
                }
            }
            // The host's passwd names every account; a program needs only its own user to resolve.
            file("/etc/passwd", ("root:x:0:0:root:/root:/usr/sbin/nologin\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n").getBytes(StandardCharsets.UTF_8));
            file("/etc/group", "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Uses a host directory as the jail's root (read-only), like {@code nsjail --chroot}. With a new
         * mount namespace (the default) it is bind-mounted and entered with pivot_root; when the mount
         * namespace is shared, the {@code chroot(2)} system call is used.
         */
        public Builder chroot(Path dir) {
            return chroot(dir, false);
        }

        /** Like {@link #chroot(Path)}; {@code writable} leaves the directory writable for the jail. */
        public Builder chroot(Path dir, boolean writable) {
            return chroot(dir, writable, new BindOption[0]);
        }

        /**
         * Like {@link #chroot(Path, boolean)}, the directory opened as the options say: with
         * {@link BindOption#NO_SYMLINKS} setup fails (step ROOT or CHROOT, ELOOP) if any component of
         * {@code dir} is a symbolic link, for a root whose parent directories others can write.
         */
        public Builder chroot(Path dir, boolean writable, BindOption... options) {
            String p = JailPath.check("chroot directory", dir.toAbsolutePath().normalize().toString());
            this.rootDir = Path.of(p);
            this.rootWritable = writable;
            this.rootNoSymlinks = noSymlinks(options);
            return this;
        }

        // ---- identity, namespaces ----------------------------------------------------------

        /** The uid inside the jail (default 65534). 0 makes the program root of its user namespace only. */
        public Builder uid(int uid) {
            this.uid = checkId("uid", uid);
            return this;
        }

        /** The gid inside the jail (default 65534). */
        public Builder gid(int gid) {
            this.gid = checkId("gid", gid);
            return this;
        }

        /**
         * The host ids the jail's uid and gid map to, when the JVM runs as root (default 65534, not
         * root: see docs/architecture.md). An unprivileged JVM can only map to its own ids.
         */
        public Builder hostIds(int hostUid, int hostGid) {
            this.hostUid = checkId("host uid", hostUid);
            this.hostGid = checkId("host gid", hostGid);
            return this;
        }

        // ---- id ranges (issue 17) -------------------------------------------------------------

        /**
         * Adds a range to the jail's uid map: uids {@code inside..inside+count-1} are host uids
         * {@code outside..}. Repeatable; with any range the uid map is exactly the ranges given
         * (and {@link #uid(int)} must fall in one; {@link #hostIds} is then not used), so a daemon
         * that switches users (smbd, sshd) has ids to switch to. A root JVM maps any ranges; an
         * unprivileged one only those {@code /etc/subuid} grants it, through {@code newuidmap}
         * (package {@code uidmap}), plus its own uid with count 1.
         *
         * @throws IllegalArgumentException for an empty range or one past id 4294967294
         */
        public Builder uidMap(int inside, int outside, int count) {
            return addIdMap(uidMaps, "uid", new IdMap(inside, outside, count));
        }

        /** Like {@link #uidMap} for the gid map; {@code /etc/subgid} and {@code newgidmap} when unprivileged. */
        public Builder gidMap(int inside, int outside, int count) {
            return addIdMap(gidMaps, "gid", new IdMap(inside, outside, count));
        }

        private Builder addIdMap(List<IdMap> maps, String what, IdMap m) {
            if (maps.size() >= IdMap.MAX_RANGES) {
                throw new IllegalArgumentException("more than " + IdMap.MAX_RANGES + " " + what + " ranges (the kernel's limit)");
            }
            for (IdMap o : maps) {
                if (o.overlaps(m)) {
                    throw new IllegalArgumentException(what + " ranges " + o + " and " + m + " overlap");
                }
            }
            maps.add(m);
            return this;
        }
        // ---- end of id ranges ----------------------------------------------------------------

        /** The jail's host name (default {@code sandbox}). */
        public Builder hostname(String name) {
            if (name.isEmpty() || name.length() > 64 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("host name must have 1 to 64 characters and no NUL: '" + name + "'");
            }
            this.hostname = name;
            this.hostnameSet = true;
            return this;
        }

        /** {@link Network#NONE} (default: a new network namespace with only loopback) or {@link Network#HOST}. */
        public Builder network(Network network) {
            if (network == Network.HOST) {
                shared.add(Namespace.NET);
            } else {
                shared.remove(Namespace.NET);
            }
            return this;
        }

        /**
         * Keeps the host's namespaces of these kinds instead of new ones.
         *
         * <p>{@link Namespace#PID} weakens how a jail ends. In a pid namespace of its own, every
         * process of the jail dies with the jail's pid 1, which the launcher SIGKILLs; the kernel
         * does it and no program can prevent it. With the host's pid namespace the launcher is a
         * subreaper ({@code PR_SET_CHILD_SUBREAPER}): processes that leave the program (setsid,
         * double fork, a daemon) stay its descendants, and when the program ends (by itself, by
         * destroy, the time limit or the JVM's death) the launcher SIGKILLs every descendant it can
         * find in /proc until none is left. Without a cgroup this cannot be guaranteed: a SIGKILL of
         * the launcher itself (from outside; or from the jail when it runs with the launcher's host
         * uid, as for an unprivileged JVM) leaves the jail's processes to the host's init, and
         * without a readable /proc only the process group is killed.
         */
        public Builder share(Namespace... namespaces) {
            shared.addAll(Arrays.asList(namespaces));
            return this;
        }

        // ---- process ----------------------------------------------------------------------

        /** Sets an environment variable of the jail (the environment is empty otherwise). */
        public Builder env(String name, String value) {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid environment variable name '" + name + "'");
            }
            env.put(name, value);
            return this;
        }

        /** Sets several environment variables. */
        public Builder env(Map<String, String> vars) {
            vars.forEach(this::env);
            return this;
        }

        /** Copies these variables from the JVM's environment, when set there. */
        public Builder inheritEnv(String... names) {
            for (String n : names) {
                String v = System.getenv(n);
                if (v != null) {
                    env(n, v);
                }
            }
            return this;
        }

        /** The working directory inside the jail (default {@code /}). */
        public Builder cwd(String dir) {
            this.cwd = JailPath.check("working directory", dir);
            return this;
        }

        /** A resource limit, soft and hard the same. */
        public Builder rlimit(Rlimit limit, long value) {
            return rlimit(limit, value, value);
        }

        /** A resource limit; {@link Rlimit#INFINITY} means unlimited. */
        public Builder rlimit(Rlimit limit, long soft, long hard) {
            if (soft != Rlimit.INFINITY && (soft < 0 || (hard != Rlimit.INFINITY && Long.compareUnsigned(soft, hard) > 0))) {
                throw new IllegalArgumentException(limit.kernelName() + ": soft limit " + soft + " exceeds hard limit " + hard);
            }
            if (hard < 0 && hard != Rlimit.INFINITY) {
                throw new IllegalArgumentException(limit.kernelName() + ": negative hard limit " + hard);
            }
            rlimits.put(limit, new long[] {soft, hard});
            return this;
        }

        /** Capabilities to keep (within the jail's user namespace); all others are dropped. */
        public Builder keepCapabilities(Capability... caps) {
            keptCaps.addAll(Arrays.asList(caps));
            return this;
        }

        // ---- cgroup limits (docs/resources.md) ----------------------------------------------

        /**
         * At most {@code bytes} of memory for the whole jail, every process together, counting
         * anonymous memory, page cache and tmpfs pages ({@code memory.max}, v1 {@code
         * memory.limit_in_bytes}), and no swap beyond it ({@code memory.swap.max 0}). When it is
         * reached the kernel's OOM killer ends the jail and {@link JailExit#limitReached()} says
         * {@code MEMORY}. Needs a cgroup: strict unless {@link #cgroupCompatibility} says otherwise.
         *
         * <pre>{@code
         * Sandbox.builder().readOnlySystem().memoryLimit(256L << 20).pidsLimit(64).cpuLimit(1).build();
         * }</pre>
         */
        public Builder memoryLimit(long bytes) {
            CgroupLimits c = cgroupLimits;
            cgroupLimits = new CgroupLimits(bytes, c.swapMax(), c.pidsMax(), c.cpuQuotaMicros(), c.cpuPeriodMicros(),
                    c.parent(), c.compatibility());
            return this;
        }

        /** Swap the jail may use on top of {@link #memoryLimit} (default 0; nsjail's {@code --cgroup_mem_swap_max}). */
        public Builder swapLimit(long bytes) {
            CgroupLimits c = cgroupLimits;
            cgroupLimits = new CgroupLimits(c.memoryMax(), bytes, c.pidsMax(), c.cpuQuotaMicros(), c.cpuPeriodMicros(),
                    c.parent(), c.compatibility());
            return this;
        }

        /**
         * At most {@code n} processes and threads at once in the jail ({@code pids.max}); a fork beyond
         * it fails with EAGAIN and {@link JailExit#limitReached()} says {@code PIDS}. Without a call
         * the default of 512 applies, best effort.
         */
        public Builder pidsLimit(long n) {
            CgroupLimits c = cgroupLimits;
            cgroupLimits = new CgroupLimits(c.memoryMax(), c.swapMax(), n, c.cpuQuotaMicros(), c.cpuPeriodMicros(),
                    c.parent(), c.compatibility());
            return this;
        }

        /**
         * At most {@code cores} CPUs' worth of time ({@code cpu.max}, a quota per 100 ms period;
         * fractions allowed: 0.5 is half of one core). The jail is throttled, not killed.
         */
        public Builder cpuLimit(double cores) {
            if (!(cores >= 0.01) || cores > 4096) {
                throw new IllegalArgumentException("CPU limit must be 0.01..4096 cores, not " + cores);
            }
            return cpuQuota(Math.round(cores * CgroupLimits.DEFAULT_CPU_PERIOD), CgroupLimits.DEFAULT_CPU_PERIOD);
        }

        /** The CPU limit as a quota per period in microseconds ({@code cpu.max "quota period"}). */
        public Builder cpuQuota(long quotaMicros, long periodMicros) {
            CgroupLimits c = cgroupLimits;
            cgroupLimits = new CgroupLimits(c.memoryMax(), c.swapMax(), c.pidsMax(), quotaMicros, periodMicros,
                    c.parent(), c.compatibility());
            return this;
        }

        /**
         * Where the jails' cgroups are created: a cgroup v2 directory delegated to this user (systemd
         * {@code Delegate=yes}), or on v1 a directory in one hierarchy (the same relative path is used
         * in the memory, pids and cpu hierarchies). Without a call: this JVM's own cgroup (as root in
         * the v2 root cgroup, a {@code sandbox4j} subtree).
         */
        public Builder cgroupParent(Path dir) {
            if (!dir.isAbsolute()) {
                throw new IllegalArgumentException("cgroupParent needs an absolute path: " + dir);
            }
            CgroupLimits c = cgroupLimits;
            cgroupLimits = new CgroupLimits(c.memoryMax(), c.swapMax(), c.pidsMax(), c.cpuQuotaMicros(), c.cpuPeriodMicros(),
                    dir.normalize(), c.compatibility());
            return this;
        }

        /**
         * {@link org.sandbox4j.landlock.Compatibility#STRICT} (the default: a cgroup limit that cannot
         * be applied fails {@link Sandbox#start(List)} with a {@link SandboxSetupException} naming the
         * fix) or {@code BEST_EFFORT} (rlimits instead: RLIMIT_AS for memory, RLIMIT_NPROC for
         * processes, none for CPU; what was applied is logged and in {@link SandboxedProcess#resourceControl()}).
         */
        public Builder cgroupCompatibility(org.sandbox4j.landlock.Compatibility compatibility) {
            CgroupLimits c = cgroupLimits;
            cgroupLimits = new CgroupLimits(c.memoryMax(), c.swapMax(), c.pidsMax(), c.cpuQuotaMicros(), c.cpuPeriodMicros(),
                    c.parent(), compatibility);
            return this;
        }

        /** All cgroup settings at once. */
        public Builder cgroupLimits(CgroupLimits limits) {
            this.cgroupLimits = limits;
            return this;
        }

        /** Kills the jail when it has run this long; {@link JailExit#timedOut()} then says so. */
        public Builder timeLimit(Duration limit) {
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("time limit must be positive: " + limit);
            }
            this.timeLimit = limit;
            return this;
        }

        /** How long building the jail may take before start() gives up and kills it (default 60 s). */
        public Builder setupTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("setup timeout must be positive: " + timeout);
            }
            this.setupTimeout = timeout;
            return this;
        }

        /** Passes the JVM's file descriptor {@code fd} to the program under the same number. */
        public Builder keepFd(int fd) {
            return keepFd(fd, fd);
        }

        /** Passes the JVM's file descriptor {@code jvmFd} to the program as {@code targetFd} (>= 3). */
        public Builder keepFd(int jvmFd, int targetFd) {
            if (jvmFd < 0 || targetFd < 3) {
                throw new IllegalArgumentException("fd " + jvmFd + " -> " + targetFd
                        + ": target must be >= 3 (stdin, stdout and stderr are set with redirect*)");
            }
            keptFds.add(new int[] {jvmFd, targetFd});
            return this;
        }

        /** Where the program's stdin comes from (default a pipe, {@link Process#getOutputStream()}). */
        public Builder redirectInput(Redirect r) {
            if (r.type() == Redirect.Type.WRITE || r.type() == Redirect.Type.APPEND) {
                throw new IllegalArgumentException("stdin cannot be redirected to a file for writing: " + r);
            }
            this.stdin = r;
            return this;
        }

        /** Where the program's stdout goes (default a pipe, {@link Process#getInputStream()}). */
        public Builder redirectOutput(Redirect r) {
            if (r.type() == Redirect.Type.READ) {
                throw new IllegalArgumentException("stdout cannot be read from a file: " + r);
            }
            this.stdout = r;
            return this;
        }

        /** Where the program's stderr goes (default a pipe, {@link Process#getErrorStream()}). */
        public Builder redirectError(Redirect r) {
            if (r.type() == Redirect.Type.READ) {
                throw new IllegalArgumentException("stderr cannot be read from a file: " + r);
            }
            this.stderr = r;
            return this;
        }

        /** Sends stderr where stdout goes. */
        public Builder redirectErrorStream(boolean merge) {
            this.redirectErrorStream = merge;
            return this;
        }

        /** Stdin, stdout and stderr of the JVM itself (a terminal, for interactive use). */
        public Builder inheritIO() {
            return redirectInput(Redirect.INHERIT).redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT);
        }

        /**
         * Makes the program itself pid 1 of the jail instead of running it under a small init. The
         * program then does not stop on SIGTERM unless it handles it, and must reap its own orphans.
         *
         * <p>The jail still ends whole: {@link SandboxedProcess#destroyForcibly()}, the time limit
         * and the JVM's death make the launcher SIGKILL the program, which as pid 1 takes every
         * process of its pid namespace with it, whatever it did to its parent-death signal. A
         * SIGKILL of the launcher from outside the library makes the JVM kill the program through a
         * pidfd. Unlike the init, the program can clear that signal, so only a SIGKILL of the
         * launcher and the JVM at once (their process group) can leave it running.
         */
        public Builder execDirectly() {
            this.init = false;
            return this;
        }

        /** Keeps the JVM's session, so the program may use the JVM's controlling terminal (and TIOCSTI). */
        public Builder sameSession() {
            this.newSession = false;
            return this;
        }

        /**
         * The seccomp policy installed right before exec (the last step of building the jail), compiled
         * for the running architecture by {@link #build()}. Without this call a jail gets {@link
         * SeccompPolicies#defaultDenyList()}: everything allowed but the kernel attack surface a
         * confined program does not need. See docs/seccomp.md.
         *
         * <pre>{@code
         * .seccomp(SeccompPolicies.defaultDenyList().toBuilder().errno(1, "socket").build())
         * }</pre>
         */
        public Builder seccomp(SeccompPolicy policy) {
            this.seccomp = SeccompChoice.policy(policy);
            return this;
        }

        /**
         * A compiled seccomp program for the running architecture (see {@link SeccompProfiles}). It is
         * installed right before the launcher's {@code execve} of the program, so it must allow that
         * call; unlike {@link #seccomp(SeccompPolicy)} this is not checked here (a program may allow
         * execve only under conditions the check cannot know, as {@code ExecOnce} does).
         */
        public Builder seccomp(SeccompProgram program) {
            this.seccomp = SeccompChoice.program(program);
            return this;
        }

        // ---- seccomp supervisor (issue 15) ----

        /**
         * Reports every call the jail's seccomp filter refuses or kills: the launcher (outside the
         * jail and the JVM) supervises the filter with seccomp user notification, records the call,
         * its number, arguments and thread, then does what the filter says (the errno, or the kill;
         * a killed program still ends "killed by SIGSYS"). The calls are in {@link
         * SandboxedProcess#violations()}, {@link JailExit#killedBy()} names the one that killed the
         * program; each is logged as an SLF4J warning and a JFR event ({@code
         * org.sandbox4j.SeccompViolation}). Allowed calls never reach the launcher and cost nothing
         * more; a refused call costs a round trip to the launcher (docs/seccomp.md has the numbers).
         * Not in the prestarted mode (such jails get a launcher of their own). Off by default.
         */
        public Builder reportViolations(boolean on) {
            this.reportViolations = on;
            return this;
        }

        /**
         * Learns the program's system calls instead of filtering them: every call from the program's
         * execve on, by every thread and child, goes to the launcher's supervisor, which lets it run
         * and counts it; when the jail ends the calls are added to {@code recorder} (see {@link
         * org.sandbox4j.seccomp.SyscallRecorder}). The jail's seccomp policy is not applied while
         * learning. {@code null} stops learning.
         */
        public Builder recordSyscalls(org.sandbox4j.seccomp.@Nullable SyscallRecorder recorder) {
            this.recorder = recorder;
            return this;
        }

        // ---- end seccomp supervisor ----

        /** A precompiled profile, loaded without compiling. */
        public Builder seccompProfile(org.sandbox4j.seccomp.SeccompProfile profile) {
            this.seccomp = SeccompChoice.profile(profile);
            return this;
        }

        /** A precompiled profile by name ({@link org.sandbox4j.seccomp.SeccompProfile#of(String)}). */
        public Builder seccompProfile(String name) {
            return seccompProfile(org.sandbox4j.seccomp.SeccompProfile.of(name));
        }

        /**
         * A Landlock ruleset applied inside the jail after no_new_privs and before seccomp: a second layer
         * over the mount namespace, or the main file-system layer with {@code share(MOUNT)}. Paths are
         * paths inside the jail. {@link #build()} resolves it against the running kernel (STRICT
         * rulesets fail there when the kernel lacks a feature); see docs/landlock.md.
         *
         * <pre>{@code
         * .landlock(LandlockRuleset.builder().readOnly("/usr").readWrite("/tmp").denyTcpConnect().build())
         * }</pre>
         */
        public Builder landlock(LandlockRuleset rules) {
            this.landlock = rules;
            return this;
        }

        /** Like {@link #landlock(LandlockRuleset)}, configuring a new ruleset builder. */
        public Builder landlock(java.util.function.Consumer<LandlockRuleset.Builder> rules) {
            LandlockRuleset.Builder b = LandlockRuleset.builder();
            rules.accept(b);
            return landlock(b.build());
        }

        /**
         * How this jail's launcher runs ({@link Launcher#perJail()}, {@link Launcher#prestarted()}, or
         * either through a prefix command); {@code null}, the default, takes {@link
         * Launcher#getDefault()} at each start.
         */
        public Builder launcher(@Nullable Launcher launcher) {
            this.launcher = launcher;
            return this;
        }

        /**
         * Which runtime starts the jail: {@link org.sandbox4j.runtime.JailRuntime#NATIVE} (the default)
         * or {@link org.sandbox4j.runtime.JailRuntime#GVISOR} (gVisor's runsc; docs/runtimes.md says
         * what each builder call becomes there, and {@link #build()} refuses those it cannot honour).
         */
        public Builder runtime(org.sandbox4j.runtime.JailRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /** No seccomp filter at all, not even the default deny list. */
        public Builder noSeccomp() {
            this.seccomp = SeccompChoice.NONE;
            return this;
        }

        /**
         * Checks how the calls fit together and builds the jail.
         *
         * @throws IllegalStateException naming the calls that conflict
         */
        public Sandbox build() {
            boolean newMount = !shared.contains(Namespace.MOUNT);
            if (!newMount && !ops.isEmpty()) {
                throw new IllegalStateException("share(MOUNT) keeps the host's mounts, so " + ops.get(0).describe()
                        + " cannot be done; drop share(MOUNT) or the mount calls");
            }
            if (shared.contains(Namespace.PID)) {
                for (MountOp op : ops) {
                    if (op instanceof MountOp.Proc) {
                        throw new IllegalStateException(op.describe() + " needs a new pid namespace, but share(PID) was"
                                + " called; bind the host's /proc with readOnly(\"/proc\") instead");
                    }
                }
            }
            if (shared.contains(Namespace.UTS)) {
                if (hostnameSet && hostname != null) {
                    throw new IllegalStateException("hostname(\"" + hostname + "\") needs a new UTS namespace, but"
                            + " share(UTS) was called");
                }
                hostname = null;
            }
            Set<String> own = new java.util.HashSet<>();
            for (MountOp op : ops) {
                if (!systemDefaults.contains(op) && !(op instanceof MountOp.RemountReadOnly)) {
                    own.add(op.target());
                }
            }
            ops.removeIf(op -> systemDefaults.contains(op) && own.contains(op.target()));
            Map<String, MountOp> byTarget = new HashMap<>();
            for (MountOp op : ops) {
                if (op instanceof MountOp.RemountReadOnly) {
                    continue;
                }
                MountOp prev = byTarget.put(op.target(), op);
                if (prev != null) {
                    throw new IllegalStateException(prev.describe() + " and " + op.describe() + " both use "
                            + op.target() + "; each path inside the jail can be the target of one call");
                }
            }
            Set<Integer> targets = new java.util.HashSet<>();
            for (int[] f : keptFds) {
                if (!targets.add(f[1])) {
                    throw new IllegalStateException("two kept fds are mapped to fd " + f[1]);
                }
            }
            if (hostUid >= 0 && shared.contains(Namespace.USER)) {
                throw new IllegalStateException("hostIds(...) maps ids into a new user namespace, but share(USER) was called");
            }
            checkIdRanges();
            if (runtime != org.sandbox4j.runtime.JailRuntime.NATIVE) {
                Sandbox s = new Sandbox(this, null);
                org.sandbox4j.runtime.Gvisor.check(s.settings()); // every option maps, or a RuntimeOptionException names it
                return s;
            }
            if (bestEffortRequired == null) {
                return new Sandbox(this, null);
            }
            return new Sandbox(this, bestEffortTwin(new Sandbox(this, null)));
        }

        // ---- best effort (issue 14; see BestEffort) -------------------------------------------

        /**
         * Opt-in best effort: where the host refuses namespaces (a default Docker or Kubernetes
         * container, Ubuntu's AppArmor restriction, {@code user.max_user_namespaces=0}), start the
         * program anyway, confined by what needs no privilege: Landlock rules derived from the mount
         * calls, no TCP and scoped abstract unix sockets for {@link Network#NONE}, signals scoped for a
         * new pid namespace, the seccomp filter plus a refusal of namespace calls, rlimits,
         * no_new_privs, no capabilities, a new session, fd hygiene and death with the JVM. Where
         * namespaces work nothing changes. {@link SandboxedProcess#isolation()} says what was applied.
         *
         * <p>Each mount call has one meaning without namespaces, or {@link #build()} refuses it (for
         * example a bind to another path); see {@link BestEffort} and docs/deployment.md. There is
         * no pid or mount isolation: the program sees the host's processes and paths it may not open.
         *
         * @param required what best effort must apply, or {@code start()} fails with a
         *     {@link SandboxSetupException} (e.g. {@code Isolation.Feature.LANDLOCK_FILES})
         */
        public Builder bestEffort(Isolation.Feature... required) {
            EnumSet<Isolation.Feature> r = EnumSet.noneOf(Isolation.Feature.class);
            r.addAll(Arrays.asList(required));
            this.bestEffortRequired = r;
            return this;
        }

        /** Turns best effort on or off (off, the default, is strict: start() fails where namespaces do). */
        public Builder bestEffort(boolean on) {
            this.bestEffortRequired = on ? EnumSet.noneOf(Isolation.Feature.class) : null;
            return this;
        }

        private Sandbox bestEffortTwin(Sandbox full) {
            Builder t = new Builder(full);
            t.bestEffortRequired = null;
            t.ops.clear();
            t.rootDir = null;
            t.rootWritable = false;
            t.shared.addAll(EnumSet.allOf(Namespace.class));
            t.hostname = null;
            t.hostnameSet = false;
            t.hostUid = -1;
            t.hostGid = -1;
            // Id ranges need a user namespace; without one the jail's ids are plain host ids.
            t.uidMaps.clear();
            t.gidMaps.clear();
            if (org.sandbox4j.internal.LibC.geteuid() != 0) {
                // Without a user namespace the only id an unprivileged launcher can have is its own.
                t.uid = org.sandbox4j.internal.LibC.geteuid();
                t.gid = org.sandbox4j.internal.LibC.getegid();
            }
            t.landlock = BestEffort.rules(ops, rootDir, shared, landlock);
            if (seccomp.extendable()) {
                t.seccomp = SeccompChoice.program(BestEffort.withNamespaceRefusal(seccomp.basePolicy()).compile(Arch.current()));
            } else if (!BestEffort.refusesNamespaces(java.util.Objects.requireNonNull(seccomp.compiled()))) {
                throw new IllegalStateException("bestEffort(): the compiled seccomp program allows unshare, and a"
                        + " compiled program cannot be extended; pass a SeccompPolicy, or refuse the namespace calls in it");
            }
            return t.build();
        }

        private void checkIdRanges() {
            if ((!uidMaps.isEmpty() || !gidMaps.isEmpty()) && shared.contains(Namespace.USER)) {
                throw new IllegalStateException("uidMap/gidMap map ids into a new user namespace, but share(USER) was called");
            }
            if (!uidMaps.isEmpty() && hostUid >= 0) {
                throw new IllegalStateException("hostIds(...) and uidMap(...) both say where the jail's uid maps; use the ranges only");
            }
            if (!uidMaps.isEmpty() && uidMaps.stream().noneMatch(m -> m.coversInside(uid))) {
                throw new IllegalStateException("uid " + Integer.toUnsignedString(uid) + " is in none of the uid ranges " + uidMaps);
            }
            if (!gidMaps.isEmpty() && gidMaps.stream().noneMatch(m -> m.coversInside(gid))) {
                throw new IllegalStateException("gid " + Integer.toUnsignedString(gid) + " is in none of the gid ranges " + gidMaps);
            }
        }

        private static int checkId(String what, int id) {
            if (id < 0 || id == -1) {
                throw new IllegalArgumentException(what + " must be between 0 and 4294967294: " + Integer.toUnsignedString(id));
            }
            return id;
        }

        @Override
        public String toString() {
            return "Sandbox.Builder" + Objects.toString(ops);
        }
    }
}
