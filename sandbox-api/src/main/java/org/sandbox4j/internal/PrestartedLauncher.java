package org.sandbox4j.internal;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Errno;
import org.sandbox4j.Launcher;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SetupStep;

/**
 * The prestarted spawn mode, the default (docs/architecture.md, "Prestarted mode"): one launcher per JVM,
 * started lazily with {@code --zygote}, clones every jail itself on request. A request is one
 * SOCK_SEQPACKET message: a 16-byte header, the spec (or a memfd holding it when it is large) and
 * the jail's fds by SCM_RIGHTS. The reply carries the jail's host pid and a pidfd for it.
 *
 * <p>Requests are serialized under one lock (send, then wait for the reply: the zygote answers
 * right after clone and the maps, so the lock is held for about the zygote's share of a spawn);
 * waiting for the jail's exec (the status pipe) happens outside the lock.
 */
public final class PrestartedLauncher {
    // The zygote's fds, request and reply layout: Wire.ZFD_*, REQ_*, REPLY_*, LOCK_F_* (wire.h).
    private static final long LOCK_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_KEPT = 240;
    private static final int F_DUPFD_CLOEXEC = 1030;

    /** Set by a lockdown that keeps starting jails: from then on every jail goes through the zygote. */
    private static volatile boolean requiredByLockdown;
    private static final Object LOCK = new Object();
    private static @Nullable Zygote current;
    /** The LOCK request every zygote gets before its first spec once a lockdown applied, or null (under LOCK). */
    private static byte @Nullable [] lockRequest;
    /** Every zygote started and not yet reaped (a retired one lives until its jails have ended). */
    private static final List<Zygote> STARTED = new ArrayList<>();

    private PrestartedLauncher() {}

    /** Whether the JVM's default launcher ({@link Launcher#getDefault()}) is the prestarted one. */
    public static boolean enabled() {
        return Launcher.getDefault().isPrestarted();
    }

    /**
     * Sets the mode of the JVM's default launcher, keeping its prefix; {@code null} goes back to the
     * system property's mode ({@code -Dsandbox4j.spawn}, prestarted unless {@code per-jail}).
     */
    public static void setEnabled(@Nullable Boolean on) {
        Launcher d = Launcher.getDefault();
        Launcher.setDefault(null);
        boolean mode = on != null ? on : Launcher.getDefault().isPrestarted();
        Launcher l = (mode ? Launcher.prestarted() : Launcher.perJail()).through(d.prefix(), d.launcherFile().orElse(null));
        Launcher.setDefault(l);
    }

    /** Whether every jail must go through the prestarted launcher (a lockdown kept starting jails). */
    public static boolean required() {
        return requiredByLockdown;
    }

    /** The running zygote's pid, or -1 (for tests). */
    public static int zygotePid() {
        synchronized (LOCK) {
            Zygote z = current;
            return z == null || z.dead || z.exited ? -1 : z.pid;
        }
    }

    /**
     * Stops the zygote: it stops serving and exits once its running jails have ended. Waits up to
     * {@code timeout} for it to be reaped; true when no zygote is left. The next prestarted start
     * starts a new one.
     */
    public static boolean shutdown(java.time.Duration timeout) throws InterruptedException {
        List<Zygote> all;
        retireCurrent();
        synchronized (LOCK) {
            all = new ArrayList<>(STARTED);
        }
        long until = System.nanoTime() + timeout.toNanos();
        for (Zygote z : all) {
            while (!z.exited && System.nanoTime() < until) {
                Thread.sleep(5);
            }
        }
        synchronized (LOCK) {
            STARTED.removeIf(z -> z.exited);
            return STARTED.isEmpty();
        }
    }

    private static final class Zygote {
        final int pid;
        final int sock;
        final String key;
        volatile boolean dead; // written under LOCK, read by the reaper too
        volatile boolean exited; // set by the reaper thread, under reapLock, once the zygote was reaped
        final Object reapLock = new Object();

        Zygote(int pid, int sock, String key) {
            this.pid = pid;
            this.sock = sock;
            this.key = key;
        }
    }

    /** What the zygote answered: pid 0 means it failed before or at clone (the status pipe says why). */
    private record Reply(int pid, int pidfd) {}

    /** The same contract as {@link Spawner#spawn}. */
    static Spawner.Spawned spawn(byte[] spec, Launcher launcher, Redirect in, Redirect out, Redirect err, boolean errToOut,
            int[] keptFds, long setupTimeoutMillis, Spawner.StatusMapper mapper) throws SandboxException {
        if (keptFds.length > MAX_KEPT) {
            throw new SandboxException("the prestarted launcher passes at most " + MAX_KEPT + " kept fds");
        }
        List<Integer> childEnds = new ArrayList<>(8);
        int[] parentEnds = {-1, -1, -1};
        int statusRead = -1;
        int resultRead = -1;
        int pidfd = -1;
        boolean ok = false;
        try {
            int[] stdio = new int[3];
            Redirect[] redirects = {in, out, err};
            for (int fd = 0; fd < 3; fd++) {
                if (fd == 2 && errToOut) {
                    stdio[2] = stdio[1];
                    continue;
                }
                Redirect r = redirects[fd];
                switch (r.type()) {
                    case PIPE: {
                        int[] p = pipe(childEnds);
                        stdio[fd] = fd == 0 ? p[0] : p[1];
                        parentEnds[fd] = fd == 0 ? p[1] : p[0];
                        childEnds.remove(Integer.valueOf(parentEnds[fd]));
                        break;
                    }
                    case INHERIT:
                        if (LibC.fcntl(fd, LibC.F_GETFD, 0) >= 0) {
                            stdio[fd] = fd; // sent as is; not ours to close
                        } else {
                            stdio[fd] = open("/dev/null", LibC.O_RDWR, 0, childEnds);
                        }
                        break;
                    case READ:
                        stdio[fd] = open(r.file(), LibC.O_RDONLY, 0, childEnds);
                        break;
                    case WRITE:
                    case APPEND:
                        stdio[fd] = open(r.file(), LibC.O_WRONLY | LibC.O_CREAT
                                | (r.type() == Redirect.Type.APPEND ? LibC.O_APPEND : LibC.O_TRUNC), 0666, childEnds);
                        break;
                    default:
                        throw new IllegalArgumentException("unsupported redirect " + r);
                }
            }
            int[] p = pipe(childEnds);
            statusRead = p[0];
            childEnds.remove(Integer.valueOf(statusRead));
            int statusWrite = p[1];
            p = pipe(childEnds);
            resultRead = p[0];
            childEnds.remove(Integer.valueOf(resultRead));
            int resultWrite = p[1];

            int memfd = -1;
            if (spec.length > Wire.REQ_INLINE_MAX) {
                memfd = LibC.memfd_create("sandbox4j-spec", LibC.MFD_CLOEXEC);
                if (memfd < 0) {
                    throw Spawner.errnoException("create a memfd for the spec", LibC.errno());
                }
                childEnds.add(memfd);
                Spawner.writeFully(memfd, spec);
            }
            int nfds = Wire.REQ_FIXED_FDS + (memfd >= 0 ? 1 : 0) + keptFds.length;
            int[] fds = new int[nfds];
            fds[0] = stdio[0];
            fds[1] = stdio[1];
            fds[2] = stdio[2];
            fds[3] = statusWrite;
            fds[4] = resultWrite;
            int k = Wire.REQ_FIXED_FDS;
            if (memfd >= 0) {
                fds[k++] = memfd;
            }
            for (int fd : keptFds) {
                fds[k++] = fd;
            }
            byte[] body = memfd >= 0 ? new byte[0] : spec;
            ByteBuffer msg = ByteBuffer.allocate(16 + body.length).order(ByteOrder.LITTLE_ENDIAN);
            msg.putInt(Wire.REQ_MAGIC).putShort((short) Wire.REQ_VERSION).putShort((short) (memfd >= 0 ? Wire.REQ_F_SPEC_MEMFD : 0))
                    .putInt(keptFds.length).putInt(0).put(body);

            Reply reply = request(launcher, msg.array(), fds, setupTimeoutMillis);
            // The zygote has its copies (and the jail has its own): the JVM keeps only its ends.
            for (int fd : childEnds) {
                LibC.close(fd);
            }
            childEnds.clear();
            pidfd = reply.pidfd();
            int pid = reply.pid();
            final int fpidfd = pidfd;
            byte[] status = Spawner.readStatus(statusRead, setupTimeoutMillis, () -> kill(fpidfd, LibC.SIGKILL));
            LibC.close(statusRead);
            statusRead = -1;
            if (status.length > 0) {
                throw mapper.toException(Spawner.parseStatus(status));
            }
            if (pid <= 0) {
                throw new SandboxSetupException(SetupStep.LAUNCH, 0, "",
                        "the prestarted launcher refused the request without a status record", null, null);
            }
            ok = true;
            return new Spawner.Spawned(pid, parentEnds[0], parentEnds[1], parentEnds[2], resultRead, true, pidfd);
        } finally {
            if (!ok) {
                if (pidfd >= 0) {
                    kill(pidfd, LibC.SIGKILL); // the zygote reaps it and writes a result nobody reads
                    LibC.close(pidfd);
                }
                for (int fd : childEnds) {
                    LibC.close(fd);
                }
                for (int fd : new int[] {statusRead, resultRead, parentEnds[0], parentEnds[1], parentEnds[2]}) {
                    if (fd >= 0) {
                        LibC.close(fd);
                    }
                }
            }
        }
    }

    /**
     * Sends {@code sig} to a jail through its pidfd (never to a recycled pid). Returns false when the
     * process is gone.
     */
    public static boolean kill(int pidfd, int sig) {
        if (pidfd < 0) {
            return false;
        }
        return LibC.pidfdSendSignal(pidfd, sig) == 0;
    }

    private static Reply request(Launcher launcher, byte[] msg, int[] fds, long timeoutMillis) throws SandboxException {
        synchronized (LOCK) {
            for (int attempt = 0; ; attempt++) {
                Zygote z = zygote(launcher);
                long rc = send(z.sock, msg, fds);
                if (rc < 0) {
                    int e = LibC.errno();
                    if ((e == LibC.EPIPE || e == LibC.ECONNRESET) && attempt == 0) {
                        // Died before it saw this request: nothing of it exists; start a new one.
                        retire(z, true);
                        continue;
                    }
                    retire(z, true);
                    throw Spawner.errnoException("send a request to the prestarted launcher", e);
                }
                Reply r = receive(z, timeoutMillis, attempt == 0);
                if (r != null) {
                    return r;
                }
                // ECONNRESET: the zygote died with this request unread in its queue (it was dying
                // when we sent). Nothing of the request exists; start a new zygote and send again.
            }
        }
    }

    /**
     * Enables the prestarted mode and starts its launcher now, so that jails can still be started
     * after a lockdown forbids this JVM to exec ({@code Lockdown.Builder.keepStartingJails()}).
     */
    public static void prepare() throws SandboxException {
        setEnabled(true);
        requiredByLockdown = true;
        synchronized (LOCK) {
            zygote(Launcher.getDefault());
        }
    }

    /**
     * Hands the prestarted launcher a lockdown's limits (sandbox-native/src/lockin.c): from now on
     * it refuses every spec beyond them, with a status record of step {@code lockdown}, whoever
     * wrote the spec. Sent while the JVM is still trusted (the lockdown's PREPARE); a zygote started
     * later (after one died) gets the same limits before its first spec. One-shot: the zygote
     * refuses a second LOCK, so a second lockdown with {@code keepStartingJails()} fails here.
     *
     * @param writesLimited writable sources must be beneath {@code writable} (none when it is empty)
     * @param noHostIds only the default id mapping (the lockdown dropped the JVM's capabilities)
     * @param noKeptCaps no kept capabilities
     * @param noNamespaces every jail's program gets the launcher's namespace filter (the lockdown's
     *     filter keeps the JVM from creating namespaces)
     * @param writable the paths the lockdown leaves writable
     */
    public static void lock(boolean writesLimited, boolean noHostIds, boolean noKeptCaps, boolean noNamespaces,
            List<String> writable)
            throws SandboxException {
        List<byte[]> paths = new ArrayList<>();
        int size = 16 + 8;
        for (String w : writable) {
            byte[] b = java.nio.file.Path.of(w).toAbsolutePath().normalize().toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            paths.add(b);
            size += 4 + b.length;
        }
        if (size > Wire.REQ_INLINE_MAX) {
            throw new SandboxException("the lockdown's writable paths do not fit one request to the prestarted launcher");
        }
        ByteBuffer msg = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        msg.putInt(Wire.REQ_MAGIC).putShort((short) Wire.REQ_VERSION).putShort((short) Wire.REQ_F_LOCK).putInt(0).putInt(0);
        msg.putInt((writesLimited ? Wire.LOCK_F_WRITES : 0) | (noHostIds ? Wire.LOCK_F_NO_HOST_IDS : 0)
                | (noKeptCaps ? Wire.LOCK_F_NO_CAPS : 0) | (noNamespaces ? Wire.LOCK_F_NO_NEWNS : 0)).putInt(paths.size());
        for (byte[] b : paths) {
            msg.putInt(b.length).put(b);
        }
        synchronized (LOCK) {
            if (lockRequest != null) {
                throw new SandboxException("the prestarted launcher already enforces an earlier lockdown's limits;"
                        + " only one lockdown per JVM may use keepStartingJails()");
            }
            Zygote z = zygote(Launcher.getDefault());
            lockRequest = msg.array();
            sendLock(z);
        }
    }

    /** Sends the LOCK request to {@code z} and waits for it to be taken; kills {@code z} otherwise. */
    private static void sendLock(Zygote z) throws SandboxException {
        byte[] req = java.util.Objects.requireNonNull(lockRequest);
        if (send(z.sock, req, new int[0]) < 0) {
            int e = LibC.errno();
            retire(z, true);
            throw Spawner.errnoException("send the lockdown's limits to the prestarted launcher", e);
        }
        Reply r = java.util.Objects.requireNonNull(receive(z, LOCK_TIMEOUT_MILLIS, false));
        if (r.pidfd() >= 0) {
            LibC.close(r.pidfd());
        }
        if (r.pid() != 1) {
            retire(z, true);
            throw new SandboxSetupException(SetupStep.LOCKDOWN, 0, "",
                    "the prestarted launcher refused the lockdown's limits; it was killed", null, null);
        }
    }

    /** The running zygote for {@code launcher}'s prefix, or a new one (under LOCK). */
    private static Zygote zygote(Launcher launcher) throws SandboxException {
        List<String> prefix = launcher.prefix().isEmpty() ? null : launcher.prefix();
        String launcherPath = launcher.launcherFile().map(Object::toString).orElse(null);
        String key = prefix == null ? "" : String.join("\0", prefix) + "\0" + launcherPath;
        Zygote z = current;
        if (z != null && z.exited) {
            retire(z, false);
            z = null;
        }
        if (z != null && !z.dead && z.key.equals(key)) {
            return z;
        }
        if (z != null && !z.dead) {
            retire(z, false); // another prefix: the old one exits once its jails have ended
        }
        STARTED.removeIf(old -> old.exited);
        z = start(prefix, launcherPath, key);
        current = z;
        STARTED.add(z);
        if (lockRequest != null) {
            sendLock(z); // a new zygote after a lockdown takes its limits before any spec
        }
        return z;
    }

    /**
     * Stops the running zygote from serving (it exits once its jails have ended) without waiting;
     * the next prestarted start starts a new one. For {@link #shutdown}, and before the JVM restricts
     * itself (a lockdown without keepStartingJails, the in-process chroot): the zygote would keep
     * the JVM's earlier privileges.
     */
    public static void retireCurrent() {
        synchronized (LOCK) {
            if (current != null) {
                retire(current, false);
            }
        }
    }

    /** Drops a zygote: closes our socket (it stops serving); {@code kill} also kills it and its jails. */
    private static void retire(Zygote z, boolean kill) {
        if (z.dead) {
            return;
        }
        z.dead = true;
        if (kill) {
            synchronized (z.reapLock) {
                if (!z.exited) {
                    // Not reaped yet: the pid is still ours. Its jails first: a pid 1 that is the
                    // program (execDirectly) may have cleared the pdeathsig that would end it.
                    Spawner.killTree(z.pid);
                }
            }
        }
        LibC.close(z.sock);
        if (current == z) {
            current = null;
        }
        Reaper.wake();
    }

    private static Zygote start(@Nullable List<String> prefix, @Nullable String launcherPath, String key)
            throws SandboxException {
        int lifeline = Spawner.lifeline();
        int[] sv = new int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, sv) != 0) {
            throw Spawner.errnoException("create the prestarted launcher's socket", LibC.errno());
        }
        int[] death = new int[2];
        if (LibC.pipe2(death, LibC.O_CLOEXEC) != 0) {
            int e = LibC.errno();
            LibC.close(sv[0]);
            LibC.close(sv[1]);
            throw Spawner.errnoException("create a pipe", e);
        }
        List<Integer> tmp = new ArrayList<>();
        SpawnActions actions = new SpawnActions();
        boolean ok = false;
        try {
            // Sources above every target number, so that no dup2 overwrites a source still needed.
            int sock = dupHigh(sv[1], tmp);
            int deathWrite = dupHigh(death[1], tmp);
            int life = dupHigh(lifeline, tmp);
            for (int fd = 0; fd < 3; fd++) {
                actions.open(fd, "/dev/null", LibC.O_RDWR, 0);
            }
            actions.dup2(sock, Wire.ZFD_SOCK);
            actions.dup2(deathWrite, Wire.ZFD_DEATH);
            actions.dup2(life, Wire.ZFD_LIFELINE);
            String exe;
            String[] argv;
            if (prefix != null) {
                exe = prefix.get(0);
                argv = new String[prefix.size() + 2];
                for (int i = 0; i < prefix.size(); i++) {
                    argv[i] = prefix.get(i);
                }
                argv[prefix.size()] = Objects.requireNonNull(launcherPath);
                argv[prefix.size() + 1] = "--zygote";
            } else {
                exe = LauncherBinary.path();
                argv = new String[] {LauncherBinary.FILE_NAME, "--zygote"};
            }
            int[] pidRef = new int[1];
            int rc = LibC.posix_spawn(pidRef, exe, actions, argv, new String[0]);
            if (rc != 0) {
                throw new SandboxSetupException(SetupStep.LAUNCH, rc, exe,
                        "posix_spawn of the prestarted launcher failed", null, LockdownState.hint());
            }
            int pid = pidRef[0];
            Zygote z = new Zygote(pid, sv[0], key);
            // The death pipe's read end reaches EOF when the zygote has exited: the reaper then reaps it.
            Reaper.watch(death[0], new Reaper.Watcher() {
                @Override
                public int pid() {
                    return pid;
                }

                @Override
                public void exited(int waitStatus, byte[] result) {
                    // Nothing under LOCK here: a request may hold it while it waits for a reply.
                }

                @Override
                public Object lock() {
                    return z.reapLock;
                }

                @Override
                public void markReaped() {
                    z.exited = true;
                }

                @Override
                public boolean awaited() {
                    return z.dead; // retired: reap it as soon as it exits
                }
            });
            death[0] = -1;
            ok = true;
            return z;
        } finally {
            for (int fd : tmp) {
                LibC.close(fd);
            }
            LibC.close(sv[1]);
            LibC.close(death[1]);
            if (death[0] >= 0 && !ok) {
                LibC.close(death[0]);
            }
            if (!ok) {
                LibC.close(sv[0]);
            }
        }
    }

    /** A LOCK request has no fds: no SCM_RIGHTS at all. */
    private static long send(int sock, byte[] data, int[] fds) {
        long rc;
        do {
            rc = LibC.sendWithFds(sock, data, fds, LibC.MSG_NOSIGNAL);
        } while (rc < 0 && LibC.errno() == LibC.EINTR);
        return rc;
    }

    /** The reply, or null when the zygote died without reading the request and {@code mayRetry}. */
    private static @Nullable Reply receive(Zygote z, long timeoutMillis, boolean mayRetry) throws SandboxException {
        byte[] pfd = new byte[8];
        ByteBuffer.wrap(pfd).order(ByteOrder.nativeOrder()).putInt(z.sock).putShort((short) LibC.POLLIN);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                retire(z, true);
                throw new SandboxSetupException(SetupStep.LAUNCH, 0, "", "the prestarted launcher did not answer within "
                        + timeoutMillis + " ms; it was killed (the next start starts a new one)", null, null);
            }
            int rc = LibC.poll(pfd, 1, (int) Math.min(left, Integer.MAX_VALUE));
            if (rc < 0 && LibC.errno() != LibC.EINTR) {
                int e = LibC.errno();
                retire(z, true);
                throw Spawner.errnoException("poll the prestarted launcher's socket", e);
            }
            if (rc > 0) {
                break;
            }
        }
        byte[] reply = new byte[8];
        int[] passed = new int[1];
        long n;
        do {
            n = LibC.recvWithFd(z.sock, reply, passed, LibC.MSG_CMSG_CLOEXEC);
        } while (n < 0 && LibC.errno() == LibC.EINTR);
        int recvErrno = n < 0 ? LibC.errno() : 0;
        int pidfd = passed[0];
        ByteBuffer buf = ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder());
        if (n < 0 && recvErrno == LibC.ECONNRESET && mayRetry) {
            retire(z, true);
            return null;
        }
        if (n != Wire.REPLY_BYTES || buf.getInt(0) != Wire.REPLY_MAGIC) {
            if (pidfd >= 0) {
                LibC.close(pidfd);
            }
            retire(z, true);
            throw new SandboxSetupException(SetupStep.LAUNCH, 0, "", n == 0
                    ? "the prestarted launcher died; this start failed (the next start starts a new one)"
                    : n < 0 ? "the prestarted launcher's socket failed (" + Errno.describe(recvErrno)
                            + "); this start failed (the next start starts a new one)"
                    : "the prestarted launcher sent a malformed reply (" + n + " bytes); it was killed", null, null);
        }
        int pid = buf.getInt(4);
        if (pid > 0 && pidfd < 0) {
            // No pidfd (a kernel before 5.3): signals go by pid, with the window docs/architecture.md describes.
            return new Reply(pid, -1);
        }
        return new Reply(pid, pidfd);
    }

    private static int[] pipe(List<Integer> toClose) throws SandboxException {
        int[] p = new int[2];
        if (LibC.pipe2(p, LibC.O_CLOEXEC) != 0) {
            throw Spawner.errnoException("create a pipe", LibC.errno());
        }
        toClose.add(p[0]);
        toClose.add(p[1]);
        return p;
    }

    private static int open(File f, int flags, int mode, List<Integer> toClose) throws SandboxException {
        return open(f.getAbsolutePath(), flags, mode, toClose);
    }

    private static int open(String path, int flags, int mode, List<Integer> toClose) throws SandboxException {
        int fd = LibC.open(path, flags | LibC.O_CLOEXEC, mode);
        if (fd < 0) {
            throw new SandboxSetupException(SetupStep.LAUNCH, LibC.errno(), path,
                    "a redirect file could not be opened", null, null);
        }
        toClose.add(fd);
        return fd;
    }

    private static int dupHigh(int fd, List<Integer> toClose) throws SandboxException {
        int d = LibC.fcntl(fd, F_DUPFD_CLOEXEC, 10);
        if (d < 0) {
            throw Spawner.errnoException("duplicate fd " + fd, LibC.errno());
        }
        toClose.add(d);
        return d;
    }

}
