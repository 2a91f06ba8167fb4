package org.sandbox4j.lockdown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.LockdownNative;
import org.sandbox4j.landlock.AccessFs;
import org.sandbox4j.landlock.Compatibility;
import org.sandbox4j.landlock.Landlock;
import org.sandbox4j.landlock.LandlockPlan;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.landlock.LandlockUnsupportedException;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.seccomp.SeccompProgram;

/**
 * Locks down the running JVM once it has started: from then on no thread (existing or later,
 * platform or virtual) can do what the lockdown forbids. Irreversible.
 *
 * <pre>{@code
 * LockdownReport r = Lockdown.builder()
 *         .seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC)            // no process can be started
 *         .landlock(fs -> fs.readOnly("/usr", "/etc/ssl").readWrite(dataDir))
 *         .limit(Rlimit.NOFILE, 4096)
 *         .dropCapabilities()
 *         .apply();
 * }</pre>
 *
 * <p>Order ({@link LockdownStep}): PREPARE (compile, check, build the ruleset: nothing applied; a
 * STRICT Landlock ruleset the kernel cannot enforce fails here, and so do pre-existing io_uring
 * instances and kernel worker threads, see {@link PreexistingChannel}), RLIMITS, THREADS (every thread sets
 * no_new_privs, enters the Landlock domain and drops its capabilities itself, by signal), SECCOMP
 * (TSYNC), VERIFY. See docs/lockdown.md.
 */
public final class Lockdown {
    private Lockdown() {}

    /**
     * An empty lockdown: nothing is restricted until the builder's calls add steps.
     *
     * @return a builder with no step set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Built-in profile: the JVM can never start a process (seccomp LOCKDOWN_NO_EXEC) and has no capabilities.
     *
     * @return a builder with that profile, to add to or {@link Builder#apply()}
     */
    public static Builder noExec() {
        return builder().seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC).dropCapabilities();
    }

    /**
     * Built-in profile: {@link #noExec()} plus a read-only file system (Landlock; reads stay allowed
     * everywhere) except beneath {@code writable}.
     *
     * @param writable the directories that stay writable, as this JVM sees them
     * @return a builder with that profile, to add to or {@link Builder#apply()}
     */
    public static Builder noExecReadOnly(String... writable) {
        return noExec().landlock(fs -> fs.allowReadEverywhere().readWrite(writable));
    }

    /**
     * Built-in profile: only the kernel attack-surface deny list ({@link SeccompPolicies#defaultDenyList()}).
     *
     * @return a builder with that profile, to add to or {@link Builder#apply()}
     */
    public static Builder kernelDenyList() {
        return builder().seccomp(SeccompPolicies.defaultDenyList());
    }

    /** Configures a lockdown; {@link #apply()} runs it. Not thread-safe. */
    public static final class Builder {
        private @Nullable SeccompProgram program;
        private @Nullable SeccompPolicy policy;
        private @Nullable LandlockRuleset landlock;
        private @Nullable Compatibility compatibility;
        private final EnumMap<Rlimit, long[]> limits = new EnumMap<>(Rlimit.class);
        private boolean dropCaps;
        private boolean clearBounding;
        private boolean allowIoUring;
        private boolean keepJails;
        private Duration timeout = Duration.ofSeconds(5);

        Builder() {}

        /**
         * A precompiled seccomp profile by name ({@link SeccompProfiles#names()}).
         *
         * @param profile the profile's name, such as {@code LOCKDOWN_NO_EXEC}
         * @return this builder
         */
        public Builder seccomp(String profile) {
            return seccomp(SeccompProfiles.get(profile, Arch.current()));
        }

        /**
         * A seccomp policy, compiled for this architecture by {@link #apply()}.
         *
         * @param policy the policy for every thread
         * @return this builder
         */
        public Builder seccomp(SeccompPolicy policy) {
            this.policy = policy;
            this.program = null;
            return this;
        }

        /**
         * A compiled seccomp program for this architecture.
         *
         * @param program the filter for every thread
         * @return this builder
         * @throws IllegalArgumentException when {@code program} is for another architecture
         */
        public Builder seccomp(SeccompProgram program) {
            if (program.arch() != Arch.current()) {
                throw new IllegalArgumentException("the seccomp program is for " + program.arch() + ", this JVM runs on "
                        + Arch.current());
            }
            this.program = program;
            this.policy = null;
            return this;
        }

        /**
         * A Landlock ruleset for every thread (paths as this JVM sees them).
         *
         * @param rules the ruleset
         * @return this builder
         * @throws IllegalArgumentException for a ruleset with scopes, which lockdown does not apply yet
         */
        public Builder landlock(LandlockRuleset rules) {
            if (!rules.scopes().isEmpty()) {
                // A scope the JVM's domain silently lacked would be a claim without a defence.
                throw new IllegalArgumentException("Lockdown does not apply Landlock scopes (" + rules.scopes()
                        + "); they are for jails (Sandbox.Builder.landlock); drop scope(...) from this ruleset");
            }
            this.landlock = rules;
            return this;
        }

        /**
         * Like {@link #landlock(LandlockRuleset)}, configuring a new ruleset builder.
         *
         * @param rules configures the ruleset builder
         * @return this builder
         */
        public Builder landlock(Consumer<LandlockRuleset.Builder> rules) {
            LandlockRuleset.Builder b = LandlockRuleset.builder();
            rules.accept(b);
            return landlock(b.build());
        }

        /**
         * Overrides the Landlock ruleset's compatibility level (default: the ruleset's, STRICT unless set).
         *
         * @param c the compatibility level
         * @return this builder
         */
        public Builder compatibility(Compatibility c) {
            this.compatibility = c;
            return this;
        }

        /**
         * A resource limit for the process, soft and hard the same.
         *
         * @param limit the resource
         * @param value the soft and hard limit
         * @return this builder
         */
        public Builder limit(Rlimit limit, long value) {
            return limit(limit, value, value);
        }

        /**
         * A resource limit for the process; {@link Rlimit#INFINITY} means unlimited.
         *
         * @param limit the resource
         * @param soft the soft limit, at most {@code hard}
         * @param hard the hard limit
         * @return this builder
         * @throws IllegalArgumentException for a negative limit or a soft limit above the hard one
         */
        public Builder limit(Rlimit limit, long soft, long hard) {
            if (hard != Rlimit.INFINITY && (hard < 0 || soft == Rlimit.INFINITY || soft < 0 || soft > hard)) {
                throw new IllegalArgumentException(limit.kernelName() + ": bad limits soft=" + soft + " hard=" + hard);
            }
            limits.put(limit, new long[] {soft, hard});
            return this;
        }

        /**
         * Drops the capabilities of every thread: effective, permitted, inheritable and ambient sets
         * cleared, and the securebits NOROOT and NO_SETUID_FIXUP set and locked. With no_new_privs (set
         * by every lockdown) nothing can bring a capability back: not capset (permitted is empty), not
         * execve of a setuid or file-capability program, not root's execve. The bounding set is left as
         * it is unless {@link #clearBoundingSet()} asks for it too.
         *
         * @return this builder
         */
        public Builder dropCapabilities() {
            this.dropCaps = true;
            return this;
        }

        /**
         * Also empties the bounding set of every thread. Defence in depth only (see {@link
         * #dropCapabilities()}), and the kernel has no call that empties it at once: one
         * {@code PR_CAPBSET_DROP} per capability per thread, about 8 ms for 200 threads where the rest
         * of a lockdown takes 4 ms. Implies {@link #dropCapabilities()}.
         *
         * @return this builder
         */
        public Builder clearBoundingSet() {
            this.dropCaps = true;
            this.clearBounding = true;
            return this;
        }

        /**
         * How long the broadcast waits for a thread to answer before failing (default 5 s).
         *
         * @param d the timeout, positive
         * @return this builder
         */
        public Builder threadTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + d);
            }
            this.timeout = d;
            return this;
        }

        /**
         * Accepts io_uring instances that exist before the lockdown (their fds, rings mapped without an
         * fd, their SQPOLL and io-wq kernel threads) instead of refusing them in PREPARE. <b>They keep
         * acting with the credentials of before</b>: a request queued earlier, or one submitted later
         * under a registered personality or through a SQPOLL ring (no system call needed), runs outside
         * the Landlock domain, with the old capabilities, and io_uring operations never pass the
         * seccomp filter. Accept them only when their owner is trusted; the report lists them. The
         * io_uring kernel threads are left out of the per-thread step (they run no user code and
         * cannot take it).
         *
         * @return this builder
         */
        public Builder allowPreexistingIoUring() {
            this.allowIoUring = true;
            return this;
        }

        /**
         * Applies the lockdown to the whole process. In PREPARE it looks for pre-existing channels
         * ({@link PreexistingChannel}) and refuses io_uring instances and kernel worker threads unless
         * {@link #allowPreexistingIoUring()}; child processes are only reported.
         *
         * @return what was applied, per step and per thread
         * @throws LockdownException naming the step that failed and what had already taken effect
         */
        public LockdownReport apply() {
            LockdownReport r = new Run(this).run();
            JailsAfterLockdown.record(this.dropCaps, this.program != null || this.policy != null, this.landlock);
            return r;
        }

        /**
         * Keeps this JVM able to start jails and workers after the lockdown: before anything is
         * applied, the prestarted launcher ({@code PrestartedLauncher}) is started and every later
         * jail goes through it, so the JVM itself never execs again. A jail started afterwards gets
         * no more than the lockdown left this JVM: host ids and kept capabilities are refused when
         * capabilities were dropped, read-write binds outside the Landlock-writable paths are
         * refused, each with an error naming the lockdown: checked on each spec in this JVM, and
         * again by the prestarted launcher, which takes the lockdown's limits at PREPARE (so code
         * that took over the JVM cannot get more by writing to its socket; docs/lockdown.md).
         *
         * @return this builder
         * @throws LockdownException at PREPARE when the launcher cannot be started or refuses the
         *     limits (one lockdown per JVM may use this)
         */
        public Builder keepStartingJails() {
            this.keepJails = true;
            return this;
        }
    }

    /** One application: the state of the steps, for the report and for errors. */
    private static final class Run {
        private final Builder b;
        private final List<String> applied = new ArrayList<>();
        private List<PreexistingChannel> preexisting = List.of();

        Run(Builder b) {
            this.b = b;
        }

        private LockdownException fail(LockdownStep step, String msg, int tid, int errno, @Nullable Throwable cause) {
            return new LockdownException(step, msg, applied, tid, errno, preexisting, cause);
        }

        LockdownReport run() {
            // ---- PREPARE: nothing is applied until every check passed.
            try {
                LockdownNative.check();
                preload();
            } catch (IllegalStateException e) {
                throw fail(LockdownStep.PREPARE, e.getMessage(), 0, 0, e);
            }
            if (b.keepJails) {
                JailsAfterLockdown.prepare(this::fail);
            }
            byte[] filter = null;
            try {
                if (b.program != null) {
                    filter = b.program.toBytes();
                } else if (b.policy != null) {
                    filter = b.policy.compile(Arch.current()).toBytes();
                }
            } catch (RuntimeException e) {
                throw fail(LockdownStep.PREPARE, "seccomp policy: " + e.getMessage(), 0, 0, e);
            }
            LandlockRuleset rules = b.landlock;
            if (rules != null && b.compatibility != null) {
                rules = rules.withCompatibility(b.compatibility);
            }
            LandlockPlan plan = null;
            int abi = 0;
            int rulesetFd = -1;
            if (rules != null) {
                abi = Landlock.abi();
                try {
                    plan = LandlockPlan.resolve(rules, abi);
                } catch (LandlockUnsupportedException e) {
                    throw fail(LockdownStep.PREPARE, e.getMessage(), 0, 0, e);
                }
                if (plan.applies()) {
                    rulesetFd = buildRuleset(plan);
                }
            }
            try {
                long bounding = b.clearBounding ? boundingSet() : 0;
                if (b.keepJails) {
                    JailsAfterLockdown.lock(this::fail, b.dropCaps, b.landlock, filter);
                } else {
                    JailsAfterLockdown.retireLauncher();
                }
                // What THREADS will do: no_new_privs, Landlock, capabilities, each thread by itself.
                int actions = LockdownNative.ACT_NO_NEW_PRIVS;
                int llFlags = 0;
                boolean landlockTsync = rulesetFd >= 0 && abi >= 8;
                if (rulesetFd >= 0 && !landlockTsync) {
                    actions |= LockdownNative.ACT_LANDLOCK;
                }
                if (b.dropCaps) {
                    actions |= LockdownNative.ACT_CAPS;
                }
                // What the steps report is worded here, in PREPARE: from the first change to the seccomp filter
                // only system calls run, not the JVM's first-use work (the first run of each string
                // concatenation links a call site: milliseconds in a cold JVM, longer than the changes).
                List<String> rlimitLines = new ArrayList<>();
                for (Map.Entry<Rlimit, long[]> e : b.limits.entrySet()) {
                    rlimitLines.add("RLIMITS: " + e.getKey().kernelName() + " = " + e.getValue()[0] + "/" + e.getValue()[1]
                            + " (process-wide)");
                }
                String threadsWhat = describe(actions);
                String seccompLine = filter == null ? null : "SECCOMP: filter of " + filter.length / 8
                        + " instructions on every thread (TSYNC; irreversible)";
                // Last of PREPARE, to leave the least time for a new ring before the broadcast.
                preexisting = scanPreexisting(LockdownStep.PREPARE, true);
                long t0 = System.nanoTime();
                // ---- RLIMITS
                int line = 0;
                for (Map.Entry<Rlimit, long[]> e : b.limits.entrySet()) {
                    int rc = LockdownNative.sb4j_prlimit(e.getKey().resource(), e.getValue()[0], e.getValue()[1]);
                    if (rc < 0) {
                        throw fail(LockdownStep.RLIMITS, "setrlimit " + e.getKey().kernelName() + ": "
                                + LibC.strerrorText(-rc), 0, -rc, null);
                    }
                    applied.add(rlimitLines.get(line++));
                }
                // ---- THREADS
                Map<Integer, Boolean> acks = broadcast(actions, rulesetFd, llFlags, bounding, threadsWhat);
                if (landlockTsync) {
                    int rc = LockdownNative.sb4j_landlock_restrict_self(rulesetFd, LockdownNative.LANDLOCK_RESTRICT_SELF_TSYNC);
                    if (rc < 0) {
                        throw fail(LockdownStep.THREADS, "landlock_restrict_self(TSYNC): " + LibC.strerrorText(-rc), 0, -rc,
                                null);
                    }
                    applied.add("THREADS: Landlock domain on every thread at once (ABI 8 TSYNC; irreversible)");
                }
                // ---- SECCOMP: last, so the filter never has to allow the steps before it.
                if (filter != null) {
                    long rc = LockdownNative.sb4j_seccomp_tsync(filter, 0);
                    if (rc > 0) {
                        throw fail(LockdownStep.SECCOMP, "thread " + rc + " (" + threadName((int) rc)
                                + ") could not be synchronised to the filter (it has a filter of its own); no filter was"
                                + " installed", (int) rc, 0, null);
                    } else if (rc < 0) {
                        throw fail(LockdownStep.SECCOMP, "seccomp(SET_MODE_FILTER, TSYNC) of " + filter.length / 8
                                + " instructions: " + LibC.strerrorText((int) -rc), 0, (int) -rc, null);
                    }
                    applied.add(seccompLine);
                }
                long t1 = System.nanoTime();
                // ---- VERIFY
                List<LockdownReport.ThreadState> threads = verify(filter != null, acks);
                long t2 = System.nanoTime();
                return new LockdownReport(applied, threads, acks.size(), plan == null ? null : plan.status(),
                        Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1), LockdownNative.sb4j_signal(), preexisting);
            } finally {
                if (rulesetFd >= 0) {
                    LockdownNative.sb4j_close(rulesetFd);
                }
            }
        }

        /**
         * Loads every class the later steps and the caller's error handling use: once Landlock is in place
         * a class file outside the allowed paths (a class directory, a jar not yet opened) cannot be read.
         */
        private void preload() {
            for (Class<?> c : new Class<?>[] {LockdownStep.class, LockdownException.class, LockdownReport.class,
                LockdownReport.ThreadState.class, PreexistingChannel.class, PreexistingChannel.Kind.class,
                PreexistingChannels.class, org.sandbox4j.landlock.LandlockStatus.class,
                org.sandbox4j.landlock.LandlockStatus.Enforcement.class, Duration.class, HashMap.class}) {
                try {
                    Class.forName(c.getName(), true, c.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            }
            LockdownStep.values();
            PreexistingChannel.Kind.values();
            org.sandbox4j.landlock.LandlockStatus.Enforcement.values();
        }

        /**
         * Looks for pre-existing channels and fails {@code step} if one is refused. In VERIFY (after
         * the seccomp filter, which may forbid io_uring_setup) it catches a ring made by another thread
         * between PREPARE and then; only fds and mappings there ({@code tasks} false): VERIFY checks
         * the flags of every thread whose status is not as required.
         */
        private List<PreexistingChannel> scanPreexisting(LockdownStep step, boolean tasks) {
            List<PreexistingChannel> found;
            try {
                found = PreexistingChannels.scan(tasks);
            } catch (IOException | RuntimeException e) {
                throw fail(step, "cannot look for pre-existing channels in /proc/self: " + e, 0, 0, e);
            }
            List<String> refused = new ArrayList<>();
            int tid = 0;
            for (PreexistingChannel c : found) {
                if (refused(c)) {
                    refused.add(c.toString());
                    tid = tid == 0 ? c.tid() : tid;
                }
            }
            if (!refused.isEmpty()) {
                if (step == LockdownStep.PREPARE) {
                    preexisting = found;
                }
                throw fail(step, "pre-existing channels would keep acting with the credentials of before the"
                        + " lockdown (past Landlock, seccomp and the capability drop): " + String.join("; ", refused)
                        + (step == LockdownStep.PREPARE ? "; close them first" : " (created during the lockdown)")
                        + (found.stream().allMatch(c -> c.kind() != PreexistingChannel.Kind.KERNEL_WORKER)
                                && !b.allowIoUring ? ", or accept them with allowPreexistingIoUring()" : ""),
                        tid, 0, null);
            }
            return found;
        }

        private boolean refused(PreexistingChannel c) {
            return c.kind().refusedByDefault() && (c.kind() == PreexistingChannel.Kind.KERNEL_WORKER || !b.allowIoUring);
        }

        private int buildRuleset(LandlockPlan plan) {
            int fd = LockdownNative.sb4j_landlock_ruleset(plan.fsMask(), plan.netMask());
            if (fd < 0) {
                throw fail(LockdownStep.PREPARE, "landlock_create_ruleset(fs=0x" + Long.toHexString(plan.fsMask())
                        + ", net=0x" + Long.toHexString(plan.netMask()) + "): " + LibC.strerrorText(-fd), 0, -fd, null);
            }
            List<LandlockPlan.Path> paths = new ArrayList<>(MergedRules.merge(plan.paths()));
            long procRead = plan.fsMask() & (AccessFs.READ_FILE.mask() | AccessFs.READ_DIR.mask());
            if (procRead != 0) {
                // The process's own /proc/<pid> stays readable: the JVM reads it (metrics, container support) and
                // the verification step reads every thread's status there.
                paths.add(new LandlockPlan.Path("/proc/self", procRead));
            }
            for (LandlockPlan.Path p : paths) {
                int rc = LockdownNative.sb4j_landlock_path(fd, p.path(), p.access());
                if (rc < 0) {
                    LockdownNative.sb4j_close(fd);
                    throw fail(LockdownStep.PREPARE, "Landlock rule for " + p.path() + ": " + LibC.strerrorText(-rc), 0, -rc,
                            null);
                }
            }
            for (LandlockPlan.Port p : plan.ports()) {
                int rc = LockdownNative.sb4j_landlock_port(fd, p.port(), p.access());
                if (rc < 0) {
                    LockdownNative.sb4j_close(fd);
                    throw fail(LockdownStep.PREPARE, "Landlock rule for TCP port " + p.port() + ": "
                            + LibC.strerrorText(-rc), 0, -rc, null);
                }
            }
            return fd;
        }

        /** Runs the per-thread step; returns each covered tid (true = it acknowledged Landlock). */
        private Map<Integer, Boolean> broadcast(int actions, int rulesetFd, int llFlags, long bounding, String what) {
            int cap = 3 * Math.max(4096, Thread.activeCount() * 4 + 1024);
            int[] out = new int[cap];
            int n = LockdownNative.sb4j_broadcast(actions, rulesetFd, llFlags, bounding, (int) b.timeout.toMillis(), out, cap);
            if (n < 0) {
                throw fail(LockdownStep.THREADS, "the per-thread broadcast could not start: " + LibC.strerrorText(-n)
                        + (-n == 16 ? " (another handler is installed on signal " + LockdownNative.sb4j_signal() + ")" : ""),
                        0, -n, null);
            }
            if (n * 3 > cap) {
                throw fail(LockdownStep.THREADS, n + " threads answered, more than the " + cap / 3 + " expected; result"
                        + " unknown for some", 0, 0, null);
            }
            Map<Integer, Boolean> acks = new HashMap<>();
            List<String> failures = new ArrayList<>();
            int firstTid = 0;
            int firstErr = 0;
            for (int i = 0; i < n; i++) {
                int tid = out[3 * i];
                int err = out[3 * i + 1];
                int stage = out[3 * i + 2];
                if (stage == 0) {
                    acks.put(tid, (actions & LockdownNative.ACT_LANDLOCK) != 0);
                } else if (stage == LockdownNative.STAGE_WORKER && b.allowIoUring
                        && (err & PreexistingChannels.PF_IO_WORKER) != 0) {
                    continue; // an accepted io_uring thread: runs no user code, cannot take the step
                } else {
                    if (firstTid == 0) {
                        firstTid = tid;
                        firstErr = err;
                    }
                    failures.add("thread " + tid + " (" + threadName(tid) + "): " + stageName(stage)
                            + (stage == LockdownNative.STAGE_WORKER ? " (flags 0x" + Integer.toHexString(err)
                                    + "; it cannot take the per-thread step and appeared after PREPARE)"
                                    : stage == LockdownNative.STAGE_TIMEOUT ? " (no answer within " + b.timeout.toMillis()
                                    + " ms: it blocks signal " + LockdownNative.sb4j_signal() + " or is stopped)"
                                    : ": " + LibC.strerrorText(err)));
                }
            }
            if (!failures.isEmpty()) {
                if (!acks.isEmpty()) {
                    applied.add("THREADS: " + what + " on " + acks.size() + " threads " + acks.keySet()
                            + " (irreversible there)");
                }
                throw fail(LockdownStep.THREADS, String.join("; ", failures), firstTid, firstErr, null);
            }
            // String.concat, not +: no call site to link between the changes (see run()).
            applied.add("THREADS: ".concat(what).concat(" on all ").concat(Integer.toString(acks.size()))
                    .concat(" threads (irreversible)"));
            return acks;
        }

        private List<LockdownReport.ThreadState> verify(boolean seccomp, Map<Integer, Boolean> acks) {
            long[] out = new long[10 * Math.max(4096, acks.size() * 2 + 1024)];
            int n = LockdownNative.sb4j_thread_status(out, out.length);
            if (n < 0 || n * 10 > out.length) {
                throw fail(LockdownStep.VERIFY, "cannot read /proc/self/task/*/status: "
                        + (n < 0 ? LibC.strerrorText(-n) : "too many threads"), 0, Math.max(-n, 0), null);
            }
            boolean privileged = b.clearBounding && acks.size() > 0 && boundingWasDroppable;
            List<LockdownReport.ThreadState> states = new ArrayList<>(n);
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int o = 10 * i;
                LockdownReport.ThreadState t = new LockdownReport.ThreadState((int) out[o], (int) out[o + 1],
                        (int) out[o + 2], (int) out[o + 3], out[o + 4], out[o + 5], out[o + 6], out[o + 7], out[o + 8],
                        acks.getOrDefault((int) out[o], false));
                List<String> problems = new ArrayList<>();
                if (t.noNewPrivs() != 1) {
                    problems.add(t + ": no_new_privs not set");
                }
                if (seccomp && (t.seccompMode() != 2 || t.seccompFilters() < 1)) {
                    problems.add(t + ": no seccomp filter");
                }
                if (b.dropCaps && (t.capEff() != 0 || t.capPrm() != 0 || t.capInh() != 0 || (t.capAmb() != 0 && t.capAmb() != -1))) {
                    problems.add(t + ": capabilities left");
                }
                if (privileged && t.capBnd() != 0) {
                    problems.add(t + ": bounding set not empty");
                }
                if (!problems.isEmpty()) {
                    // Only such a thread's flags are read: a kernel worker cannot take the step and runs no user
                    // code; an accepted io_uring one is in the report, any other fails.
                    long flags = LockdownNative.sb4j_task_flags(t.tid());
                    if (flags > 0 && (flags & PreexistingChannels.PF_USER_WORKER) != 0) {
                        if (!b.allowIoUring || (flags & PreexistingChannels.PF_IO_WORKER) == 0) {
                            bad.add("thread " + t.tid() + " (" + threadName(t.tid()) + "): a kernel worker thread (flags 0x"
                                    + Long.toHexString(flags) + ") that appeared during the lockdown");
                        }
                        continue;
                    }
                    bad.addAll(problems);
                }
                states.add(t);
            }
            if (!bad.isEmpty()) {
                throw fail(LockdownStep.VERIFY, String.join("; ", bad), 0, 0, null);
            }
            scanPreexisting(LockdownStep.VERIFY, false);
            return states;
        }

        private boolean boundingWasDroppable;

        /** The caller's bounding set (CapBnd), and whether it may drop from it (CAP_SETPCAP effective). */
        private long boundingSet() {
            try {
                long bnd = 0;
                long eff = 0;
                for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith("CapBnd:")) {
                        bnd = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    } else if (line.startsWith("CapEff:")) {
                        eff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    }
                }
                boundingWasDroppable = (eff & (1L << 8)) != 0; // CAP_SETPCAP
                return bnd;
            } catch (IOException | NumberFormatException e) {
                throw fail(LockdownStep.PREPARE, "cannot read /proc/thread-self/status: " + e, 0, 0, e);
            }
        }
    }

    private static String describe(int actions) {
        List<String> l = new ArrayList<>();
        l.add("no_new_privs");
        if ((actions & LockdownNative.ACT_LANDLOCK) != 0) {
            l.add("Landlock domain");
        }
        if ((actions & LockdownNative.ACT_CAPS) != 0) {
            l.add("capabilities dropped");
        }
        return String.join(", ", l);
    }

    private static String stageName(int stage) {
        switch (stage) {
            case LockdownNative.STAGE_NNP:
                return "no_new_privs";
            case LockdownNative.STAGE_LANDLOCK:
                return "landlock_restrict_self";
            case LockdownNative.STAGE_BOUNDING:
                return "drop from the bounding set";
            case LockdownNative.STAGE_CAPSET:
                return "capset";
            case LockdownNative.STAGE_AMBIENT:
                return "clear the ambient set";
            case LockdownNative.STAGE_TIMEOUT:
                return "not covered";
            case LockdownNative.STAGE_WORKER:
                return "a kernel worker thread, not covered";
            default:
                return "stage " + stage;
        }
    }

    /** The thread's name from /proc (the JVM names its threads there), or "exited". */
    static String threadName(int tid) {
        try {
            return Files.readString(Path.of("/proc/self/task/" + tid + "/comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "exited";
        }
    }
}
