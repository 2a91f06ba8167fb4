package org.sandbox4j.internal;

/**
 * The libc functions sandbox4j calls, as static methods over {@link NativeCalls#get()} (JNA on JDK 17
 * to 21, FFM on 22+), and the constants they take. Every function returns -1 and sets errno on
 * failure unless said otherwise; read errno with {@link #errno()} right after the call.
 */
public final class LibC {
    private LibC() {}

    private static final NativeCalls N = NativeCalls.get();

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int F_ADD_SEALS = 1033;
    public static final int F_SEAL_SEAL = 1;
    public static final int F_SEAL_SHRINK = 2;
    public static final int F_SEAL_GROW = 4;
    public static final int F_SEAL_WRITE = 8;

    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_ALLOW_SEALING = 2;
    public static final int MFD_EXEC = 0x10;

    public static final int POLLIN = 0x1;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGSTOP = 19;
    /**
     * The launcher's "end the jail" request (jail.h SIG_END_JAIL): it kills the jail's pid 1 (and,
     * with a shared pid namespace, every descendant), reaps it and ends as it did.
     */
    public static final int SIG_END_JAIL = 14; // SIGALRM
    public static final int WNOHANG = 1;

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ECHILD = 10;

    /**
     * Binds every call now and loads what the calls use, for code about to lose its file system (an
     * in-process chroot: a class path directory may not be reachable after it).
     */
    public static void bindAll() {
        N.bindAll();
    }

    /** errno after this thread's last call. */
    public static int errno() {
        return N.errno();
    }

    public static int pipe2(int[] fds, int flags) {
        return N.pipe2(fds, flags);
    }

    public static int close(int fd) {
        return N.close(fd);
    }

    public static int dup(int fd) {
        return N.dup(fd);
    }

    public static int fcntl(int fd, int cmd, int arg) {
        return N.fcntl(fd, cmd, arg);
    }

    public static long read(int fd, byte[] buf, long count) {
        return N.read(fd, buf, count);
    }

    public static long write(int fd, byte[] buf, long count) {
        return N.write(fd, buf, count);
    }

    public static int poll(byte[] fds, long nfds, int timeoutMillis) {
        return N.poll(fds, nfds, timeoutMillis);
    }

    public static int kill(int pid, int sig) {
        return N.kill(pid, sig);
    }

    public static int waitpid(int pid, int[] status, int options) {
        return N.waitpid(pid, status, options);
    }

    public static int getpid() {
        return N.getpid();
    }

    public static int geteuid() {
        return N.geteuid();
    }

    public static int getegid() {
        return N.getegid();
    }

    public static int memfd_create(String name, int flags) {
        return N.memfd_create(name, flags);
    }

    /** See {@link NativeCalls#posixSpawn}: 0 and the pid in {@code pid[0]}, or an errno value. */
    public static int posix_spawn(int[] pid, String path, SpawnActions actions, String[] argv, String[] envp) {
        return N.posixSpawn(pid, path, actions, argv, envp);
    }

    public static int socketpair(int domain, int type, int protocol, int[] sv) {
        return N.socketpair(domain, type, protocol, sv);
    }

    /** sendmsg(2) of {@code data} with {@code fds} passed as SCM_RIGHTS (none when empty). */
    public static long sendWithFds(int fd, byte[] data, int[] fds, int flags) {
        return N.sendWithFds(fd, data, fds, flags);
    }

    /** recvmsg(2) into {@code buf}; one passed descriptor lands in {@code fd[0]}, -1 when none. */
    public static long recvWithFd(int fd, byte[] buf, int[] passed, int flags) {
        return N.recvWithFd(fd, buf, passed, flags);
    }

    public static int open(String path, int flags, int mode) {
        return N.open(path, flags, mode);
    }

    public static int mkdir(String path, int mode) {
        return N.mkdir(path, mode);
    }

    public static int rmdir(String path) {
        return N.rmdir(path);
    }

    public static int chown(String path, int uid, int gid) {
        return N.chown(path, uid, gid);
    }

    /** syscall(2) with up to six integer arguments. */
    public static long syscall(long number, long... args) {
        return N.syscall(number, args);
    }

    /** pidfd_open(pid, flags). */
    public static int pidfdOpen(int pid, int flags) {
        return (int) N.syscall(SYS_PIDFD_OPEN, pid, flags);
    }

    /** pidfd_send_signal(pidfd, sig, NULL, 0). */
    public static int pidfdSendSignal(int pidfd, int sig) {
        return (int) N.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0);
    }

    public static final int AF_UNIX = 1;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    public static final int SOL_SOCKET = NativeLayout.SOL_SOCKET;
    public static final int SCM_RIGHTS = NativeLayout.SCM_RIGHTS;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int EPIPE = 32;
    public static final int ECONNRESET = 104;
    public static final int ESRCH = 3;
    /** The same number on x86_64 and aarch64 (the unified syscall table from 424 on). */
    public static final long SYS_PIDFD_SEND_SIGNAL = 424;
    /** pidfd_open(pid, flags), the same number on x86_64 and aarch64. */
    public static final long SYS_PIDFD_OPEN = 434;

    public static final int PR_SET_NO_NEW_PRIVS = 38;

    public static int chroot(String path) {
        return N.chroot(path);
    }

    public static int chdir(String path) {
        return N.chdir(path);
    }

    /** setgroups(0, NULL). */
    public static int clearGroups() {
        return N.clearGroups();
    }

    public static int setresuid(int r, int e, int s) {
        return N.setresuid(r, e, s);
    }

    public static int setresgid(int r, int e, int s) {
        return N.setresgid(r, e, s);
    }

    public static int prctl(int option, long a2, long a3, long a4, long a5) {
        return N.prctl(option, a2, a3, a4, a5);
    }

    /** prctl(PR_SET_NO_NEW_PRIVS, 1) for this thread: 0 or -1 with errno. */
    public static int noNewPrivs() {
        return N.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    }

    /** signal(sig, SIG_DFL). */
    public static void signalDefault(int sig) {
        N.signalDefault(sig);
    }

    /** _exit(2): ends the process at once with {@code status}, no JVM teardown, no shutdown hooks. */
    public static void exitNow(int status) {
        N.exitNow(status);
    }

    /** statx(2) into {@code buf} (256 bytes). */
    public static int statx(int dirfd, String path, int flags, int mask, byte[] buf) {
        return N.statx(dirfd, path, flags, mask, buf);
    }

    public static int openat(int dirfd, String path, int flags, int mode) {
        return N.openat(dirfd, path, flags, mode);
    }

    /**
     * Installs a classic-BPF program (8 bytes per instruction) with SECCOMP_FILTER_FLAG_TSYNC (and
     * {@code extraFlags}): every thread of the process gets it atomically, or none does. Returns 0,
     * -errno, or the id of a thread that could not be synchronised (positive). The in-process
     * chroot's; the lockdown uses {@link LockdownNative#sb4j_seccomp_tsync}, the same call made by
     * libsandbox4j.so.
     */
    public static long seccompTsync(byte[] program, int extraFlags) {
        return N.seccompTsync(program, extraFlags);
    }

    public static final int CLONE_NEWUSER = 0x10000000;

    /** The message libc has for an errno value. */
    public static String strerrorText(int errno) {
        String s = N.strerror(errno);
        return s == null ? "errno " + errno : s;
    }
}
