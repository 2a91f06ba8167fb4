package org.sandbox4j.internal;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Errno;
import org.sandbox4j.Launcher;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SetupStep;

/**
 * Starts the launcher with posix_spawn (the JVM never forks), hands it the spec, and waits for the
 * jail to exec or fail. See docs/architecture.md for the fd layout.
 */
public final class Spawner {
    private static final int F_DUPFD_CLOEXEC = 1030;

    private static int lifelineRead = -1;

    private Spawner() {}

    /** What start() needs from a spawn: the launcher's pid and the JVM's ends of its pipes. */
    public record Spawned(int pid, int stdin, int stdout, int stderr, int result, boolean prestarted, int pidfd) {
        /** A spawn of a per-jail launcher: {@code pid} is the launcher, a child of the JVM. */
        public Spawned(int pid, int stdin, int stdout, int stderr, int result) {
            this(pid, stdin, stdout, stderr, result, false, -1);
        }
    }

    /** What a failed status record said. */
    public record Status(int opIndex, int errno, String step, String path, String detail) {}

    static synchronized int lifeline() throws SandboxException {
        if (lifelineRead < 0) {
            int[] p = new int[2];
            if (LibC.pipe2(p, LibC.O_CLOEXEC) != 0) {
                throw errnoException("create the lifeline pipe", LibC.errno());
            }
            // The write end p[1] is deliberately never closed: the kernel closes it when the JVM
            // process dies, and every launcher then sees POLLHUP on its read end.
            lifelineRead = p[0];
        }
        return lifelineRead;
    }

    /**
     * Spawns a launcher for {@code spec} and waits until the jail's program was exec'd.
     *
     * @param keptFds JVM fds to pass; the spec's FDMAP records name them as 7, 8, ... in this order
     * @param setupTimeoutMillis how long the jail may take to build before it is killed
     * @throws SandboxSetupException when a setup step failed, with the launcher's report
     */
    public static Spawned spawn(SpecWriter.Spec spec, Launcher launcher, Redirect in, Redirect out, Redirect err, boolean errToOut,
            int[] keptFds, long setupTimeoutMillis, StatusMapper mapper) throws SandboxException {
        // cgroups: the zygote does not place jails in cgroups yet, so such a jail gets a launcher of its own
        // After a lockdown that forbids exec, the prestarted launcher is the only way to a jail: a jail
        // that asked for violation reports still starts there, without the reports (its filter acts as
        // written); learning or cgroup limits need a launcher of their own and fail naming the lockdown.
        boolean prestarted = launcher.isPrestarted() || PrestartedLauncher.required();
        if (prestarted && !LockdownState.applied().isEmpty() && spec.supervise() == Wire.SUPERVISE_REPORT) {
            spec = spec.withoutSupervision();
        }
        if (prestarted && prestartable(spec)) {
            return PrestartedLauncher.spawn(spec.bytes(), launcher, in, out, err, errToOut, keptFds, setupTimeoutMillis, mapper);
        }
        int lifeline = lifeline();
        List<Integer> toClose = new ArrayList<>(16);
        int stdinParent = -1;
        int stdoutParent = -1;
        int stderrParent = -1;
        int specWrite = -1;
        int statusRead = -1;
        int resultRead = -1;
        int pid = -1;
        boolean ok = false;
        SpawnActions actions = new SpawnActions();
        try {
            int low = Wire.FD_FIRST_KEPT + keptFds.length;
            int[] p = pipe(low, toClose);
            int specRead = p[0];
            specWrite = p[1];
            p = pipe(low, toClose);
            statusRead = p[0];
            int statusWrite = p[1];
            p = pipe(low, toClose);
            resultRead = p[0];
            int resultWrite = p[1];

            int[] parentEnds = new int[3];
            Redirect[] redirects = {in, out, err};
            for (int fd = 0; fd < 3; fd++) {
                parentEnds[fd] = -1;
                if (fd == 2 && errToOut) {
                    actions.dup2(1, 2);
                    continue;
                }
                Redirect r = redirects[fd];
                switch (r.type()) {
                    case PIPE: {
                        int[] pp = pipe(low, toClose);
                        int childEnd = fd == 0 ? pp[0] : pp[1];
                        parentEnds[fd] = fd == 0 ? pp[1] : pp[0];
                        actions.dup2(childEnd, fd);
                        break;
                    }
                    case INHERIT:
                        break;
                    case READ:
                        actions.open(fd, path(r.file()), LibC.O_RDONLY, 0);
                        break;
                    case WRITE:
                    case APPEND: {
                        int flags = LibC.O_WRONLY | LibC.O_CREAT
                                | (r.type() == Redirect.Type.APPEND ? LibC.O_APPEND : LibC.O_TRUNC);
                        actions.open(fd, path(r.file()), flags, 0666);
                        break;
                    }
                    default:
                        throw new IllegalArgumentException("unsupported redirect " + r);
                }
            }
            stdinParent = parentEnds[0];
            stdoutParent = parentEnds[1];
            stderrParent = parentEnds[2];

            actions.dup2(specRead, Wire.FD_SPEC);
            actions.dup2(statusWrite, Wire.FD_STATUS);
            actions.dup2(resultWrite, Wire.FD_RESULT);
            actions.dup2(high(lifeline, low, toClose), Wire.FD_LIFELINE);
            for (int i = 0; i < keptFds.length; i++) {
                actions.dup2(high(keptFds[i], low, toClose), Wire.FD_FIRST_KEPT + i);
            }

            List<String> prefix = launcher.prefix();
            String launcherPath = prefix.isEmpty() ? LauncherBinary.path() : launcher.launcherFile().orElseThrow().toString();
            String exe;
            String[] argv;
            if (!prefix.isEmpty()) {
                exe = prefix.get(0);
                argv = new String[prefix.size() + 1];
                for (int i = 0; i < prefix.size(); i++) {
                    argv[i] = prefix.get(i);
                }
                argv[prefix.size()] = launcherPath;
            } else {
                exe = launcherPath;
                argv = new String[] {LauncherBinary.FILE_NAME};
            }
            int[] pidRef = new int[1];
            int rc = LibC.posix_spawn(pidRef, exe, actions, argv, new String[0]);
            if (rc != 0) {
                throw new SandboxSetupException(SetupStep.LAUNCH, rc, exe,
                        "posix_spawn of the launcher failed (or a redirect file could not be opened)", null,
                        LockdownState.hint());
            }
            pid = pidRef[0];
            // The child has its copies; the JVM keeps only its own ends.
            for (int fd : toClose) {
                if (fd != specWrite && fd != statusRead && fd != resultRead && fd != stdinParent
                        && fd != stdoutParent && fd != stderrParent) {
                    LibC.close(fd);
                }
            }
            toClose.clear();
            writeFully(specWrite, spec.bytes()); // EPIPE ignored: the launcher died, its status says why
            LibC.close(specWrite);
            specWrite = -1;
            final int spawnedPid = pid;
            byte[] status = readStatus(statusRead, setupTimeoutMillis, () -> killAndReap(spawnedPid));
            LibC.close(statusRead);
            statusRead = -1;
            if (status.length > 0) {
                Status s = parseStatus(status);
                killAndReap(pid);
                pid = -1;
                throw mapper.toException(s);
            }
            ok = true;
            // With jail init, pid 1 is ours and dies with the launcher (pdeathsig): no pidfd needed.
            int pid1 = spec.has(Wire.OPT_INIT) ? -1 : jailPidfd(pid);
            return new Spawned(pid, stdinParent, stdoutParent, stderrParent, resultRead, false, pid1);
        } finally {
            if (!ok) {
                for (int fd : toClose) {
                    LibC.close(fd);
                }
                for (int fd : new int[] {specWrite, statusRead, resultRead, stdinParent, stdoutParent, stderrParent}) {
                    if (fd >= 0 && !toClose.contains(fd)) {
                        LibC.close(fd);
                    }
                }
                if (pid > 0) {
                    killAndReap(pid);
                }
            }
        }
    }

    /**
     * Whether the prestarted launcher may start this jail. Not a jail that keeps its caller's session
     * (sameSession()): it would share the zygote's session and terminal, fixed when that started.
     * Not one that shares the JVM's pid namespace (share(PID)): a launcher of its own is the subreaper
     * of its processes and kills them all when the jail ends; the zygote serves many jails and could
     * not tell whose orphan is whose. Not a supervised one (the supervisor runs in a launcher of its
     * own) nor one with cgroup limits (a per-jail launcher ends the cgroups).
     */
    private static boolean prestartable(SpecWriter.Spec spec) {
        return spec.has(Wire.OPT_NEW_SESSION) && (spec.cloneFlags() & Wire.NS_PID) != 0 && spec.supervise() == 0
                && !spec.cgroups();
    }

    /** Turns a status record into the exception the caller sees. */
    public interface StatusMapper {
        SandboxException toException(Status status);
    }

    static Status parseStatus(byte[] b) throws SandboxException {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (b.length < Wire.STATUS_HEADER || bb.getInt() != Wire.STATUS_MAGIC) {
            throw new SandboxException("the launcher sent a malformed status record (" + b.length + " bytes)");
        }
        int op = bb.getInt();
        int errno = bb.getInt();
        int stepLen = Short.toUnsignedInt(bb.getShort());
        int pathLen = Short.toUnsignedInt(bb.getShort());
        int detailLen = Short.toUnsignedInt(bb.getShort());
        bb.getShort();
        if (bb.remaining() < stepLen + pathLen + detailLen) {
            throw new SandboxException("the launcher sent a truncated status record");
        }
        String step = str(bb, stepLen);
        String path = str(bb, pathLen);
        String detail = str(bb, detailLen);
        return new Status(op, errno, step, path, detail);
    }

    private static String str(ByteBuffer bb, int len) {
        byte[] s = new byte[len];
        bb.get(s);
        return new String(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] readStatus(int fd, long timeoutMillis, Runnable killer) throws SandboxException {
        byte[] buf = new byte[8192];
        int len = 0;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        byte[] pfd = new byte[8];
        ByteBuffer.wrap(pfd).order(ByteOrder.nativeOrder()).putInt(fd).putShort((short) LibC.POLLIN);
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                killer.run();
                throw new SandboxSetupException(SetupStep.UNKNOWN, 0, "",
                        "the jail did not finish its setup within " + timeoutMillis + " ms; it was killed", null, null);
            }
            int rc = LibC.poll(pfd, 1, (int) Math.min(left, Integer.MAX_VALUE));
            if (rc < 0) {
                int e = LibC.errno();
                if (e == LibC.EINTR) {
                    continue;
                }
                throw errnoException("poll the status pipe", e);
            }
            if (rc == 0) {
                continue;
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            byte[] chunk = new byte[buf.length - len];
            long n = LibC.read(fd, chunk, chunk.length);
            if (n < 0) {
                int e = LibC.errno();
                if (e == LibC.EINTR || e == LibC.EAGAIN) {
                    continue;
                }
                throw errnoException("read the status pipe", e);
            }
            if (n == 0) {
                return Arrays.copyOf(buf, len);
            }
            System.arraycopy(chunk, 0, buf, len, (int) n);
            len += (int) n;
            if (len > 1 << 20) {
                throw new SandboxException("the launcher sent more than 1 MiB of status");
            }
        }
    }

    /**
     * Ends a launcher whose jail must not survive it: asks it to kill the jail first ({@link
     * LibC#SIG_END_JAIL}; a SIGKILLed launcher could not kill a pid 1 that cleared its pdeathsig),
     * and only when it has not exited after {@code END_GRACE_MILLIS} (stopped, or its jail stuck in
     * the kernel) kills its children and then it, as {@link #killTree} does.
     */
    static void killAndReap(int pid) {
        LibC.kill(pid, LibC.SIG_END_JAIL);
        int[] st = new int[1];
        long until = System.nanoTime() + END_GRACE_MILLIS * 1_000_000L;
        while (true) {
            int rc = LibC.waitpid(pid, st, LibC.WNOHANG);
            if (rc == pid || (rc < 0 && LibC.errno() != LibC.EINTR)) {
                return;
            }
            if (System.nanoTime() > until) {
                break;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        killTree(pid);
        while (LibC.waitpid(pid, st, 0) < 0 && LibC.errno() == LibC.EINTR) {
            // retry
        }
    }

    private static final long END_GRACE_MILLIS = 2000;

    /**
     * Last resort for an unresponsive launcher or prestarted launcher {@code pid} (a child of this
     * JVM, not yet reaped): SIGSTOP it so that it cannot reap (its children's pids then stay theirs),
     * SIGKILL each of its children (jail pid 1s: with a new pid namespace, the whole jail), then
     * SIGKILL it. What a shared-pid-namespace jail left below its pid 1 is out of reach here.
     */
    public static void killTree(int pid) {
        LibC.kill(pid, LibC.SIGSTOP);
        long until = System.nanoTime() + 200_000_000L;
        while (!stopped(pid) && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        String children = ProcFiles.read("/proc/" + pid + "/task/" + pid + "/children");
        if (children != null) {
            for (String c : children.split("\\s+")) {
                if (!c.isEmpty()) {
                    LibC.kill(Integer.parseInt(c), LibC.SIGKILL);
                }
            }
        }
        LibC.kill(pid, LibC.SIGKILL);
    }

    /**
     * A pidfd of the jail's pid 1 (the launcher's first child), or -1. Java's fallback for a
     * launcher that was SIGKILLed from outside the library (say {@code toHandle().destroyForcibly()}):
     * it could not kill the jail, and a pid 1 that is the program may have cleared its pdeathsig.
     * The launcher is alive and unreaped here, so its child list is current; the pidfd is kept only
     * if its process is still the launcher's child after opening, so it never names a recycled pid.
     */
    static int jailPidfd(int launcher) {
        String children = ProcFiles.read("/proc/" + launcher + "/task/" + launcher + "/children");
        if (children == null || children.isEmpty()) {
            return -1;
        }
        int child;
        try {
            child = Integer.parseInt(children.split("\\s+", 2)[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
        int fd = LibC.pidfdOpen(child, 0);
        if (fd < 0) {
            return -1;
        }
        if (parent(child) != launcher) {
            LibC.close(fd);
            return -1;
        }
        return fd;
    }

    /** The parent pid from /proc/PID/stat, or -1. */
    private static int parent(int pid) {
        String stat = ProcFiles.read("/proc/" + pid + "/stat");
        int i = stat == null ? -1 : stat.lastIndexOf(')');
        if (i < 0) {
            return -1;
        }
        String[] f = stat.substring(i + 2).split(" ", 3);
        try {
            return f.length > 1 ? Integer.parseInt(f[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** State T (stopped) or gone, from /proc/PID/stat. */
    private static boolean stopped(int pid) {
        String stat = ProcFiles.read("/proc/" + pid + "/stat");
        if (stat == null) {
            return true;
        }
        int i = stat.lastIndexOf(')');
        char state = i >= 0 && i + 2 < stat.length() ? stat.charAt(i + 2) : '?';
        return state == 'T' || state == 'Z' || state == 'X';
    }

    static void writeFully(int fd, byte[] data) {
        int off = 0;
        while (off < data.length) {
            byte[] chunk = off == 0 ? data : Arrays.copyOfRange(data, off, data.length);
            long n = LibC.write(fd, chunk, chunk.length);
            if (n < 0) {
                if (LibC.errno() == LibC.EINTR) {
                    continue;
                }
                return;
            }
            off += (int) n;
        }
    }

    private static int[] pipe(int low, List<Integer> toClose) throws SandboxException {
        int[] p = new int[2];
        if (LibC.pipe2(p, LibC.O_CLOEXEC) != 0) {
            throw errnoException("create a pipe", LibC.errno());
        }
        toClose.add(p[0]);
        toClose.add(p[1]);
        p[0] = high(p[0], low, toClose);
        p[1] = high(p[1], low, toClose);
        return p;
    }

    /**
     * Returns {@code fd}, or a close-on-exec duplicate at or above {@code low} when {@code fd} is
     * below it, so that no dup2 of the spawn can overwrite a source that a later dup2 still needs.
     */
    private static int high(int fd, int low, List<Integer> toClose) throws SandboxException {
        if (fd >= low) {
            return fd;
        }
        int d = LibC.fcntl(fd, F_DUPFD_CLOEXEC, low);
        if (d < 0) {
            throw errnoException("duplicate fd " + fd, LibC.errno());
        }
        toClose.add(d);
        return d;
    }

    private static String path(File f) {
        return f.getAbsolutePath();
    }

    static SandboxException errnoException(String what, int errno) {
        return new SandboxException("sandbox4j could not " + what + ": " + Errno.describe(errno));
    }
}
