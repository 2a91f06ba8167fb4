package org.sandbox4j.worker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.internal.ResolvedBinds;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.seccomp.SeccompProgram;

/**
 * A jailed JVM: which JDK and class path it sees, its heap, flags, limits and seccomp filter.
 * Immutable; build once, start many times (a {@link WorkerPool} does).
 *
 * <pre>{@code
 * WorkerSpec spec = WorkerSpec.builder()
 *         .heap(64 << 20)                   // -Xmx64m; an OutOfMemoryError ends the worker
 *         .build();                         // this JVM's JDK; the handler's entry and the library, read-only
 * Process p = spec.start("com.example.Main", "arg");   // a one-shot jailed JVM
 * }</pre>
 *
 * <p>What the jail shows (see docs/workers.md): the JDK directory ({@code java.home}) and the class
 * path entries read-only at their host paths (by default only the one holding the worker's class and
 * the library's, see {@link #classpathFor(String)}); the files the JDK's symbolic links point to
 * (Debian keeps {@code jvm.cfg} and {@code java.security} under {@code /etc}); the shared
 * libraries the JDK loads, one file each, and the host's {@code /lib} style symlinks that lead to
 * them; a minimal {@code /dev}; a size-limited tmpfs at {@code /tmp}. No {@code /proc} (HotSpot runs
 * without it; {@link Builder#proc()} adds one), no {@code /etc}, no home directory, no network.
 */
public final class WorkerSpec {
    /**
     * The flags every worker JVM gets, chosen for a small, fast-starting JVM (docs/workers.md
     * explains each): CDS on, Serial GC, C1 only, one CPU's worth of threads, small stacks and
     * metaspace, no perf data file, VM output and logs on stderr (stdout carries replies), exit on
     * OutOfMemoryError (exit code 3).
     */
    public static final List<String> BASE_FLAGS = List.of(
            "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
            "-XX:ActiveProcessorCount=1", "-XX:-UseContainerSupport", "-Xss512k", "-XX:MaxMetaspaceSize=64m",
            "-XX:CompressedClassSpaceSize=16m", "-XX:ReservedCodeCacheSize=16m", "-XX:MaxDirectMemorySize=32m",
            "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr",
            "-Xlog:disable", "-Xlog:all=warning:stderr", "-XX:ErrorFile=/tmp/hs_err.log",
            "-Djava.io.tmpdir=/tmp", "-Duser.home=/tmp", "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8");

    private final Path javaHome;
    /** The explicit class path, or null: each main class then gets {@link #classpathFor(String)}. */
    private final @Nullable List<Path> classpath;
    private final List<Path> searchPath;
    private final List<Path> extraEntries;
    private final java.util.concurrent.ConcurrentHashMap<String, Sandbox> jails = new java.util.concurrent.ConcurrentHashMap<>();
    private final @Nullable CdsCache cds;
    private final java.util.concurrent.ConcurrentHashMap<Path, Sandbox> cdsJails = new java.util.concurrent.ConcurrentHashMap<>();
    private final long heapBytes;
    private final List<String> jvmFlags;
    private final long tmpBytes;
    private final boolean proc;
    private final long addressSpaceBytes;
    private final int maxThreads;
    private final @Nullable Duration lifetime;
    private final SeccompProgram seccomp;
    private final @Nullable Consumer<Sandbox.Builder> customizer;
    private final org.sandbox4j.seccomp.@Nullable SyscallRecorder recorder;
    private final org.sandbox4j.cgroup.CgroupLimits cgroupLimits;
    private final Sandbox sandbox;

    private WorkerSpec(Builder b) throws SandboxException {
        this.javaHome = b.javaHome;
        this.classpath = b.classpath == null ? null : List.copyOf(b.classpath);
        this.searchPath = List.copyOf(b.searchPath);
        this.extraEntries = List.copyOf(b.extraEntries);
        this.cds = b.cdsDir == null ? null : new CdsCache(b.cdsDir);
        this.cgroupLimits = b.cgroupLimits;
        this.heapBytes = b.heapSet || cgroupLimits.memoryMax() <= 0 ? b.heapBytes : heapFor(cgroupLimits.memoryMax());
        this.jvmFlags = List.copyOf(b.jvmFlags);
        this.tmpBytes = b.tmpBytes;
        this.proc = b.proc;
        this.addressSpaceBytes = b.addressSpaceBytes > 0 ? b.addressSpaceBytes : heapBytes + (1L << 30);
        this.maxThreads = b.maxThreads;
        this.lifetime = b.lifetime;
        this.seccomp = b.seccomp != null ? b.seccomp
                : ExecOnce.wrap(b.policy != null ? b.policy : SeccompProfiles.policy(SeccompProfiles.JVM_WORKER));
        this.customizer = b.customizer;
        this.recorder = b.recorder;
        this.sandbox = buildSandbox(classpath != null ? classpath : baseClasspath());
    }

    /**
     * Finds now what a worker of the JDK at {@code javaHome} needs to see (its shared libraries, by
     * running {@code ldd} once; cached for the JVM's life). A lockdown that forbids exec would refuse
     * that later: {@code Lockdown.Builder.keepStartingJails()} does it for this JVM's JDK; call it
     * before the lockdown for another JDK you give to {@link Builder#javaHome}.
     *
     * @param javaHome the JDK's home directory
     */
    public static void prepareJdk(Path javaHome) {
        JvmFiles.forJdk(javaHome);
    }

    /**
     * The heap a JVM gets under a memory limit when the caller gave none: three quarters of the
     * limit, at most the limit less 48 MiB for metaspace, code cache, thread stacks and GC
     * structures, and at least 8 MiB. The JVM does read cgroup limits, but not the jail's: the jail
     * has no /sys/fs/cgroup, so the heap is set here.
     */
    static long heapFor(long memoryLimit) {
        long heap = Math.min(memoryLimit / 4 * 3, memoryLimit - (48L << 20));
        return Math.max(8L << 20, heap & ~((1L << 20) - 1));
    }

    /**
     * A builder: this JVM's JDK and class path, 64 MiB heap, the JVM_WORKER seccomp profile.
     *
     * @return a builder with those defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    private Sandbox buildSandbox(List<Path> cp) {
        Sandbox.Builder b = Sandbox.builder();
        // /tmp first: a class path under the host's /tmp is then bound inside the jail's tmpfs
        b.dev("/dev").tmpfs("/tmp", tmpBytes);
        JvmFiles.forJdk(javaHome).applyTo(b);
        b.readOnly(javaHome.toString());
        for (Path p : new java.util.LinkedHashSet<>(cp)) {
            ResolvedBinds.readOnly(b, p.toString()); // a worker may write a class-path directory
        }
        if (proc) {
            b.proc("/proc");
        }
        // glibc gives each thread that allocates its own 64 MiB malloc arena; one is plenty here
        // The launcher finds libjli.so through $ORIGIN, which glibc learns from /proc/self/exe;
        // without /proc it needs the library directory spelled out.
        b.env("LD_LIBRARY_PATH", javaHome.resolve("lib").toString());
        b.env("MALLOC_ARENA_MAX", "1").env("LANG", "C.UTF-8").env("PATH", javaHome.resolve("bin").toString());
        b.rlimit(Rlimit.AS, addressSpaceBytes).rlimit(Rlimit.NPROC, maxThreads).rlimit(Rlimit.CORE, 0)
                .rlimit(Rlimit.NOFILE, 256).rlimit(Rlimit.FSIZE, tmpBytes);
        if (lifetime != null) {
            b.timeLimit(lifetime);
        }
        // The limits hold the whole JVM: heap, metaspace, threads, and what it writes to /tmp.
        b.cgroupLimits(cgroupLimits);
        b.seccomp(seccomp);
        // seccomp supervisor (issue 15): a pool's failure names the call its filter killed a worker
        // for (at start too); allowed calls cost nothing more. With a recorder: learn instead.
        b.reportViolations(true).recordSyscalls(recorder);
        if (customizer != null) {
            customizer.accept(b);
        }
        return b.build();
    }

    /**
     * The jail of this spec with its base class path: the explicit one, or by default only the
     * library and the {@link Builder#classpathOf(Class[])} entries. {@link #sandboxFor(String)} adds
     * a main class's own entry.
     *
     * @return the jail, without a main class's entry
     */
    public Sandbox sandbox() {
        return sandbox;
    }

    /**
     * The jail a JVM running {@code mainClass} starts in: it shows {@link #classpathFor(String)}.
     *
     * @param mainClass the binary name of the class the JVM runs
     * @return the jail, showing that class's entry too
     */
    public Sandbox sandboxFor(String mainClass) {
        if (classpath != null) {
            return sandbox;
        }
        return jails.computeIfAbsent(mainClass, c -> buildSandbox(classpathFor(c)));
    }

    /**
     * The class path a JVM running {@code mainClass} gets. With an explicit {@link
     * Builder#classpath(List)} or {@link Builder#fullClasspath()}, that one. By default only what a
     * handler needs: the entry of the search path (this JVM's class path unless {@link
     * Builder#searchClasspath(List)}) that holds {@code mainClass}, the entry that holds this library,
     * and the entries named with {@link Builder#classpathOf(Class[])}; never the application's other
     * directories and jars, so a resource such as {@code db.password} beside them stays out of the jail.
     *
     * @param mainClass the binary name of the class the JVM runs
     * @return the entries, in class path order
     * @throws IllegalArgumentException when no entry of the search path holds {@code mainClass}
     */
    public List<Path> classpathFor(String mainClass) {
        if (classpath != null) {
            return classpath;
        }
        java.util.LinkedHashSet<Path> l = new java.util.LinkedHashSet<>();
        l.add(entryOf(mainClass, searchPath).orElseThrow(() -> new IllegalArgumentException("the worker class "
                + mainClass + " is in no entry of the class path " + searchPath
                + "; name its entry with WorkerSpec.Builder.classpath(...) or classpathOf(...)")));
        l.addAll(baseClasspath());
        return List.copyOf(l);
    }

    /** A worker's jail and command line. */
    record Launch(Sandbox jail, List<String> command) {}

    /**
     * How to start a worker serving {@code handlerClass}: its jail and command line, with the
     * class-data sharing archive (made now if it is missing) when {@link Builder#classDataSharing} is on.
     */
    Launch launch(String handlerClass, List<String> args) {
        List<String> cmd = workerCommand(handlerClass, args);
        Sandbox jail = sandboxFor(handlerClass);
        if (cds == null) {
            return new Launch(jail, cmd);
        }
        java.util.Optional<Path> archive = cds.archive(this, handlerClass, classpathFor(handlerClass), cmd);
        if (archive.isEmpty()) {
            return new Launch(jail, cmd);
        }
        List<String> withArchive = new ArrayList<>(cmd);
        withArchive.add(withArchive.indexOf(WorkerMain.class.getName()), "-XX:SharedArchiveFile=" + CdsCache.JAIL_PATH);
        Sandbox j = cdsJails.computeIfAbsent(archive.get(),
                a -> jail.toBuilder().readOnly(a.toString(), CdsCache.JAIL_PATH).build());
        return new Launch(j, withArchive);
    }

    /**
     * The class-data sharing cache directory, when that is on.
     *
     * @return the directory, or empty when class-data sharing is off
     */
    public java.util.Optional<Path> classDataSharingDir() {
        return cds == null ? java.util.Optional.empty() : java.util.Optional.of(cds.dir());
    }

    /** The library's entry and the explicit extras: what every default-class-path worker sees. */
    private List<Path> baseClasspath() {
        java.util.LinkedHashSet<Path> l = new java.util.LinkedHashSet<>();
        entryOf(WorkerMain.class.getName(), searchPath).ifPresent(l::add);
        if (l.isEmpty()) {
            Builder.codeSource(WorkerMain.class).ifPresent(l::add);
        }
        l.addAll(extraEntries);
        return List.copyOf(l);
    }

    /** The first entry (a directory or a jar) of {@code path} that holds the class file of {@code cls}. */
    static java.util.Optional<Path> entryOf(String cls, List<Path> path) {
        String file = cls.replace('.', '/') + ".class";
        for (Path e : path) {
            if (Files.isDirectory(e)) {
                if (Files.isRegularFile(e.resolve(file))) {
                    return java.util.Optional.of(e);
                }
            } else if (Files.isRegularFile(e)) {
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(e.toFile())) {
                    if (z.getEntry(file) != null) {
                        return java.util.Optional.of(e);
                    }
                } catch (IOException ex) {
                    // not a jar: it holds no class
                }
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The command line of a JVM running {@code mainClass}: java, the flags, -cp, the class, args.
     *
     * @param mainClass the binary name of the class to run
     * @param args the arguments of its {@code main}
     * @return the command line, the java binary first
     */
    public List<String> command(String mainClass, List<String> args) {
        return command(classpathFor(mainClass), mainClass, args);
    }

    /** The command line of a worker JVM serving {@code handlerClass}: its class path, WorkerMain. */
    List<String> workerCommand(String handlerClass, List<String> args) {
        return command(classpathFor(handlerClass), WorkerMain.class.getName(), args);
    }

    private List<String> command(List<Path> cp, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin/java").toString());
        cmd.addAll(BASE_FLAGS);
        cmd.add("-Xmx" + heapBytes);
        cmd.add("-Xms" + Math.min(heapBytes, 8L << 20));
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp.stream().map(Path::toString).toList()));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Starts a one-shot jailed JVM running {@code mainClass}: a {@link Process} like any other.
     *
     * @param mainClass the binary name of the class to run
     * @param args the arguments of its {@code main}
     * @return the started JVM
     * @throws IOException when the jail cannot be started ({@link SandboxException} names the step)
     */
    public SandboxedProcess start(String mainClass, String... args) throws IOException {
        return sandboxFor(mainClass).start(command(mainClass, Arrays.asList(args)));
    }

    /**
     * The worker JVM's cgroup limits (docs/resources.md).
     *
     * @return the limits, {@link org.sandbox4j.cgroup.CgroupLimits#NONE} when none is set
     */
    public org.sandbox4j.cgroup.CgroupLimits cgroupLimits() {
        return cgroupLimits;
    }

    /**
     * The maximum Java heap (-Xmx).
     *
     * @return the heap in bytes
     */
    public long heapBytes() {
        return heapBytes;
    }

    /**
     * The explicit class path, or by default the entries every worker sees whatever its class (the
     * library and {@link Builder#classpathOf(Class[])}); {@link #classpathFor(String)} is the whole list.
     *
     * @return the entries, in class path order
     */
    public List<Path> classpath() {
        return classpath != null ? classpath : baseClasspath();
    }

    /** Builds a {@link WorkerSpec}. Not thread-safe. */
    public static final class Builder {
        private Path javaHome = Path.of(System.getProperty("java.home"));
        private @Nullable List<Path> classpath;
        private List<Path> searchPath = defaultClasspath();
        private final List<Path> extraEntries = new ArrayList<>();
        private @Nullable Path cdsDir;
        private long heapBytes = 64L << 20;
        private final List<String> jvmFlags = new ArrayList<>();
        private long tmpBytes = 16L << 20;
        private boolean proc;
        private long addressSpaceBytes;
        private int maxThreads = 128;
        private @Nullable Duration lifetime;
        private @Nullable SeccompProgram seccomp;
        private @Nullable SeccompPolicy policy;
        private @Nullable Consumer<Sandbox.Builder> customizer;
        private org.sandbox4j.seccomp.@Nullable SyscallRecorder recorder;
        private boolean heapSet;
        private org.sandbox4j.cgroup.CgroupLimits cgroupLimits = org.sandbox4j.cgroup.CgroupLimits.NONE;

        private Builder() {}

        private Builder limits(java.util.function.Consumer<Sandbox.Builder> set) {
            Sandbox.Builder b = Sandbox.builder().cgroupLimits(cgroupLimits);
            set.accept(b);
            this.cgroupLimits = b.build().cgroupLimits();
            return this;
        }

        /**
         * A memory limit on the worker's whole JVM (cgroup memory.max, no swap beyond it). Without
         * {@link #heap(long)} the heap is sized from it. A worker the kernel kills at this limit fails
         * its task with {@link WorkerException.Kind#MEMORY_LIMIT}, and a pool replaces it.
         *
         * @param bytes the limit, at least 1 MiB
         * @return this builder
         */
        public Builder memoryLimit(long bytes) {
            return limits(b -> b.memoryLimit(bytes));
        }

        /**
         * At most {@code n} processes and threads for the worker's JVM (cgroup pids.max).
         *
         * @param n the limit, at least 1
         * @return this builder
         */
        public Builder pidsLimit(long n) {
            return limits(b -> b.pidsLimit(n));
        }

        /**
         * At most {@code cores} CPUs' worth of time for the worker's JVM (cgroup cpu.max).
         *
         * @param cores CPUs' worth of time, such as 0.5
         * @return this builder
         */
        public Builder cpuLimit(double cores) {
            return limits(b -> b.cpuLimit(cores));
        }

        /**
         * Where the workers' cgroups go (see {@code Sandbox.Builder.cgroupParent}).
         *
         * @param dir the cgroup directory, absolute, delegated to this user
         * @return this builder
         */
        public Builder cgroupParent(Path dir) {
            return limits(b -> b.cgroupParent(dir));
        }

        /**
         * STRICT (default) or BEST_EFFORT for the cgroup limits (see {@code Sandbox.Builder.cgroupCompatibility}).
         *
         * @param c the compatibility level
         * @return this builder
         */
        public Builder cgroupCompatibility(org.sandbox4j.landlock.Compatibility c) {
            return limits(b -> b.cgroupCompatibility(c));
        }

        private static List<Path> defaultClasspath() {
            List<Path> l = new ArrayList<>();
            for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                if (!e.isEmpty() && Files.exists(Path.of(e))) {
                    l.add(Path.of(e).toAbsolutePath().normalize());
                }
            }
            return l;
        }

        /**
         * The JDK to run (default: this JVM's {@code java.home}).
         *
         * @param home the JDK's home directory
         * @return this builder
         */
        public Builder javaHome(Path home) {
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new IllegalArgumentException(home + " has no bin/java");
            }
            this.javaHome = home.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Exactly this class path; each entry is bound read-only at its own path. Without it a worker
         * sees only its own class's entry and the library ({@link WorkerSpec#classpathFor(String)}).
         *
         * @param entries the class path, in order
         * @return this builder
         */
        public Builder classpath(List<Path> entries) {
            this.classpath = checkedEntries(entries);
            return this;
        }

        /**
         * Opts in to this JVM's whole class path ({@code java.class.path}), every directory and jar of
         * the application, resources included: the old default, for a handler with many dependencies.
         *
         * @return this builder
         */
        public Builder fullClasspath() {
            this.classpath = defaultClasspath();
            return this;
        }

        /**
         * Where the default class path looks for a worker class and the library (default: this JVM's
         * class path). The worker gets only the entries it needs from it.
         *
         * @param entries the class path to search, in order
         * @return this builder
         */
        public Builder searchClasspath(List<Path> entries) {
            this.searchPath = checkedEntries(entries);
            return this;
        }

        /**
         * Adds the class path entries (jar or directory) that hold these classes to the default class
         * path: the handler's dependencies, e.g. {@code classpathOf(PDDocument.class)} for PDFBox.
         *
         * @param classes classes whose jar or directory workers need
         * @return this builder
         * @throws IllegalArgumentException when a class has no file-system code source (a JDK class)
         */
        public Builder classpathOf(Class<?>... classes) {
            for (Class<?> c : classes) {
                Path p = entryOf(c.getName(), searchPath).or(() -> codeSource(c)).orElseThrow(
                        () -> new IllegalArgumentException(c.getName() + " has no class path entry to show"));
                if (!extraEntries.contains(p)) {
                    extraEntries.add(p);
                }
            }
            return this;
        }

        static java.util.Optional<Path> codeSource(Class<?> c) {
            java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null || !"file".equals(cs.getLocation().getProtocol())) {
                return java.util.Optional.empty();
            }
            try {
                return java.util.Optional.of(Path.of(cs.getLocation().toURI()).toAbsolutePath().normalize());
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return java.util.Optional.empty();
            }
        }

        private static List<Path> checkedEntries(List<Path> entries) {
            List<Path> l = new ArrayList<>();
            for (Path p : entries) {
                if (!Files.exists(p)) {
                    throw new IllegalArgumentException("class path entry " + p + " does not exist");
                }
                l.add(p.toAbsolutePath().normalize());
            }
            return l;
        }

        /**
         * Class-data sharing for this spec's workers, with the archives in {@code cacheDir}: the first
         * worker of a class path (jars only) and handler makes a dynamic CDS archive in a training
         * worker that sees no request; later workers map it read-only and start faster. The directory
         * is created 0700 and must belong to this JVM's user and be writable by no one else (else CDS
         * is skipped, logged once). docs/workers.md and docs/performance.md say more.
         *
         * @param cacheDir the archive cache, created if missing
         * @return this builder
         */
        public Builder classDataSharing(Path cacheDir) {
            this.cdsDir = cacheDir.toAbsolutePath().normalize();
            return this;
        }

        /**
         * {@link #classDataSharing(Path)} in {@code $XDG_CACHE_HOME/sandbox4j/cds} or {@code ~/.cache/sandbox4j/cds}.
         *
         * @return this builder
         */
        public Builder classDataSharing() {
            return classDataSharing(CdsCache.defaultDir());
        }

        /**
         * The maximum Java heap (default 64 MiB).
         *
         * @param bytes the heap (-Xmx) in bytes
         * @return this builder
         */
        public Builder heap(long bytes) {
            if (bytes < (8L << 20)) {
                throw new IllegalArgumentException("heap must be at least 8 MiB: " + bytes);
            }
            this.heapBytes = bytes;
            this.heapSet = true;
            return this;
        }

        /**
         * More JVM flags, after {@link #BASE_FLAGS} (so they win).
         *
         * @param flags JVM options such as {@code -XX:+UseSerialGC}
         * @return this builder
         */
        public Builder jvmFlags(String... flags) {
            jvmFlags.addAll(Arrays.asList(flags));
            return this;
        }

        /**
         * The size of the worker's /tmp tmpfs and its largest file (default 16 MiB).
         *
         * @param bytes the size in bytes
         * @return this builder
         */
        public Builder tmpSize(long bytes) {
            this.tmpBytes = bytes;
            return this;
        }

        /**
         * Mounts a /proc of the jail's own processes (HotSpot does not need it).
         *
         * @return this builder
         */
        public Builder proc() {
            this.proc = true;
            return this;
        }

        /**
         * RLIMIT_AS, the virtual memory ceiling for native allocations (default heap + 1 GiB).
         *
         * @param bytes the limit in bytes
         * @return this builder
         */
        public Builder addressSpace(long bytes) {
            this.addressSpaceBytes = bytes;
            return this;
        }

        /**
         * RLIMIT_NPROC: threads the worker may have (default 128).
         *
         * @param n the limit
         * @return this builder
         */
        public Builder maxThreads(int n) {
            this.maxThreads = n;
            return this;
        }

        /**
         * A wall-clock limit on the whole JVM's life (default none; pools limit each task instead).
         *
         * @param d the limit
         * @return this builder
         */
        public Builder lifetime(Duration d) {
            this.lifetime = d;
            return this;
        }

        /**
         * The seccomp policy, wrapped by {@link ExecOnce} (default: the JVM_WORKER profile).
         *
         * @param policy the policy the worker's JVM runs under
         * @return this builder
         */
        public Builder seccomp(SeccompPolicy policy) {
            this.policy = policy;
            this.seccomp = null;
            return this;
        }

        /**
         * A compiled seccomp program, used as it is.
         *
         * @param program the filter the worker's JVM runs under
         * @return this builder
         */
        public Builder seccomp(SeccompProgram program) {
            this.seccomp = program;
            this.policy = null;
            return this;
        }

        /**
         * Learns the workers' system calls instead of filtering them (see {@link
         * Sandbox.Builder#recordSyscalls}): each worker JVM's calls are added to {@code recorder} when
         * it ends (a pool's {@code close()} ends them all). The learned policy is the one to pass to
         * {@link #seccomp(SeccompPolicy)} (which wraps it in {@link ExecOnce}'s execve rule).
         *
         * @param recorder collects the calls; null to filter again
         * @return this builder
         */
        public Builder recordSyscalls(org.sandbox4j.seccomp.@Nullable SyscallRecorder recorder) {
            this.recorder = recorder;
            return this;
        }

        /**
         * A last word on the jail: adds binds, limits, ... after everything this spec sets.
         *
         * @param c changes the jail's builder
         * @return this builder
         */
        public Builder customize(Consumer<Sandbox.Builder> c) {
            this.customizer = c;
            return this;
        }

        /**
         * Builds the spec (and its jail).
         *
         * @return the immutable spec
         * @throws SandboxException when the launcher binary cannot be read for the seccomp filter
         */
        public WorkerSpec build() throws SandboxException {
            return new WorkerSpec(this);
        }
    }
}
