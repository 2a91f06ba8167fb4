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
 * working directory (when visible in the jail) and {@code LANG}, {@code LC_*} and {@code TZ}. Stdio
 * is always inherited. Everything else is the caller's choice: no network, no other files, no
 * environment unless the Sandbox says so.
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

        /** Fail with the jail's exception (the default). */
        public static Options strict() {
            return new Options(false);
        }

        /**
         * Log a warning and return from {@link #enter}, so the application runs unjailed. Only for
         * applications that are better off running without the jail than not at all.
         */
        public static Options bestEffort() {
            return new Options(true);
        }

        public boolean isBestEffort() {
            return bestEffort;
        }
    }

    /**
     * Whether this JVM runs in a jail made by {@link #enter}: started with the marker AND verified
     * against the kernel (see docs/self-jail.md). Never true merely because an environment variable
     * is set.
     */
    public static boolean isJailed() {
        return JailMarker.check() == JailMarker.State.VERIFIED;
    }

    /** {@link #enter(Sandbox, String[], Options)} with {@link Options#strict()}. */
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
     */
    public static void enter(java.util.function.Supplier<Sandbox> sandbox, String[] args, Options options)
            throws IOException {
        switch (JailMarker.check()) {
            case VERIFIED:
                return;
            case FORGED:
                break; // enter(Sandbox...) reports it
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
     * @param args the arguments {@code main} received, passed on unchanged
     * @throws org.sandbox4j.SandboxSetupException when a step of building the jail failed
     * @throws SandboxException when the marker is present but contradicted (set by hand, not by a
     *     jail), or the launcher cannot start
     * @throws IOException when the running JVM's command cannot be read
     */
    public static void enter(Sandbox sandbox, String[] args, Options options) throws IOException {
        switch (JailMarker.check()) {
            case VERIFIED:
                return;
            case FORGED:
                throw new SandboxException(JailMarker.ENV + " is set, but this JVM is not in the jail it names"
                        + " (the variable was set by hand or the jail shares its namespaces); refusing to run");
            default:
                break;
        }
        Sandbox jail;
        JvmCommand cmd;
        SandboxedProcess p;
        AtomicReference<@Nullable SandboxedProcess> proc = new AtomicReference<>();
        AtomicInteger pending = new AtomicInteger();
        boolean handlers = installSignalHandlers(proc, pending);
        boolean trace = Boolean.getBoolean("sandbox4j.selfjail.trace");
        long t0 = System.nanoTime();
        try {
            cmd = JvmCommand.current(args);
            long t1 = System.nanoTime();
            jail = jailFor(sandbox, cmd);
            long t2 = System.nanoTime();
            p = jail.start(cmd.command());
            if (trace) {
                System.err.printf("selfjail: read command %.1f ms, jail spec %.1f ms, start %.1f ms%n", (t1 - t0) / 1e6,
                        (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
            }
        } catch (IOException | RuntimeException e) {
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
        System.err.flush();
        endLike(exit);
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
            Sys._exit(exit.code());
        }
        int sig = exit.signal();
        int pid = Sys.getpid();
        if (sig == 9) {
            Sys.kill(pid, 9);
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
                Sys.signal(sig, null);
            }
            Sys.kill(pid, sig);
        }
        try {
            Thread.sleep(2000); // the signal is on its way; if some thread blocks it, fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(exit.exitValue());
    }

    /**
     * The jail the application runs in: {@code sandbox} plus what a JVM needs (see the class
     * documentation), stdio inherited and the marker set.
     */
    static Sandbox jailFor(Sandbox sandbox, JvmCommand cmd) {
        // The JVM's base mounts (/proc, /dev, /tmp) go first, so the caller's binds under them stay visible.
        Sandbox.Builder b = sandbox.toBuilder().inheritIO().clearMounts();
        Set<String> targets = new LinkedHashSet<>();
        List<MountOp.Bind> sameBinds = new ArrayList<>();
        for (MountOp op : sandbox.mountOps()) {
            targets.add(op.target());
            if (op instanceof MountOp.Bind bind && bind.source().equals(bind.target())) {
                sameBinds.add(bind);
            }
        }
        Visibility v = new Visibility(targets, sameBinds);
        boolean newPid = !sandbox.sharedNamespaces().contains(Namespace.PID);
        boolean newMnt = !sandbox.sharedNamespaces().contains(Namespace.MOUNT);
        boolean newUser = !sandbox.sharedNamespaces().contains(Namespace.USER);
        if (newMnt) {
            // Before the binds below, which may lie under /tmp.
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
        }
        for (MountOp op : sandbox.mountOps()) {
            b.mount(op);
        }
        String userDir = Path.of(System.getProperty("user.dir", "/")).toAbsolutePath().normalize().toString();
        if (sandbox.cwd().equals("/") && !userDir.equals("/")) {
            if (newMnt && !v.visible(Path.of(userDir)) && !v.taken(userDir)) {
                b.dir(userDir); // relative class-path entries and file names resolve as on the host
                v.targets.add(userDir);
            }
            b.cwd(userDir);
        }
        v.readOnly(b, cmd.javaHome);
        for (Path dir : linkedFromJdk(cmd.javaHome)) {
            v.readOnly(b, dir);
        }
        for (Path dir : mappedLibraryDirs(cmd.javaHome)) {
            v.readOnly(b, dir);
        }
        for (Path p : cmd.paths) {
            v.readOnly(b, p);
        }
        for (String d : new String[] {"/bin", "/lib", "/lib64", "/lib32", "/libx32", "/sbin"}) {
            Path p = Path.of(d);
            if (v.taken(d)) {
                continue;
            }
            try {
                if (Files.isSymbolicLink(p)) {
                    b.symlink(Files.readSymbolicLink(p).toString(), d);
                    v.targets.add(d);
                } else if (d.equals("/lib64") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    v.readOnly(b, p); // the dynamic loader of a non-merged-/usr system
                }
            } catch (IOException e) {
                // unreadable: the JVM's own libraries are bound by directory already
            }
        }
        String interp = elfInterpreter(Path.of(cmd.javaBinary));
        if (interp != null) {
            v.exposeResolving(b, interp, 0);
        }
        for (String f : new String[] {"/etc/ld.so.cache", "/etc/timezone"}) {
            if (!v.taken(f) && !v.visible(Path.of(f)) && Files.isRegularFile(Path.of(f))) {
                b.readOnlyIfExists(f);
                v.targets.add(f);
            }
        }
        Path localtime = Path.of("/etc/localtime");
        if (!v.taken("/etc/localtime") && !v.visible(localtime)) {
            try {
                if (Files.isSymbolicLink(localtime)) {
                    Path zone = localtime.toRealPath();
                    b.symlink(Files.readSymbolicLink(localtime).toString(), "/etc/localtime");
                    v.readOnly(b, zone);
                } else if (Files.isRegularFile(localtime)) {
                    b.readOnlyIfExists("/etc/localtime");
                }
            } catch (IOException e) {
                // no zone: the JVM falls back to UTC, as it would on the host
            }
        }
        for (String name : System.getenv().keySet()) {
            if ((name.equals("LANG") || name.startsWith("LC_") || name.equals("TZ"))
                    && !sandbox.environment().containsKey(name)) {
                b.env(name, System.getenv(name));
            }
        }
        b.env(JailMarker.ENV, JailMarker.create(newUser, newPid, newMnt));
        return b.build();
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

    /** Which host paths the jail shows at the same path, to skip binds the caller made already. */
    private static final class Visibility {
        final Set<String> targets;
        final List<MountOp.Bind> sameBinds;

        Visibility(Set<String> targets, List<MountOp.Bind> sameBinds) {
            this.targets = targets;
            this.sameBinds = sameBinds;
        }

        boolean taken(String target) {
            return targets.contains(target);
        }

        boolean visible(Path p) {
            for (MountOp.Bind b : sameBinds) {
                if (p.startsWith(b.target())) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Makes {@code path} resolve in the jail as on the host: each symbolic link on the way is
         * recreated with the same text, and the final file's directory is bound read-only.
         */
        void exposeResolving(Sandbox.Builder b, String path, int depth) {
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
                    if (!taken(next.toString())) {
                        b.symlink(text, next.toString());
                        targets.add(next.toString());
                    }
                    Path rest = i + 1 < full.getNameCount() ? full.subpath(i + 1, full.getNameCount()) : null;
                    Path resolved = cur.resolve(text).normalize();
                    exposeResolving(b, (rest == null ? resolved : resolved.resolve(rest)).toString(), depth + 1);
                    return;
                }
                cur = next;
            }
            Path parent = cur.getParent();
            if (parent != null && Files.isRegularFile(cur)) {
                readOnly(b, parent);
            }
        }

        void readOnly(Sandbox.Builder b, Path p) {
            String s = p.toString();
            if (taken(s) || visible(p) || !Files.exists(p)) {
                return;
            }
            ResolvedBinds.readOnly(b, s); // class-path directories may be writable by a jail
            targets.add(s);
            sameBinds.add(new MountOp.Bind(s, s, true, false, false));
        }
    }
}
