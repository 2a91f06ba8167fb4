package org.sandbox4j.internal;

import org.jspecify.annotations.Nullable;

/**
 * Every native call sandbox4j makes from Java, in one interface: libc (files, pipes, processes,
 * signals, ids, chroot, prctl, seccomp) and libsandbox4j.so (the lockdown's per-thread broadcast,
 * Landlock, /proc walks). Two implementations: {@link JnaCalls} (JNA direct mapping, JDK 17 to 21) and,
 * in the multi-release jar's {@code META-INF/versions/22}, {@code FfmCalls} (java.lang.foreign), which
 * loads no JNA class and extracts no native library. {@link #get()} chooses once per JVM.
 *
 * <p>Calls return what the C function returns (-1 with errno set, unless said otherwise); read errno
 * with {@link #errno()} right after the call, on the same thread. The {@code sb4j*} calls return a
 * negative errno instead. Callers use the static facades {@link LibC} and {@link LockdownNative}.
 */
public interface NativeCalls {
    /** The implementation of this JVM: FFM on JDK 22+ when its classes are there, otherwise JNA. */
    static NativeCalls get() {
        return NativeChoice.INSTANCE;
    }

    /** "ffm" or "jna": which implementation {@link #get()} returns. */
    String name();

    /** Binds every libc call now (see {@link LibC#bindAll()}). */
    void bindAll();

    /** errno after this thread's last call through this interface. */
    int errno();

    int pipe2(int[] fds, int flags);

    int close(int fd);

    int dup(int fd);

    int fcntl(int fd, int cmd, int arg);

    long read(int fd, byte[] buf, long count);

    long write(int fd, byte[] buf, long count);

    /** {@code fds}: struct pollfd entries (8 bytes each, native order); revents are written back. */
    int poll(byte[] fds, long nfds, int timeoutMillis);

    int kill(int pid, int sig);

    int waitpid(int pid, int[] status, int options);

    int getpid();

    int geteuid();

    int getegid();

    int memfd_create(String name, int flags);

    /** strerror(3), or null. */
    @Nullable String strerror(int errnum);

    int open(String path, int flags, int mode);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int chown(String path, int uid, int gid);

    int socketpair(int domain, int type, int protocol, int[] sv);

    /** syscall(2) with up to six integer arguments. */
    long syscall(long number, long... args);

    /**
     * posix_spawn(3) of {@code path} with the file actions in {@code actions}, signal mask empty and
     * every signal at its default (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF). Returns 0 and the
     * pid in {@code pid[0]}, or an errno value.
     */
    int posixSpawn(int[] pid, String path, SpawnActions actions, String[] argv, String[] envp);

    /** sendmsg(2) of {@code data} with {@code fds} as SCM_RIGHTS (none when empty). */
    long sendWithFds(int sock, byte[] data, int[] fds, int flags);

    /**
     * recvmsg(2) into {@code buf} with room for one SCM_RIGHTS descriptor, which lands in
     * {@code fd[0]} (-1 when none came).
     */
    long recvWithFd(int sock, byte[] buf, int[] fd, int flags);

    int chroot(String path);

    int chdir(String path);

    /** setgroups(0, NULL). */
    int clearGroups();

    int setresuid(int r, int e, int s);

    int setresgid(int r, int e, int s);

    int prctl(int option, long a2, long a3, long a4, long a5);

    /** signal(sig, SIG_DFL). */
    void signalDefault(int sig);

    /** _exit(2): ends the process at once, no JVM teardown. */
    void exitNow(int status);

    /** statx(2) into {@code buf} (at least 256 bytes). */
    int statx(int dirfd, String path, int flags, int mask, byte[] buf);

    int openat(int dirfd, String path, int flags, int mode);

    /**
     * seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC | extraFlags) of a classic-BPF
     * program (8 bytes per instruction): 0, the id of a thread that could not be synchronised (> 0,
     * nothing installed), or -errno. {@link #sb4jSeccompTsync} is the same call made by libsandbox4j.so.
     */
    long seccompTsync(byte[] program, int extraFlags);

    // libsandbox4j.so (sandbox-native/src/lib/lockdown.c); see LockdownNative.

    /** Null when libsandbox4j.so is loaded, else why it is not. */
    @Nullable Throwable sb4jLoadError();

    int sb4jSignal();

    int sb4jBroadcast(int actions, int rulesetFd, int landlockFlags, long bounding, int timeoutMillis, int[] out, int outCap);

    int sb4jLandlockAbi();

    int sb4jLandlockRuleset(long fs, long net);

    int sb4jLandlockPath(int rulesetFd, String path, long access);

    int sb4jLandlockPort(int rulesetFd, long port, long access);

    int sb4jLandlockRestrictSelf(int rulesetFd, int flags);

    int sb4jPrlimit(int resource, long soft, long hard);

    int sb4jPreexisting(long[] out, int outCap, int tasks);

    int sb4jThreadStatus(long[] out, int outCap);

    long sb4jTaskFlags(int tid);

    /** sb4j_seccomp_tsync: {@link #seccompTsync} through libsandbox4j.so, which builds the sock_fprog itself. */
    long sb4jSeccompTsync(byte[] program, int extraFlags);
}
