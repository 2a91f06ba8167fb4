package org.sandbox4j.selfjail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.JailExit;
import org.sandbox4j.Namespace;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.internal.ResolvedBinds;
import org.sandbox4j.mount.MountOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the whole application in a jail: at the top of {@code main}, {@link #enter} starts the same
 * JVM with the same options, class path or module path, main class and arguments inside the jail,
 * forwards stdin, stdout, stderr and signals to it, and ends this JVM with the jailed JVM's exit
 * status. In the jailed JVM, {@code enter} returns at once and {@code main} goes on.
 *
 * <pre>{@code
 * public static void main(String[] args) throws IOException {
 *     SelfJail.enter(Sandbox.builder()
 *             .readOnly("/usr").readOnly(appHome).readWrite(dataDir)
 *             .network(Network.HOST)
 *             .build(), args);
 *     // from here on, only in the jail
 * }
 * }</pre>
 *
 * <p>On top of the caller's {@link Sandbox} the jail gets what a JVM needs, each only when the
 * caller did not give that path already: the JDK ({@code java.home}) and the directories of the
 * native libraries this JVM has loaded, read-only; the class path, module path, jar and agent files,
 * read-only at the same paths; {@code /lib64}-style symlinks and the dynamic loader's cache;
 * {@code /etc/localtime} and {@code /etc/timezone} (so the default time zone is the same); a new
 * {@code /proc} (the pid namespace is new), a minimal {@code /dev}, a tmpfs at {@code /tmp}; the
 * working directory (as the jail shows it, or an empty directory) and {@code LANG}, {@code LC_*} and
 * {@code TZ}. Stdio is always inherited. Everything else is the caller's choice: no network, no other
 * files, no environment unless the Sandbox says so. SelfJail's binds go before the caller's mounts
 * inside them, so those stay visible; a caller's mount that covers a path the JVM needs with other
 * content is an error naming both (docs/self-jail.md).
 *
 * <p>The jailed JVM knows it is jailed from a proof on an inherited, sealed memfd and facts the
 * kernel reports (see {@link #isJailed()}); a marker without them makes {@code enter} refuse.
 *
 * <p>Signals: the outer JVM catches SIGTERM, SIGINT and SIGHUP with {@code sun.misc.Signal} (module
 * jdk.unsupported, resolved by default for class-path applications; a modular application adds
 * {@code requires jdk.unsupported} or {@code --add-modules jdk.unsupported}) and sends them on.
 * Without jdk.unsupported, a shutdown hook sends SIGTERM to the jail for any of them and waits. A
 * SIGKILL of the outer JVM kills the jail (the library's lifeline).
 *
 * <p>Exit: the outer JVM exits with the jailed JVM's code. When the jailed JVM died by SIGKILL,
 * SIGTERM, SIGINT or SIGHUP, the outer JVM dies by the same signal; by another signal N (a crash),
 * it exits with 128 + N.
 */
public final class SelfJail {
    private SelfJail() {}

    /** Loaded only in the outer JVM: the jailed JVM never initializes SLF4J for this class. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(SelfJail.class);
    }

    /** What {@link #enter} does when the jail cannot be built. */
    public static final class Options {
        private final boolean bestEffort;

        private Options(boolean bestEffort) {
            this.bestEffort = bestEffort;
        }

        /**
         * Fail with the jail's exception (the default).
         *
         * @return the strict options
         */
        public static Options strict() {
            return new Options(false);
        }

        /**
         * Log a warning and return from {@link #enter}, so the application runs unjailed. Only for
         * applications that are better off running without the jail than not at all.
         *
         * @return the best-effort options
         */
        public static Options bestEffort() {
            return new Options(true);
        }

        /**
         * Whether a failure to jail is logged and ignored rather than thrown.
         *
         * @return true for {@link #bestEffort()}
         */
        public boolean isBestEffort() {
            return bestEffort;
        }
    }

    /**
     * Whether this JVM runs in a jail made by {@link #enter}: the marker names an inherited sealed
     * memfd written by the outer JVM, and the kernel's facts agree with it (each namespace it names is
     * not the outer JVM's, a non-initial user namespace, pid 1 or 2, no_new_privs, seccomp when
     * claimed; see docs/self-jail.md). Never true merely because an environment variable is set.
     *
     * @return true only in a jailed JVM whose marker the kernel confirms
     */
    public static boolean isJailed() {
        return JailMarker.check().state() == JailMarker.State.VERIFIED;
    }

    /**
     * {@link #enter(Sandbox, String[], Options)} with {@link Options#strict()}.
     *
     * @param sandbox the jail to run this application in
     * @param args the arguments {@code main} received, passed on unchanged
     * @throws IOException as {@link #enter(Sandbox, String[], Options)} throws it
     */
    public static void enter(Sandbox sandbox, String[] args) throws IOException {
        enter(sandbox, args, Options.strict());
    }

    /**
     * Like {@link #enter(Sandbox, String[], Options)}, but builds the jail only in the outer JVM: the
     * jailed JVM skips {@code Sandbox.build()} (which compiles a seccomp filter) and starts faster.
     *
     * <pre>{@code
     * SelfJail.enter(() -> Sandbox.builder().readWrite(dataDir).build(), args, SelfJail.Options.strict());
     * }</pre>
     *
     * @param sandbox builds the jail; called only in the outer JVM
     * @param args the arguments {@code main} received, passed on unchanged
     * @param options what to do when the jail cannot be made
     * @throws IOException as {@link #enter(Sandbox, String[], Options)} throws it
     */
    public static void enter(java.util.function.Supplier<Sandbox> sandbox, String[] args, Options options)
            throws IOException {
        JailMarker.Verdict v = JailMarker.check();
        switch (v.state()) {
            case VERIFIED:
                // Without the Sandbox, the proof's own list of new namespaces is what is checked.
                return;
            case FORGED:
                throw refused(v);
            default:
                break;
        }
        enter(sandbox.get(), args, options);
    }

    /**
     * Re-executes this application inside {@code sandbox}, or returns when already inside.
     *
     * <p>In the outer JVM this method does not return: it ends the JVM with the jailed JVM's exit
     * status once that has ended.
     *
     * @param sandbox the jail to run this application in
     * @param args the arguments {@code main} received, passed on unchanged
     * @param options what to do when the jail cannot be made: fail (strict) or run unjailed with a
     *     warning (best effort)
     * @throws org.sandbox4j.SandboxSetupException when a step of building the jail failed
     * @throws SandboxException when the marker is present but its proof is missing or contradicted
     *     by the kernel (set by hand or leaked from another jail), when this JVM runs in a jail weaker
     *     than {@code sandbox} (a namespace it wants new is shared, or its seccomp filter is missing),
     *     or when the launcher cannot start
     * @throws IllegalStateException when a path the JVM needs (the JDK, a class path or module path
     *     entry) is covered by one of the Sandbox's own mounts with other content
     * @throws IOException when the running JVM's command cannot be read
     */
    public static void enter(Sandbox sandbox, String[] args, Options options) throws IOException {
        JailMarker.Verdict v = JailMarker.check();
        switch (v.state()) {
            case VERIFIED:
                String missing = JailMarker.missing(v, newNamespaces(sandbox), sandbox.hasSeccompFilter());
                if (missing != null) {
                    throw new SandboxException("SelfJail: this JVM runs in a jail weaker than its Sandbox: " + missing
                            + "; refusing to run");
                }
                return;
            case FORGED:
                throw refused(v);
            default:
                break;
        }
        Plan plan;
        SandboxedProcess p;
        AtomicReference<@Nullable SandboxedProcess> proc = new AtomicReference<>();
        AtomicInteger pending = new AtomicInteger();
        boolean handlers = installSignalHandlers(proc, pending);
        boolean trace = Boolean.getBoolean("sandbox4j.selfjail.trace");
        long t0 = System.nanoTime();
        JailMarker.@Nullable Proof proof = null;
        try {
            JvmCommand cmd = JvmCommand.current(args);
            long t1 = System.nanoTime();
            proof = JailMarker.create(newNamespaces(sandbox), sandbox.hasSeccompFilter(), firstFreeFd(sandbox));
            plan = jailFor(sandbox, cmd, proof);
            long t2 = System.nanoTime();
            p = plan.sandbox.start(cmd.command());
            proof.closeChildEnds();
            if (trace) {
                System.err.printf("selfjail: read command %.1f ms, jail spec %.1f ms, start %.1f ms%n", (t1 - t0) / 1e6,
                        (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            }
        } catch (IOException | RuntimeException e) {
            if (proof != null) {
                proof.close();
            }
            if (options.isBestEffort()) {
                Log.LOG.warn("SelfJail: the jail could not be built, running UNJAILED: {}", e.getMessage());
                return;
            }
            throw e;
        }
        proc.set(p);
        int sig = pending.getAndSet(0);
        if (sig != 0) {
            p.signal(sig);
        }
        if (!handlers) {
            installShutdownHookForwarder(p);
        }
        JailExit exit;
        while (true) {
            try {
                exit = p.jailExit();
                break;
            } catch (InterruptedException e) {
                // keep waiting: this JVM ends when the jailed one does
            }
        }
        System.out.flush();
        if (!exit.signaled() && exit.code() != 0 && !proof.started()) {
            System.err.println(plan.diagnosis(exit.code()));
        }
        System.err.flush();
        proof.close();
        endLike(exit);
    }

    private static SandboxException refused(JailMarker.Verdict v) {
        return new SandboxException("SelfJail: " + JailMarker.ENV + " is set, but this JVM is not in the jail it names: "
                + v.reason() + ". Refusing to run (neither unjailed nor jailed again). If another self-jailed application"
                + " started this JVM, remove " + JailMarker.ENV + " from the environment it passes on.");
    }

    /** The namespaces {@code sandbox} creates. */
    private static Set<Namespace> newNamespaces(Sandbox sandbox) {
        java.util.EnumSet<Namespace> s = java.util.EnumSet.allOf(Namespace.class);
        s.removeAll(sandbox.sharedNamespaces());
        return s;
    }

    /** The first two fd numbers after the ones the caller's Sandbox passes on. */
    private static int firstFreeFd(Sandbox sandbox) {
        int max = 2;
        for (int t : sandbox.keptFdTargets()) {
            max = Math.max(max, t);
        }
        return max + 1;
    }

    private static boolean installSignalHandlers(AtomicReference<@Nullable SandboxedProcess> proc, AtomicInteger pending) {
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return false;
        }
        try {
            SignalForwarder.install(sig -> {
                SandboxedProcess p = proc.get();
                if (p != null) {
                    p.signal(sig);
                } else {
                    pending.set(sig);
                }
            });
            return true;
        } catch (LinkageError | IllegalArgumentException e) {
            Log.LOG.debug("SelfJail: sun.misc.Signal unavailable ({}); forwarding SIGTERM from a shutdown hook", e.toString());
            return false;
        }
    }

    private static void installShutdownHookForwarder(SandboxedProcess p) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!p.isAlive()) {
                return;
            }
            p.destroy();
            try {
                Runtime.getRuntime().halt(p.jailExit().exitValue());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sandbox4j-selfjail-forward"));
    }

    /** Ends this JVM as the jailed one ended. */
    private static void endLike(JailExit exit) {
        if (!exit.signaled()) {
            // Not Runtime.halt: HotSpot's exit waits up to 300 ms for threads in native code (the
            // library's reaper thread sits in poll()), and this JVM has nothing left to tear down.
            LibC.exitNow(exit.code());
        }
        int sig = exit.signal();
        int pid = LibC.getpid();
        if (sig == 9) {
            LibC.kill(pid, 9);
        } else if (sig == 15 || sig == 2 || sig == 1) {
            boolean reset = false;
            if (ModuleLayer.boot().findModule("jdk.unsupported").isPresent()) {
                try {
                    reset = SignalForwarder.setDefault(sig);
                } catch (LinkageError | IllegalArgumentException e) {
                    reset = false;
                }
            }
            if (!reset) {
                LibC.signalDefault(sig);
            }
            LibC.kill(pid, sig);
        }
        try {
            Thread.sleep(2000); // the signal is on its way; if some thread blocks it, fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(exit.exitValue());
    }

    /** The jail built for the application, and how it shows the paths the JVM needs. */
    static final class Plan {
        final Sandbox sandbox;
        final Layout layout;
        final String cwd;

        Plan(Sandbox sandbox, Layout layout, String cwd) {
            this.sandbox = sandbox;
            this.layout = layout;
            this.cwd = cwd;
        }

        /**
         * What the outer JVM says when the jailed JVM ended before its main method reached {@code
         * enter}: the JVM could not load or start the main class. Lists how the jail shows each class
         * path and module path entry (at most 24) and the working directory.
         */
        String diagnosis(int code) {
            StringBuilder sb = new StringBuilder("sandbox4j SelfJail: the jailed JVM exited with status ").append(code)
                    .append(" before its main method reached SelfJail.enter (it could not load or start the main class;"
                            + " its own error is above).\n  working directory in the jail: ").append(cwd).append(" (")
                    .append(layout.state(cwd)).append(")\n");
            Path dir = Path.of(cwd);
            int n = 0;
            for (String prop : new String[] {"java.class.path", "jdk.module.path"}) {
                String list = System.getProperty(prop, "");
                for (String e : list.isEmpty() ? new String[0] : list.split(java.io.File.pathSeparator)) {
                    if (n++ == 24) {
                        sb.append("  ...\n");
                        break;
                    }
                    String entry = e.endsWith("*") ? e.substring(0, e.length() - 1) : e;
                    Path abs = dir.resolve(entry.isEmpty() ? "." : entry).toAbsolutePath().normalize();
                    sb.append("  ").append(prop.equals("java.class.path") ? "class path " : "module path ").append(e)
                            .append(e.equals(abs.toString()) ? "" : " = " + abs).append(": ")
                            .append(layout.state(abs.toString())).append(hostMode(abs)).append('\n');
                }
            }
            sb.append("  the jail's user (uid ").append(sandbox.uid())
                    .append(" inside) must be able to read these; bound read-only by SelfJail: ").append(layout.bound());
            return sb.toString();
        }
    }

    /** ", host mode rwx------ owner uid 0" when others cannot read {@code p} (the jail's user often is another). */
    private static String hostMode(Path p) {
        try {
            Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                return "";
            }
            return ", host mode " + java.nio.file.attribute.PosixFilePermissions.toString(perms) + " owner uid "
                    + Files.getAttribute(p, "unix:uid");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * The jail the application runs in: {@code sandbox} plus what a JVM needs (see the class
     * documentation), stdio inherited, and the marker and its proof passed on.
     */
    static Plan jailFor(Sandbox sandbox, JvmCommand cmd, JailMarker.@Nullable Proof proof) {
        Sandbox.Builder b = sandbox.toBuilder().inheritIO().clearMounts();
        boolean newPid = !sandbox.sharedNamespaces().contains(Namespace.PID);
        boolean newMnt = !sandbox.sharedNamespaces().contains(Namespace.MOUNT);
        Layout v = new Layout(sandbox.mountOps());
        if (newMnt) {
            // The JVM's base mounts (/proc, /dev, /tmp) go first, so the caller's binds under them stay visible.
            if (!v.taken("/proc")) {
                if (newPid) {
                    b.proc("/proc");
                } else {
                    b.readOnly("/proc");
                }
                v.targets.add("/proc");
            }
            if (!v.taken("/dev")) {
                b.dev("/dev");
                v.targets.add("/dev");
            }
            if (!v.taken("/tmp")) {
                b.tmpfs("/tmp");
                v.targets.add("/tmp");
            }
            v.readOnly(cmd.javaHome, "the JDK", true);
            for (Path dir : linkedFromJdk(cmd.javaHome)) {
                v.readOnly(dir, "a directory the JDK links to", false);
            }
            for (Path dir : mappedLibraryDirs(cmd.javaHome)) {
                v.readOnly(dir, "a directory of the JVM's native libraries", false);
            }
            for (Path p : cmd.paths) {
                v.readOnly(p, "the class path, module path, jar or agent entry", true);
            }
            for (String d : new String[] {"/bin", "/lib", "/lib64", "/lib32", "/libx32", "/sbin"}) {
                Path p = Path.of(d);
                try {
                    if (Files.isSymbolicLink(p)) {
                        v.symlink(Files.readSymbolicLink(p).toString(), d);
                    } else if (d.equals("/lib64") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        v.readOnly(p, "the dynamic loader's directory", false); // a non-merged-/usr system
                    }
                } catch (IOException e) {
                    // unreadable: the JVM's own libraries are bound by directory already
                }
            }
            String interp = elfInterpreter(Path.of(cmd.javaBinary));
            if (interp != null) {
                v.exposeResolving(interp, 0);
            }
            for (String f : new String[] {"/etc/ld.so.cache", "/etc/timezone"}) {
                if (Files.isRegularFile(Path.of(f))) {
                    v.readOnly(Path.of(f), "a file the JVM reads", false);
                }
            }
            Path localtime = Path.of("/etc/localtime");
            try {
                if (Files.isSymbolicLink(localtime)) {
                    if (v.symlink(Files.readSymbolicLink(localtime).toString(), "/etc/localtime")) {
                        v.readOnly(localtime.toRealPath(), "the time zone file", false);
                    }
                } else if (Files.isRegularFile(localtime)) {
                    v.readOnly(localtime, "the time zone file", false);
                }
            } catch (IOException e) {
                // no zone: the JVM falls back to UTC, as it would on the host
            }
        }
        String userDir = Path.of(System.getProperty("user.dir", "/")).toAbsolutePath().normalize().toString();
        String cwd = sandbox.cwd();
        if (cwd.equals("/") && !userDir.equals("/")) {
            if (newMnt) {
                // After every bind is placed: only where nothing shows the directory already, and
                // before the binds inside it (relative class-path entries resolve as on the host).
                v.placeholder(Path.of(userDir));
            }
            b.cwd(userDir);
            cwd = userDir;
        }
        v.emit(b);
        for (String name : System.getenv().keySet()) {
            if ((name.equals("LANG") || name.startsWith("LC_") || name.equals("TZ"))
                    && !sandbox.environment().containsKey(name)) {
                b.env(name, System.getenv(name));
            }
        }
        if (proof != null) {
            b.keepFd(proof.proofFd, proof.proofTarget).keepFd(proof.startedFd, proof.startedTarget);
            b.env(JailMarker.ENV, proof.env());
        }
        return new Plan(b.build(), v, cwd);
    }

    private static final java.util.Map<Path, Set<Path>> JDK_LINKS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Directories outside the JDK that its symbolic links point into (Debian's packages link
     * {@code conf/} to {@code /etc/java-N-openjdk} and {@code lib/security/cacerts} to
     * {@code /etc/ssl/certs/java}), without those inside another.
     */
    static Set<Path> linkedFromJdk(Path javaHome) {
        return JDK_LINKS.computeIfAbsent(javaHome, h -> {
            java.util.TreeSet<Path> dirs = new java.util.TreeSet<>();
            try (java.util.stream.Stream<Path> s = Files.walk(h)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (!Files.isSymbolicLink(p)) {
                        continue;
                    }
                    Path target = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
                    if (!target.startsWith(h) && target.getParent() != null && Files.exists(target)) {
                        dirs.add(Files.isDirectory(target) ? target : target.getParent());
                    }
                }
            } catch (IOException | RuntimeException e) {
                return Set.of();
            }
            Set<Path> out = new LinkedHashSet<>();
            for (Path d : dirs) { // sorted: an ancestor comes before what it contains
                if (out.stream().noneMatch(d::startsWith)) {
                    out.add(d);
                }
            }
            return out;
        });
    }

    /** Directories of the shared libraries this JVM has mapped (outside the JDK and temp dirs). */
    static Set<Path> mappedLibraryDirs(Path javaHome) {
        Set<Path> dirs = new LinkedHashSet<>();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp")).toAbsolutePath().normalize();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            return dirs;
        }
        for (String l : lines) {
            int slash = l.indexOf(" /");
            if (slash < 0 || l.endsWith(" (deleted)")) {
                continue;
            }
            String file = l.substring(slash + 1);
            if (!file.contains(".so")) {
                continue; // the JDK's modules image, CDS archives, locale archive: under java.home or not needed
            }
            Path p = Path.of(file);
            if (p.startsWith(javaHome) || p.startsWith(tmp) || p.startsWith("/tmp") || p.startsWith("/dev")
                    || p.startsWith("/memfd:")) {
                continue; // JNA's extracted library lives in the temp dir; the jailed JVM extracts its own
            }
            Path parent = p.getParent();
            if (parent != null) {
                dirs.add(parent);
            }
        }
        return dirs;
    }

    /** The PT_INTERP of a 64-bit little-endian ELF executable (the dynamic loader), or null. */
    static @Nullable String elfInterpreter(Path exe) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(exe)) {
            java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            if (h.getInt(0) != 0x464c457f || h.get(4) != 2 || h.get(5) != 1) {
                return null;
            }
            long phoff = h.getLong(0x20);
            int phentsize = h.getShort(0x36) & 0xffff;
            int phnum = h.getShort(0x38) & 0xffff;
            java.nio.ByteBuffer ph = java.nio.ByteBuffer.allocate(phentsize).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                ph.clear();
                ch.read(ph, phoff + (long) i * phentsize);
                if (ph.getInt(0) == 3) { // PT_INTERP
                    long off = ph.getLong(8);
                    int len = (int) Math.min(ph.getLong(32), 4096);
                    java.nio.ByteBuffer s = java.nio.ByteBuffer.allocate(len);
                    ch.read(s, off);
                    String text = new String(s.array(), 0, len, java.nio.charset.StandardCharsets.UTF_8);
                    int nul = text.indexOf('\0');
                    return nul >= 0 ? text.substring(0, nul) : text;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * Where SelfJail's own mounts go among the caller's. Each same-path read-only bind SelfJail adds
     * goes right after the last of the caller's mounts that covers its path (a tmpfs or directory it
     * lands in), or before all of them, and so before any of the caller's mounts inside it, which stay
     * visible; within one position, parents come before children and a child already shown by its
     * parent is not bound again. A path the caller's own mount covers with other content (a bind of
     * another source, a file, /proc ...) is the caller's choice: SelfJail leaves it, or, for a path the
     * JVM cannot start without, refuses naming both.
     */
    static final class Layout {
        private final List<MountOp> caller;
        final Set<String> targets = new LinkedHashSet<>();
        /** slots.get(i): SelfJail's mounts that go right before caller op i (the last: after all). */
        private final List<List<MountOp>> slots = new ArrayList<>();
        /** SelfJail's same-path binds and the slot of each. */
        private final java.util.Map<String, Integer> mine = new java.util.LinkedHashMap<>();
        /** How the jail shows each path SelfJail looked at, for the diagnosis. */
        private final java.util.Map<String, String> shown = new java.util.LinkedHashMap<>();

        Layout(List<MountOp> caller) {
            this.caller = caller;
            for (MountOp op : caller) {
                targets.add(op.target());
            }
            for (int i = 0; i <= caller.size(); i++) {
                slots.add(new ArrayList<>());
            }
        }

        boolean taken(String target) {
            return targets.contains(target);
        }

        /** The index of the last caller mount at or above {@code p} (a remount covers nothing), or -1. */
        private int cover(Path p) {
            for (int i = caller.size() - 1; i >= 0; i--) {
                MountOp op = caller.get(i);
                if (!(op instanceof MountOp.RemountReadOnly) && p.startsWith(op.target())) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean sameBind(MountOp op) {
            return op instanceof MountOp.Bind b && b.source().equals(b.target());
        }

        private static boolean container(MountOp op) {
            return op instanceof MountOp.Tmpfs || op instanceof MountOp.Dir;
        }

        /** SelfJail's bind at or above {@code p} that lies on top of caller op {@code i}, or null. */
        private @Nullable String mineAbove(Path p, int i) {
            for (java.util.Map.Entry<String, Integer> m : mine.entrySet()) {
                if (m.getValue() > i && p.startsWith(m.getKey())) {
                    return m.getKey();
                }
            }
            return null;
        }

        /** Whether the jail shows host path {@code p} at the same path. */
        boolean visible(Path p) {
            int i = cover(p);
            return mineAbove(p, i) != null || i >= 0 && sameBind(caller.get(i));
        }

        /**
         * Shows host path {@code p} read-only at the same path, unless the jail shows it already.
         *
         * @param what what the JVM needs it for, for the error
         * @param required whether a caller's mount covering it with other content is an error
         */
        void readOnly(Path p, String what, boolean required) {
            String s = p.toString();
            if (!Files.exists(p)) {
                shown.putIfAbsent(s, "missing on the host");
                return;
            }
            int i = cover(p);
            String above = mineAbove(p, i);
            if (above != null) {
                shown.putIfAbsent(s, above.equals(s) ? "bound read-only" : "visible through the read-only bind of " + above);
                return;
            }
            if (i >= 0) {
                MountOp c = caller.get(i);
                if (sameBind(c)) {
                    shown.putIfAbsent(s, "visible through the Sandbox's " + c.describe());
                    return;
                }
                if (!container(c) || c.target().equals(s)) {
                    if (required) {
                        throw new IllegalStateException("SelfJail needs " + what + " " + s
                                + " at the same path in the jail, but the Sandbox's " + c.describe() + " covers "
                                + (c.target().equals(s) ? "that path" : c.target()) + " with other content; bind the host path"
                                + " itself (readOnly(\"" + c.target() + "\")) or leave that path to SelfJail");
                    }
                    shown.putIfAbsent(s, "left to the Sandbox's " + c.describe());
                    return;
                }
            }
            if (taken(s)) {
                shown.putIfAbsent(s, "already a mount point of SelfJail");
                return;
            }
            // From its real path, resolved now, refusing symlinks at setup: class-path directories are
            // often a build's output that a jail with a read-write bind can change (see ResolvedBinds).
            slots.get(i + 1).add(new MountOp.Bind(ResolvedBinds.realPath(s), s, true, false, false, true));
            targets.add(s);
            mine.put(s, i + 1);
            shown.put(s, "bound read-only");
        }

        /** A symbolic link with the host's text, where the jail does not show the host's already. */
        boolean symlink(String text, String path) {
            Path p = Path.of(path);
            int i = cover(p);
            if (taken(path) || visible(p) || i >= 0 && !container(caller.get(i))) {
                return false;
            }
            slots.get(i + 1).add(new MountOp.Symlink(text, path));
            targets.add(path);
            return true;
        }

        /** An empty directory at {@code p} when nothing in the jail shows or covers that path. */
        void placeholder(Path p) {
            String s = p.toString();
            int i = cover(p);
            if (mineAbove(p, i) != null || i >= 0 && (!container(caller.get(i)) || caller.get(i).target().equals(s))) {
                shown.putIfAbsent(s, visible(p) ? "visible at the same path" : "as the Sandbox's mounts show it");
                return;
            }
            if (taken(s)) {
                return;
            }
            slots.get(i + 1).add(new MountOp.Dir(s, 0755));
            targets.add(s);
            shown.put(s, "an empty directory, as it is not visible otherwise");
        }

        /** How the jail shows {@code path}. */
        String state(String path) {
            String st = shown.get(path);
            if (st != null) {
                return st;
            }
            Path p = Path.of(path);
            if (!Files.exists(p)) {
                return "missing on the host";
            }
            return visible(p) ? "visible at the same path" : "NOT in the jail";
        }

        /** SelfJail's own binds, for the diagnosis. */
        List<String> bound() {
            return List.copyOf(mine.keySet());
        }

        /**
         * A caller's mount that lands inside one of SelfJail's read-only binds of a host directory
         * (placed before it) needs its mount point to exist there, and a file, directory or symbolic
         * link cannot be created there at all: an error naming both, before the launcher runs.
         */
        private void checkInside(int i) {
            MountOp op = caller.get(i);
            if (op instanceof MountOp.RemountReadOnly) {
                return;
            }
            Path t = Path.of(op.target());
            String top = null;
            for (java.util.Map.Entry<String, Integer> m : mine.entrySet()) {
                if (m.getValue() <= i && t.startsWith(m.getKey()) && !t.equals(Path.of(m.getKey()))
                        && (top == null || m.getKey().length() > top.length())) {
                    top = m.getKey();
                }
            }
            if (top == null) {
                return;
            }
            for (int j = mine.get(top); j < i; j++) { // a caller mount between them covers the target instead
                MountOp c = caller.get(j);
                if (!(c instanceof MountOp.RemountReadOnly) && t.startsWith(c.target()) && Path.of(c.target()).startsWith(top)) {
                    return;
                }
            }
            boolean mount = op instanceof MountOp.Bind || op instanceof MountOp.Tmpfs || op instanceof MountOp.Proc
                    || op instanceof MountOp.Dev || op instanceof MountOp.Hide;
            if (!mount || !Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("the Sandbox's " + op.describe() + " lies inside " + top
                        + ", which SelfJail binds read-only from the host for the JVM, and "
                        + (mount ? op.target() + " does not exist there to mount on" : "nothing can be created there")
                        + "; create it on the host, or use a path outside " + top);
            }
        }

        /** The caller's mounts in their order, with SelfJail's in the slots between them. */
        void emit(Sandbox.Builder b) {
            for (int i = 0; i < caller.size(); i++) {
                checkInside(i);
            }
            for (int i = 0; i <= caller.size(); i++) {
                List<MountOp> slot = new ArrayList<>(slots.get(i));
                slot.sort(java.util.Comparator.comparing(op -> Path.of(op.target()))); // parents first
                List<String> binds = new ArrayList<>();
                for (MountOp op : slot) {
                    Path t = Path.of(op.target());
                    if (op instanceof MountOp.Bind && binds.stream().anyMatch(t::startsWith)) {
                        continue; // its parent, bound just before, shows it already
                    }
                    if (op instanceof MountOp.Bind) {
                        binds.add(op.target());
                    }
                    b.mount(op);
                }
                if (i < caller.size()) {
                    b.mount(caller.get(i));
                }
            }
        }

        /**
         * Makes {@code path} resolve in the jail as on the host: each symbolic link on the way is
         * recreated with the same text, and the final file's directory is bound read-only.
         */
        void exposeResolving(String path, int depth) {
            if (depth > 16 || !path.startsWith("/")) {
                return;
            }
            Path cur = Path.of("/");
            Path full = Path.of(path).normalize();
            for (int i = 0; i < full.getNameCount(); i++) {
                Path next = cur.resolve(full.getName(i));
                if (visible(next)) {
                    return; // a same-path bind shows the host's tree from here on
                }
                if (Files.isSymbolicLink(next)) {
                    String text;
                    try {
                        text = Files.readSymbolicLink(next).toString();
                    } catch (IOException e) {
                        return;
                    }
                    symlink(text, next.toString());
                    Path rest = i + 1 < full.getNameCount() ? full.subpath(i + 1, full.getNameCount()) : null;
                    Path resolved = cur.resolve(text).normalize();
                    exposeResolving((rest == null ? resolved : resolved.resolve(rest)).toString(), depth + 1);
                    return;
                }
                cur = next;
            }
            Path parent = cur.getParent();
            if (parent != null && Files.isRegularFile(cur)) {
                readOnly(parent, "the dynamic loader's directory", false);
            }
        }
    }
}
