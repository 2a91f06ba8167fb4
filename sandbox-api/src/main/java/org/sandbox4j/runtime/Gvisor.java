package org.sandbox4j.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.JailExit;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SetupStep;
import org.sandbox4j.internal.ExternalJail;
import org.sandbox4j.internal.LibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a jail under gVisor: writes an OCI bundle ({@link OciSpec}) into a private temporary
 * directory, starts {@code runsc run} on it (rootless when the JVM is not root) next to a watchdog
 * that kills the sandbox and removes the directory if the JVM dies, and presents the result as a
 * {@link Process} (through {@link org.sandbox4j.SandboxedProcess}). docs/runtimes.md describes the
 * mapping and the life cycle.
 */
public final class Gvisor {
    private static final Logger LOG = LoggerFactory.getLogger(Gvisor.class);
    private static final String TARGET = "gvisor";

    /**
     * The watchdog, a POSIX shell started before runsc with a pipe from the JVM as its stdin. The JVM
     * holds the pipe's write end until the jail has ended; when the JVM dies the kernel closes it, the
     * read loop ends, and the watchdog SIGKILLs every process whose command line names the jail's
     * unique id (runsc, its gofer and sandbox) and removes the jail's directory. On a normal end the
     * JVM kills the watchdog first and cleans up itself.
     */
    private static final String WATCHDOG = "trap '' HUP INT QUIT TERM PIPE USR1 USR2 ALRM\n"
            + "while read -r _; do :; done\n"
            + "n=0\n"
            + "while [ $n -lt 100 ]; do\n"
            + "  left=\n"
            + "  for f in /proc/[0-9]*/cmdline; do\n"
            + "    p=${f#/proc/}; p=${p%/cmdline}\n"
            + "    [ \"$p\" = $$ ] && continue\n"
            + "    if grep -qaF -- \"$1\" \"$f\" 2>/dev/null; then kill -KILL \"$p\" 2>/dev/null && left=1; fi\n"
            + "  done\n"
            + "  [ -z \"$left\" ] && break\n"
            + "  n=$((n+1)); sleep 0.05\n"
            + "done\n"
            + "rm -rf -- \"$2\"\n";

    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox4j-gvisor");
        t.setDaemon(true);
        return t;
    });

    private static final String INSTALL = "on Debian or Ubuntu: apt-get install runsc; elsewhere see gVisor's"
            + " installation guide (gvisor.dev/docs/user_guide/install); or point -Dsandbox4j.runsc=PATH at the binary";

    private Gvisor() {}

    /**
     * Refuses the builder calls gVisor cannot honour; called by {@code build()}.
     *
     * @throws RuntimeOptionException naming the call and why
     */
    public static void check(JailSettings s) {
        OciSpec.check(s, TARGET);
    }

    /**
     * The runsc to run: {@code -Dsandbox4j.runsc=PATH}, else the first in the JVM's PATH or in
     * /usr/bin, /usr/sbin, /usr/local/bin.
     *
     * @throws RuntimeUnavailableException saying how to install it
     */
    public static Path runsc() throws RuntimeUnavailableException {
        String prop = System.getProperty("sandbox4j.runsc");
        if (prop != null) {
            Path p = Path.of(prop);
            if (!Files.isExecutable(p)) {
                throw new RuntimeUnavailableException("-Dsandbox4j.runsc=" + prop + " is not an executable file; " + INSTALL);
            }
            return p;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        for (String d : dirs) {
            if (d.startsWith("/")) {
                Path p = Path.of(d, "runsc");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new RuntimeUnavailableException("gVisor's runsc is not installed (looked in PATH, /usr/bin, /usr/sbin,"
                + " /usr/local/bin): the gvisor runtime needs it; " + INSTALL);
    }

    /** The host uid runsc runs as: the JVM's, or the test prefix's {@code setpriv --reuid=N}. */
    private static int runscUid(@Nullable List<String> prefix) {
        if (prefix != null) {
            for (String a : prefix) {
                if (a.startsWith("--reuid=")) {
                    return Integer.parseInt(a.substring("--reuid=".length()));
                }
            }
        }
        return LibC.geteuid();
    }

    /**
     * Starts {@code command} under runsc and returns once the sandbox runs. {@code prefix} is the
     * jail's {@link org.sandbox4j.Launcher#prefix()}: runsc runs through it as the launcher would
     * (tests run it as uid 65534 that way).
     *
     * @throws SandboxSetupException when the program is not in the jail, or runsc failed to start the
     *     sandbox (naming runsc's message); nothing of it is left behind
     * @throws RuntimeUnavailableException when runsc is not installed
     */
    public static ExternalJail start(JailSettings s, List<String> command, List<String> prefix) throws IOException {
        Path runsc = runsc();
        OciSpec.checkSources(s);
        int uid = runscUid(prefix);
        // The JVM's pid in the id: what a JVM left behind is told from another JVM's running jails.
        String id = "sandbox4j-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        Path dir = Files.createTempDirectory(id + "-");
        Process watchdog = null;
        Process p = null;
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
            Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path state = Files.createDirectory(dir.resolve("state"));
            Path pidFile = dir.resolve("pid");
            Path log = dir.resolve("runsc.log");
            OciSpec.prepareRoot(s, rootfs);
            Path cwd = OciSpec.hostPath(s, s.cwd(), rootfs);
            if (cwd != null && !Files.isDirectory(cwd)) {
                // runsc would create it; the launcher fails, and so does this runtime
                throw new SandboxSetupException(SetupStep.CHDIR, org.sandbox4j.Errno.valueOf("ENOENT"), s.cwd(),
                        "the working directory is not in the jail", "cwd(\"" + s.cwd() + "\")", null);
            }
            List<String> argv = new ArrayList<>(command);
            argv.set(0, OciSpec.program(s, command.get(0), rootfs));
            String root = s.rootDir() != null ? s.rootDir().toString() : "rootfs";
            Files.writeString(dir.resolve("config.json"), OciSpec.config(s, argv, root, s.rootDir() == null || !s.rootWritable()));
            if (uid != LibC.geteuid()) {
                chownTree(dir, uid);
            }
            watchdog = new ProcessBuilder("/bin/sh", "-c", WATCHDOG, "sandbox4j-gvisor-watchdog", id, dir.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> runscCmd = new ArrayList<>();
            if (prefix != null) {
                runscCmd.addAll(prefix);
            }
            runscCmd.add(runsc.toString());
            runscCmd.addAll(runscFlags(s, uid != 0, state, log));
            List<String> cmd = new ArrayList<>(runscCmd);
            cmd.addAll(List.of("run", "--bundle", dir.toString(), "--pid-file", pidFile.toString(), id));
            boolean pumpOut = pumped(s.stdout());
            boolean pumpErr = !s.redirectErrorStream() && pumped(s.stderr());
            // Inherited stdout and stderr that are one file (a shell's "> log 2>&1"): one pipe and
            // one pump for both, so the program's order of writes is kept, as in a native jail.
            boolean merged = pumpOut && pumpErr && s.stdout().type() == ProcessBuilder.Redirect.Type.INHERIT
                    && s.stderr().type() == ProcessBuilder.Redirect.Type.INHERIT && sameOpenFile(1, 2);
            if (merged) {
                pumpErr = false;
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(s.stdin())
                    .redirectOutput(pumpOut ? ProcessBuilder.Redirect.PIPE : s.stdout())
                    .redirectError(pumpErr ? ProcessBuilder.Redirect.PIPE : s.stderr())
                    .redirectErrorStream(s.redirectErrorStream() || merged);
            pb.environment().clear();
            p = pb.start();
            long deadline = System.nanoTime() + s.setupTimeout().toNanos();
            while (!Files.exists(pidFile)) {
                if (!p.isAlive()) {
                    throw new SandboxSetupException(SetupStep.LAUNCH, 0, runsc.toString(),
                            "runsc exited with " + p.exitValue() + " before the sandbox ran: " + runscError(log), null,
                            "docs/runtimes.md#troubleshooting");
                }
                if (System.nanoTime() > deadline) {
                    throw new SandboxSetupException(SetupStep.LAUNCH, 0, runsc.toString(), "the sandbox did not start within "
                            + s.setupTimeout().toMillis() + " ms", "setupTimeout(...)", null);
                }
                Thread.sleep(1);
            }
            List<Thread> pumps = new ArrayList<>(2);
            if (pumpOut) {
                pumps.add(pump(p.getInputStream(), s.stdout(), java.io.FileDescriptor.out, id + " stdout"));
            }
            if (pumpErr) {
                pumps.add(pump(p.getErrorStream(), s.stderr(), java.io.FileDescriptor.err, id + " stderr"));
            }
            return new Jail(p, watchdog, id, dir, s, runscCmd, pumps, pumpOut, pumpErr);
        } catch (IOException | RuntimeException | Error e) {
            abandon(p, watchdog, id, dir);
            throw e;
        } catch (InterruptedException e) {
            abandon(p, watchdog, id, dir);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while runsc started the sandbox");
        }
    }

    /**
     * Whether an output goes through a pipe and a Java thread instead of to runsc directly: gVisor
     * writes a donated regular file at an offset of its own, so output sent straight to a file or to
     * an inherited descriptor that others write too (a shell's {@code > log}) overwrites theirs.
     * Pipes and /dev/null have no offset.
     */
    /** Whether this JVM's fds {@code a} and {@code b} name the same file, pipe or socket. */
    static boolean sameOpenFile(int a, int b) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + a))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + b)));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static boolean pumped(ProcessBuilder.Redirect r) {
        return switch (r.type()) {
            case PIPE -> false;
            case INHERIT -> true;
            case WRITE, APPEND -> r.file() == null || !r.file().getPath().equals("/dev/null");
            default -> false;
        };
    }

    private static Thread pump(InputStream from, ProcessBuilder.Redirect to, java.io.FileDescriptor inherited, String name)
            throws IOException {
        OutputStream out = to.type() == ProcessBuilder.Redirect.Type.INHERIT ? new java.io.FileOutputStream(inherited)
                : new java.io.FileOutputStream(to.file(), to.type() == ProcessBuilder.Redirect.Type.APPEND);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the jail ended; what it wrote until then is through
            } finally {
                if (to.type() != ProcessBuilder.Redirect.Type.INHERIT) {
                    try {
                        out.close();
                    } catch (IOException e) {
                        LOG.warn("closing {}: {}", to.file(), e.toString());
                    }
                }
            }
        }, "sandbox4j-gvisor-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** runsc's global flags for this jail. */
    static List<String> runscFlags(JailSettings s, boolean rootless, Path state, Path log) {
        List<String> f = new ArrayList<>(List.of("--root", state.toString(), "--log", log.toString(), "--log-format", "text",
                "--network", s.networkNone() ? "none" : "host", "--ignore-cgroups"));
        if (rootless) {
            f.add("--rootless");
        }
        return f;
    }

    private static String runscError(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(runsc logged nothing)" : text.lines().reduce((a, b) -> b).orElse(text);
        } catch (IOException e) {
            return "(no runsc log: " + e.getMessage() + ")";
        }
    }

    private static void chownTree(Path dir, int uid) throws IOException {
        try (Stream<Path> st = Files.walk(dir)) {
            for (Path q : (Iterable<Path>) st::iterator) {
                Files.setAttribute(q, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(q, "unix:gid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    private static void abandon(@Nullable Process p, @Nullable Process watchdog, String id, Path dir) {
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        cleanUp(watchdog, id, dir);
    }

    /** Kills what is left of the jail (by its id), the watchdog, and removes the directory. */
    static void cleanUp(@Nullable Process watchdog, String id, Path dir) {
        killById(id);
        if (watchdog != null) {
            watchdog.destroyForcibly();
            try {
                watchdog.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(dir);
    }

    /**
     * SIGKILLs every process whose command line contains {@code id} (runsc's gofer and sandbox die
     * with runsc by their parent-death signal, but only once the kernel gets to them), until none is
     * left; at most 5 s.
     */
    static void killById(String id) {
        byte[] needle = id.getBytes(StandardCharsets.US_ASCII);
        long self = ProcessHandle.current().pid();
        for (int round = 0; round < 500; round++) {
            boolean found = false;
            for (long pid : processesNaming(needle)) {
                if (pid != self) {
                    LibC.kill((int) pid, LibC.SIGKILL);
                    found = true;
                }
            }
            if (!found) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("processes of gVisor sandbox {} survived 5 s of SIGKILL", id);
    }

    /** The pids whose /proc/PID/cmdline contains {@code needle}, except the watchdog's own shell. */
    static List<Long> processesNaming(byte[] needle) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> st = Files.list(Path.of("/proc"))) {
            for (Path q : (Iterable<Path>) st::iterator) {
                String name = q.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                byte[] cmd;
                try {
                    cmd = Files.readAllBytes(q.resolve("cmdline"));
                } catch (IOException e) {
                    continue; // gone, or not ours to read
                }
                if (contains(cmd, needle) && !contains(cmd, "sandbox4j-gvisor-watchdog".getBytes(StandardCharsets.US_ASCII))) {
                    out.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> st = Files.walk(dir)) {
            st.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.deleteIfExists(q);
                } catch (IOException e) {
                    LOG.warn("cannot remove {}: {}", q, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", dir, e.toString());
        }
    }

    /** A running gVisor jail. */
    private static final class Jail implements ExternalJail {
        private final Process runsc;
        private final CompletableFuture<JailExit> exit = new CompletableFuture<>();
        private final @Nullable ScheduledFuture<?> timer;
        private volatile boolean timedOut;
        private volatile boolean killed;
        private final List<String> runscCmd;
        private final String id;
        private final boolean pumpOut;
        private final boolean pumpErr;

        Jail(Process runsc, Process watchdog, String id, Path dir, JailSettings s, List<String> runscCmd, List<Thread> pumps,
                boolean pumpOut, boolean pumpErr) {
            this.runsc = runsc;
            this.pumpOut = pumpOut;
            this.pumpErr = pumpErr;
            this.runscCmd = runscCmd;
            this.id = id;
            this.timer = s.timeLimit() == null ? null : TIMERS.schedule(() -> {
                timedOut = true;
                signal(LibC.SIGKILL);
            }, s.timeLimit().toNanos(), TimeUnit.NANOSECONDS);
            runsc.onExit().thenRunAsync(() -> {
                if (timer != null) {
                    timer.cancel(false);
                }
                JailExit e = decode(runsc.exitValue(), killed, timedOut);
                if (e.code() == 128 && !e.signaled()) {
                    LOG.warn("runsc exited with 128 (its own failure?): {}", runscError(dir.resolve("runsc.log")));
                }
                try {
                    cleanUp(watchdog, id, dir);
                    for (Thread t : pumps) {
                        t.join(5000); // what the program wrote is through before waitFor() returns
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                } finally {
                    exit.complete(e);
                }
            }, CLEANERS);
        }

        @Override
        public long pid() {
            return runsc.pid();
        }

        @Override
        public OutputStream stdin() {
            return runsc.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return pumpOut ? InputStream.nullInputStream() : runsc.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return pumpErr ? InputStream.nullInputStream() : runsc.getErrorStream();
        }

        @Override
        public CompletableFuture<JailExit> exit() {
            return exit;
        }

        @Override
        public void signal(int signal) {
            if (!runsc.isAlive()) {
                return;
            }
            if (signal == LibC.SIGKILL) {
                // Through the handle, not Process.destroyForcibly(), which also closes the streams the
                // caller may still read. runsc's sandbox and gofer have SIGKILL as their parent-death
                // signal; cleanUp makes sure they are gone.
                killed = true;
                runsc.toHandle().destroyForcibly();
                return;
            }
            // runsc run ends itself on SIGTERM rather than forwarding it: `runsc kill` delivers a
            // signal to the program inside the sandbox.
            List<String> cmd = new ArrayList<>(runscCmd);
            cmd.addAll(List.of("kill", id, Integer.toString(signal)));
            try {
                Process k = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!k.waitFor(10, TimeUnit.SECONDS)) {
                    k.destroyForcibly();
                }
            } catch (IOException e) {
                LOG.warn("runsc kill {} {} failed: {}", id, signal, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final java.util.concurrent.Executor CLEANERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sandbox4j-gvisor-exit");
        t.setDaemon(true);
        return t;
    });

    /**
     * How the jail ended, from runsc's exit status: runsc reports a program killed by signal N as
     * 128 + N (as a shell does), so 129..192 read as that signal; runsc killed by us reads as SIGKILL.
     */
    static JailExit decode(int runscExit, boolean killed, boolean timedOut) {
        if (killed || timedOut) {
            return JailExit.killed(LibC.SIGKILL, timedOut);
        }
        if (runscExit > 128 && runscExit <= 128 + 64) {
            return JailExit.killed(runscExit - 128, false);
        }
        return JailExit.exited(runscExit & 0xff);
    }
}
