package org.sandbox4j.internal;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/**
 * {@link NativeCalls} through JNA direct mapping (no proxy, no reflection per call): the
 * implementation on JDK 17 to 21, and on 22+ when the jar has no FFM classes or
 * {@code -Dsandbox4j.native=jna} asks for it. JNA extracts its libjnidispatch.so to the user's
 * cache and loads libsandbox4j.so from the jar's {@code linux-x86-64/} or {@code linux-aarch64/}.
 */
final class JnaCalls implements NativeCalls {
    /** libc, bound at once. */
    private static final class C {
        static {
            Native.register(C.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int pipe2(int[] fds, int flags);

        static native int close(int fd);

        static native int dup(int fd);

        static native int fcntl(int fd, int cmd, int arg);

        static native long read(int fd, byte[] buf, long count);

        static native long write(int fd, byte[] buf, long count);

        static native int poll(byte[] fds, long nfds, int timeoutMillis);

        static native int kill(int pid, int sig);

        static native int waitpid(int pid, int[] status, int options);

        static native int getpid();

        static native int geteuid();

        static native int getegid();

        static native int memfd_create(String name, int flags);

        static native Pointer strerror(int errnum);

        static native int open(String path, int flags, int mode);

        static native int mkdir(String path, int mode);

        static native int rmdir(String path);

        static native int chown(String path, int uid, int gid);

        static native int socketpair(int domain, int type, int protocol, int[] sv);

        static native int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attr, StringArray argv,
                StringArray envp);

        static native int posix_spawn_file_actions_init(Pointer fileActions);

        static native int posix_spawn_file_actions_destroy(Pointer fileActions);

        static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

        static native int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int oflag, int mode);

        static native int posix_spawnattr_init(Pointer attr);

        static native int posix_spawnattr_setflags(Pointer attr, short flags);

        static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

        static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

        static native int sigemptyset(Pointer set);

        static native int sigfillset(Pointer set);

        static native long sendmsg(int fd, Pointer msg, int flags);

        static native long recvmsg(int fd, Pointer msg, int flags);

        static native int chroot(String path);

        static native int chdir(String path);

        static native int setgroups(long size, Pointer list);

        static native int setresuid(int r, int e, int s);

        static native int setresgid(int r, int e, int s);

        static native int prctl(int option, long a2, long a3, long a4, long a5);

        static native Pointer signal(int sig, Pointer handler);

        static native void _exit(int status);

        static native int openat(int dirfd, String path, int flags, int mode);
    }

    /** statx apart: a libc without it (glibc before 2.28) fails only the calls that need it. */
    private static final class Statx {
        static {
            Native.register(Statx.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int statx(int dirfd, String path, int flags, int mask, Pointer buf);
    }

    /** libsandbox4j.so, loaded on first use: jails without Landlock never need it. */
    private static final class Sb4j {
        static final @Nullable Throwable LOAD_ERROR;

        static {
            Throwable err = null;
            try {
                Native.register(Sb4j.class, NativeLibrary.getInstance("sandbox4j"));
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                err = e;
            }
            LOAD_ERROR = err;
        }

        static native int sb4j_signal();

        static native int sb4j_broadcast(int actions, int rulesetFd, int landlockFlags, long bounding, int timeoutMillis,
                int[] out, int outCap);

        static native int sb4j_landlock_abi();

        static native int sb4j_landlock_ruleset(long fs, long net);

        static native int sb4j_landlock_path(int rulesetFd, String path, long access);

        static native int sb4j_landlock_port(int rulesetFd, long port, long access);

        static native int sb4j_landlock_restrict_self(int rulesetFd, int flags);

        static native int sb4j_prlimit(int resource, long soft, long hard);

        static native int sb4j_preexisting(long[] out, int outCap, int tasks);

        static native int sb4j_thread_status(long[] out, int outCap);

        static native long sb4j_task_flags(int tid);

        static native long sb4j_seccomp_tsync(byte[] insns, int count, int extraFlags);
    }

    /** The spawn attributes every posix_spawn uses (read-only after setup, so shared by threads). */
    private static final class Attr {
        static final Memory ATTR = new Memory(NativeLayout.SIZEOF_SPAWNATTR);

        static {
            C.posix_spawnattr_init(ATTR);
            Memory empty = new Memory(NativeLayout.SIZEOF_SIGSET);
            Memory all = new Memory(NativeLayout.SIZEOF_SIGSET);
            C.sigemptyset(empty);
            C.sigfillset(all);
            C.posix_spawnattr_setsigmask(ATTR, empty);
            C.posix_spawnattr_setsigdefault(ATTR, all);
            C.posix_spawnattr_setflags(ATTR, (short) NativeLayout.SPAWN_FLAGS);
        }
    }

    private static final StringArray EMPTY_ENV = new StringArray(new String[0]);

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public void bindAll() {
        // C is bound as a whole; load what seccompTsync and statx use too.
        C.getpid();
        NativeLayout.seccompNr(Arch.current());
        try {
            Statx.class.getDeclaredFields();
            Statx.statx(-1, "", 0, 0, null);
        } catch (LinkageError e) {
            // no statx in this libc: OutsideFds reports it
        }
        new Memory(16).clear();
        NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("syscall");
    }

    @Override
    public int errno() {
        return Native.getLastError();
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        return C.pipe2(fds, flags);
    }

    @Override
    public int close(int fd) {
        return C.close(fd);
    }

    @Override
    public int dup(int fd) {
        return C.dup(fd);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return C.fcntl(fd, cmd, arg);
    }

    @Override
    public long read(int fd, byte[] buf, long count) {
        return C.read(fd, buf, count);
    }

    @Override
    public long write(int fd, byte[] buf, long count) {
        return C.write(fd, buf, count);
    }

    @Override
    public int poll(byte[] fds, long nfds, int timeoutMillis) {
        return C.poll(fds, nfds, timeoutMillis);
    }

    @Override
    public int kill(int pid, int sig) {
        return C.kill(pid, sig);
    }

    @Override
    public int waitpid(int pid, int[] status, int options) {
        return C.waitpid(pid, status, options);
    }

    @Override
    public int getpid() {
        return C.getpid();
    }

    @Override
    public int geteuid() {
        return C.geteuid();
    }

    @Override
    public int getegid() {
        return C.getegid();
    }

    @Override
    public int memfd_create(String name, int flags) {
        return C.memfd_create(name, flags);
    }

    @Override
    public @Nullable String strerror(int errnum) {
        Pointer p = C.strerror(errnum);
        return p == null ? null : p.getString(0);
    }

    @Override
    public int open(String path, int flags, int mode) {
        return C.open(path, flags, mode);
    }

    @Override
    public int mkdir(String path, int mode) {
        return C.mkdir(path, mode);
    }

    @Override
    public int rmdir(String path) {
        return C.rmdir(path);
    }

    @Override
    public int chown(String path, int uid, int gid) {
        return C.chown(path, uid, gid);
    }

    @Override
    public int socketpair(int domain, int type, int protocol, int[] sv) {
        return C.socketpair(domain, type, protocol, sv);
    }

    @Override
    public long syscall(long number, long... args) {
        Object[] a = new Object[args.length + 1];
        a[0] = number;
        for (int i = 0; i < args.length; i++) {
            a[i + 1] = args[i];
        }
        Function f = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("syscall");
        return f.invokeLong(a);
    }

    @Override
    public int posixSpawn(int[] pid, String path, SpawnActions actions, String[] argv, String[] envp) {
        Memory fa = new Memory(NativeLayout.SIZEOF_FILE_ACTIONS);
        int rc = C.posix_spawn_file_actions_init(fa);
        if (rc != 0) {
            return rc;
        }
        try {
            for (SpawnActions.Action a : actions.actions()) {
                rc = a.path() == null ? C.posix_spawn_file_actions_adddup2(fa, a.fd(), a.newFd())
                        : C.posix_spawn_file_actions_addopen(fa, a.newFd(), a.path(), a.flags(), a.mode());
                if (rc != 0) {
                    return rc;
                }
            }
            IntByReference ref = new IntByReference();
            rc = C.posix_spawn(ref, path, fa, Attr.ATTR, new StringArray(argv), envp.length == 0 ? EMPTY_ENV : new StringArray(envp));
            pid[0] = ref.getValue();
            return rc;
        } finally {
            C.posix_spawn_file_actions_destroy(fa);
        }
    }

    @Override
    public long sendWithFds(int sock, byte[] data, int[] fds, int flags) {
        Memory buf = new Memory(Math.max(1, data.length));
        buf.write(0, data, 0, data.length);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, data.length);
        Memory ctl = null;
        long space = 0;
        if (fds.length > 0) {
            space = NativeLayout.cmsgSpace(4L * fds.length);
            ctl = new Memory(space);
            byte[] c = NativeLayout.rightsHeader(fds);
            ctl.write(0, c, 0, c.length);
        }
        return C.sendmsg(sock, msghdr(iov, ctl, space), flags);
    }

    @Override
    public long recvWithFd(int sock, byte[] data, int[] fd, int flags) {
        Memory buf = new Memory(Math.max(1, data.length));
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, data.length);
        long space = NativeLayout.cmsgSpace(4);
        Memory ctl = new Memory(space);
        ctl.clear();
        Memory mh = msghdr(iov, ctl, space);
        long n = C.recvmsg(sock, mh, flags);
        fd[0] = mh.getLong(40) >= 20 && ctl.getInt(8) == NativeLayout.SOL_SOCKET && ctl.getInt(12) == NativeLayout.SCM_RIGHTS
                ? ctl.getInt(16) : -1;
        if (n > 0) {
            buf.read(0, data, 0, (int) Math.min(n, data.length));
        }
        return n;
    }

    private static Memory msghdr(Pointer iov, @Nullable Pointer ctl, long ctlLen) {
        Memory mh = new Memory(NativeLayout.SIZEOF_MSGHDR);
        mh.clear();
        mh.setPointer(16, iov); // msg_iov
        mh.setLong(24, 1); // msg_iovlen
        mh.setPointer(32, ctl); // msg_control
        mh.setLong(40, ctlLen); // msg_controllen
        return mh;
    }

    @Override
    public int chroot(String path) {
        return C.chroot(path);
    }

    @Override
    public int chdir(String path) {
        return C.chdir(path);
    }

    @Override
    public int clearGroups() {
        return C.setgroups(0, null);
    }

    @Override
    public int setresuid(int r, int e, int s) {
        return C.setresuid(r, e, s);
    }

    @Override
    public int setresgid(int r, int e, int s) {
        return C.setresgid(r, e, s);
    }

    @Override
    public int prctl(int option, long a2, long a3, long a4, long a5) {
        return C.prctl(option, a2, a3, a4, a5);
    }

    @Override
    public void signalDefault(int sig) {
        C.signal(sig, null);
    }

    @Override
    public void exitNow(int status) {
        C._exit(status);
    }

    @Override
    public int statx(int dirfd, String path, int flags, int mask, byte[] buf) {
        Memory m = new Memory(buf.length);
        m.clear();
        int rc = Statx.statx(dirfd, path, flags, mask, m);
        m.read(0, buf, 0, buf.length);
        return rc;
    }

    @Override
    public int openat(int dirfd, String path, int flags, int mode) {
        return C.openat(dirfd, path, flags, mode);
    }

    @Override
    public long seccompTsync(byte[] program, int extraFlags) {
        Memory insns = new Memory(program.length);
        insns.write(0, program, 0, program.length);
        Memory fprog = new Memory(16); // struct sock_fprog { u16 len; pad; struct sock_filter *filter; }
        fprog.clear();
        fprog.setShort(0, (short) (program.length / 8));
        fprog.setPointer(8, insns);
        Function f = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("syscall");
        long r = f.invokeLong(new Object[] {NativeLayout.seccompNr(Arch.current()), (long) NativeLayout.SECCOMP_SET_MODE_FILTER,
            (long) (NativeLayout.SECCOMP_FILTER_FLAG_TSYNC | extraFlags), fprog});
        return r < 0 ? -Native.getLastError() : r;
    }

    @Override
    public @Nullable Throwable sb4jLoadError() {
        return Sb4j.LOAD_ERROR;
    }

    @Override
    public int sb4jSignal() {
        return Sb4j.sb4j_signal();
    }

    @Override
    public int sb4jBroadcast(int actions, int rulesetFd, int landlockFlags, long bounding, int timeoutMillis, int[] out,
            int outCap) {
        return Sb4j.sb4j_broadcast(actions, rulesetFd, landlockFlags, bounding, timeoutMillis, out, outCap);
    }

    @Override
    public int sb4jLandlockAbi() {
        return Sb4j.sb4j_landlock_abi();
    }

    @Override
    public int sb4jLandlockRuleset(long fs, long net) {
        return Sb4j.sb4j_landlock_ruleset(fs, net);
    }

    @Override
    public int sb4jLandlockPath(int rulesetFd, String path, long access) {
        return Sb4j.sb4j_landlock_path(rulesetFd, path, access);
    }

    @Override
    public int sb4jLandlockPort(int rulesetFd, long port, long access) {
        return Sb4j.sb4j_landlock_port(rulesetFd, port, access);
    }

    @Override
    public int sb4jLandlockRestrictSelf(int rulesetFd, int flags) {
        return Sb4j.sb4j_landlock_restrict_self(rulesetFd, flags);
    }

    @Override
    public int sb4jPrlimit(int resource, long soft, long hard) {
        return Sb4j.sb4j_prlimit(resource, soft, hard);
    }

    @Override
    public int sb4jPreexisting(long[] out, int outCap, int tasks) {
        return Sb4j.sb4j_preexisting(out, outCap, tasks);
    }

    @Override
    public int sb4jThreadStatus(long[] out, int outCap) {
        return Sb4j.sb4j_thread_status(out, outCap);
    }

    @Override
    public long sb4jTaskFlags(int tid) {
        return Sb4j.sb4j_task_flags(tid);
    }

    @Override
    public long sb4jSeccompTsync(byte[] program, int extraFlags) {
        return Sb4j.sb4j_seccomp_tsync(program, program.length / 8, extraFlags);
    }
}
