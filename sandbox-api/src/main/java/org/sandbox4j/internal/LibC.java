package org.sandbox4j.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The libc functions sandbox4j calls, bound with JNA direct mapping (the fastest JNA path: no
 * proxy, no reflection per call). Every function returns -1 and sets errno on failure unless said
 * otherwise; read errno with {@link Native#getLastError()} right after the call.
 */
public final class LibC {
    private LibC() {}

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

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

    public static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final int POSIX_SPAWN_SETSIGMASK = 0x08;

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

    // Opaque glibc types, allocated generously (glibc x86_64/aarch64: 80, 336 and 128 bytes).
    public static final int SIZEOF_FILE_ACTIONS = 256;
    public static final int SIZEOF_SPAWNATTR = 512;
    public static final int SIZEOF_SIGSET = 128;

    public static native int pipe2(int[] fds, int flags);

    public static native int close(int fd);

    public static native int dup(int fd);

    public static native int fcntl(int fd, int cmd, int arg);

    public static native long read(int fd, byte[] buf, long count);

    public static native long write(int fd, byte[] buf, long count);

    public static native int poll(byte[] fds, long nfds, int timeoutMillis);

    public static native int kill(int pid, int sig);

    public static native int waitpid(int pid, int[] status, int options);

    public static native int getpid();

    public static native int geteuid();

    public static native int getegid();

    public static native int memfd_create(String name, int flags);

    public static native Pointer strerror(int errnum);

    public static native int posix_spawn(
            IntByReference pid, String path, Pointer fileActions, Pointer attr, StringArray argv,
            StringArray envp);

    public static native int posix_spawn_file_actions_init(Pointer fileActions);

    public static native int posix_spawn_file_actions_destroy(Pointer fileActions);

    public static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

    public static native int posix_spawn_file_actions_addopen(
            Pointer fileActions, int fd, String path, int oflag, int mode);

    public static native int posix_spawnattr_init(Pointer attr);

    public static native int posix_spawnattr_destroy(Pointer attr);

    public static native int posix_spawnattr_setflags(Pointer attr, short flags);

    public static native int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    public static native int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    public static native int sigemptyset(Pointer set);

    public static native int sigfillset(Pointer set);

    public static native int execve(String path, StringArray argv, StringArray envp);

    public static native long ptrace(long request, int pid, Pointer addr, Pointer data);

    public static native int unshare(int flags);

    public static native int sigaddset(Pointer set, int signo);

    public static native int socketpair(int domain, int type, int protocol, int[] sv);

    public static native long sendmsg(int fd, Pointer msg, int flags);

    public static native long recvmsg(int fd, Pointer msg, int flags);

    public static native int open(String path, int flags, int mode);

    public static native int mkdir(String path, int mode);

    public static native int rmdir(String path);

    public static native int chown(String path, int uid, int gid);

    /** syscall(2) with four arguments, for pidfd_send_signal(pidfd, sig, NULL, 0). */
    public static native long syscall(long number, int a, int b, Pointer c, int d);

    public static final int AF_UNIX = 1;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
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

    public static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    public static final int SIG_BLOCK = 0;
    public static final long PTRACE_ATTACH = 16;
    public static final int CLONE_NEWUSER = 0x10000000;

    /** The message libc has for an errno value. */
    public static String strerrorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }
}
