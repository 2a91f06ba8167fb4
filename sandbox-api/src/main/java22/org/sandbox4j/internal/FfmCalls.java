package org.sandbox4j.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/**
 * {@link NativeCalls} through the FFM API (java.lang.foreign, final in JDK 22): the implementation
 * on JDK 22+. No JNA class is loaded and nothing is written to disk: libc comes from the linker's
 * default lookup, libsandbox4j.so from a sealed memfd of the jar's bytes. errno is captured by the
 * linker right after each call into a per-thread segment ({@code captureCallState}). Handles are
 * made on first use, in groups, so that a JVM that only starts jails links only what that needs.
 * Lives in the multi-release jar's {@code META-INF/versions/22}; compiled with {@code --release 22}.
 */
final class FfmCalls implements NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static MemorySegment st() {
        return STATE.get();
    }

    /** A per-thread native buffer for read, write and poll (no arena, no zeroing per call); grows. */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private static MemorySegment scratch(long size) {
        MemorySegment[] holder = SCRATCH.get();
        MemorySegment s = holder[0];
        if (s == null || s.byteSize() < size) {
            s = Arena.ofAuto().allocate(Math.max(size, 256), 16);
            holder[0] = s;
        }
        return s;
    }

    private static MethodHandle libc(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] opts = new Linker.Option[more.length + 1];
        opts[0] = ERRNO;
        System.arraycopy(more, 0, opts, 1, more.length);
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(sym, fd, opts);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /**
     * One downcall for every plain system call: {@code long syscall(long nr, long a1..a6)}. Each
     * distinct downcall shape costs the JVM a generated stub on first use (milliseconds in a cold
     * JVM), so calls that are system calls go through this one shape; pointers pass as addresses.
     */
    private static final class Sys {
        static final MethodHandle SYSCALL = libc("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
        static final boolean ARM = Arch.current() == Arch.AARCH64;
        // Numbers: x86_64 (arch/x86/entry/syscalls/syscall_64.tbl), aarch64 (asm-generic/unistd.h).
        static final long READ = ARM ? 63 : 0;
        static final long WRITE = ARM ? 64 : 1;
        static final long CLOSE = ARM ? 57 : 3;
        static final long DUP = ARM ? 23 : 32;
        static final long FCNTL = ARM ? 25 : 72;
        static final long PPOLL = ARM ? 73 : 271;
        static final long KILL = ARM ? 129 : 62;
        static final long WAIT4 = ARM ? 260 : 61;
        static final long GETPID = ARM ? 172 : 39;
        static final long GETEUID = ARM ? 175 : 107;
        static final long GETEGID = ARM ? 177 : 108;
        static final long MEMFD_CREATE = ARM ? 279 : 319;
        static final long OPENAT = ARM ? 56 : 257;
        static final long MKDIRAT = ARM ? 34 : 258;
        static final long UNLINKAT = ARM ? 35 : 263;
        static final long FCHOWNAT = ARM ? 54 : 260;
        static final long SOCKETPAIR = ARM ? 199 : 53;
        static final long SENDMSG = ARM ? 211 : 46;
        static final long RECVMSG = ARM ? 212 : 47;
        static final long CHROOT = ARM ? 51 : 161;
        static final long CHDIR = ARM ? 49 : 80;
        static final long PRCTL = ARM ? 167 : 157;
        static final long STATX = ARM ? 291 : 332;
        static final long PIPE2 = ARM ? 59 : 293;
        static final long EXIT_GROUP = ARM ? 94 : 231;
        static final long AT_FDCWD = -100;
        static final long AT_REMOVEDIR = 0x200;
    }

    private static long sys(long nr, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) Sys.SYSCALL.invokeExact(st(), nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long sys(long nr, long a, long b, long c) {
        return sys(nr, a, b, c, 0, 0, 0);
    }

    /**
     * libc functions that are not plain system calls, and libsandbox4j.so's, all through one
     * downcall shape, {@code long f(long x 7)}, with errno captured: every such function here takes
     * at most seven integer or pointer arguments and returns an integer or a pointer. On the two
     * ABIs sandbox4j supports (x86_64 System V, AArch64 AAPCS64) such arguments travel in integer
     * registers (x86_64's seventh in an 8-byte stack slot the caller owns and removes), so a callee
     * reads the ones it declares (an int or short from the low bits) and ignores the rest; an int
     * result is the low 32 bits of the returned register (the callers cast). One shape means one generated stub for all of them
     * instead of one per signature, which is most of FFM's first-use cost in a cold JVM.
     */
    private static final class Libc {
        static final MethodHandle C7 = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), ERRNO);
        static final MemorySegment POSIX_SPAWN = sym("posix_spawn");
        static final MemorySegment FA_INIT = sym("posix_spawn_file_actions_init");
        static final MemorySegment FA_DESTROY = sym("posix_spawn_file_actions_destroy");
        static final MemorySegment FA_DUP2 = sym("posix_spawn_file_actions_adddup2");
        static final MemorySegment FA_OPEN = sym("posix_spawn_file_actions_addopen");
        static final MemorySegment ATTR = attr();

        private static MemorySegment sym(String name) {
            return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        }

        /** The spawn attributes every posix_spawn uses, prepared once (read-only afterwards, shared by threads). */
        private static MemorySegment attr() {
            Arena a = Arena.global();
            MemorySegment attr = a.allocate(NativeLayout.SIZEOF_SPAWNATTR, 16);
            MemorySegment empty = a.allocate(NativeLayout.SIZEOF_SIGSET, 16);
            MemorySegment all = a.allocate(NativeLayout.SIZEOF_SIGSET, 16);
            check(call(sym("posix_spawnattr_init"), attr.address()), "posix_spawnattr_init");
            check(call(sym("sigemptyset"), empty.address()), "sigemptyset");
            check(call(sym("sigfillset"), all.address()), "sigfillset");
            check(call(sym("posix_spawnattr_setsigmask"), attr.address(), empty.address()), "posix_spawnattr_setsigmask");
            check(call(sym("posix_spawnattr_setsigdefault"), attr.address(), all.address()), "posix_spawnattr_setsigdefault");
            check(call(sym("posix_spawnattr_setflags"), attr.address(), NativeLayout.SPAWN_FLAGS), "posix_spawnattr_setflags");
            return attr;
        }

        private static void check(long rc, String what) {
            if ((int) rc != 0) {
                throw new IllegalStateException(what + " failed: " + (int) rc);
            }
        }
    }

    /** glibc's set*id wrappers apply the change to every thread (a raw system call would not). */
    private static final class SetXid {
        static final MemorySegment SETGROUPS = Libc.sym("setgroups");
        static final MemorySegment SETRESUID = Libc.sym("setresuid");
        static final MemorySegment SETRESGID = Libc.sym("setresgid");
        static final MemorySegment STRERROR = Libc.sym("strerror");
        static final MemorySegment SIGNAL = Libc.sym("signal");
    }

    private static long call(MemorySegment fn, long a, long b, long c, long d, long e, long f, long g) {
        try {
            return (long) Libc.C7.invokeExact(fn, st(), a, b, c, d, e, f, g);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long call(MemorySegment fn, long a, long b, long c, long d, long e, long f) {
        return call(fn, a, b, c, d, e, f, 0);
    }

    private static long call(MemorySegment fn, long a) {
        return call(fn, a, 0, 0, 0, 0, 0);
    }

    private static long call(MemorySegment fn, long a, long b) {
        return call(fn, a, b, 0, 0, 0, 0);
    }

    /** libsandbox4j.so, from a memfd of the jar's copy; loaded on first use. */
    private static final class Sb4j {
        static final @Nullable Throwable LOAD_ERROR;
        static final @Nullable SymbolLookup LIB;

        static {
            SymbolLookup lib = null;
            Throwable err = null;
            try {
                lib = load();
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                err = e;
            }
            LIB = lib;
            LOAD_ERROR = err;
        }

        private static SymbolLookup load() throws IOException {
            String resource = Arch.current().resourcePrefix() + "/libsandbox4j.so";
            byte[] bytes;
            try (InputStream in = FfmCalls.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new UnsatisfiedLinkError(resource + " is not on the class path");
                }
                bytes = in.readAllBytes();
            }
            int flags = LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING;
            int fd = LibC.memfd_create("libsandbox4j.so", flags | LibC.MFD_EXEC); // mappable PROT_EXEC
            if (fd < 0 && LibC.errno() == 22) { // EINVAL: a kernel before 6.3, where every memfd is
                fd = LibC.memfd_create("libsandbox4j.so", flags);
            }
            if (fd < 0) {
                throw new IOException("memfd_create for libsandbox4j.so: " + LibC.strerrorText(LibC.errno()));
            }
            try {
                for (int off = 0; off < bytes.length; ) {
                    byte[] chunk = java.util.Arrays.copyOfRange(bytes, off, bytes.length);
                    long n = LibC.write(fd, chunk, chunk.length);
                    if (n <= 0) {
                        throw new IOException("writing libsandbox4j.so to its memfd: " + LibC.strerrorText(LibC.errno()));
                    }
                    off += (int) n;
                }
                LibC.fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE | LibC.F_SEAL_SEAL);
                // dlopen maps it; the mapping outlives the descriptor.
                // By name, not Path: a Path is made canonical first, which turns /proc/self/fd/N into memfd:...
                return SymbolLookup.libraryLookup("/proc/self/fd/" + fd, Arena.global());
            } finally {
                LibC.close(fd);
            }
        }

        private static MemorySegment fn(String name) {
            if (LIB == null) {
                throw new IllegalStateException("libsandbox4j.so is not loaded", LOAD_ERROR);
            }
            return LIB.find(name).orElseThrow(() -> new NoSuchElementException("libsandbox4j.so has no " + name));
        }
    }

    /** The libsandbox4j.so functions (lockdown.c), called through {@link Libc#C7}. */
    private static final class Sb4jFns {
        static final MemorySegment SIGNAL = Sb4j.fn("sb4j_signal");
        static final MemorySegment BROADCAST = Sb4j.fn("sb4j_broadcast");
        static final MemorySegment ABI = Sb4j.fn("sb4j_landlock_abi");
        static final MemorySegment RULESET = Sb4j.fn("sb4j_landlock_ruleset");
        static final MemorySegment PATH = Sb4j.fn("sb4j_landlock_path");
        static final MemorySegment PORT = Sb4j.fn("sb4j_landlock_port");
        static final MemorySegment RESTRICT = Sb4j.fn("sb4j_landlock_restrict_self");
        static final MemorySegment PRLIMIT = Sb4j.fn("sb4j_prlimit");
        static final MemorySegment PREEXISTING = Sb4j.fn("sb4j_preexisting");
        static final MemorySegment THREAD_STATUS = Sb4j.fn("sb4j_thread_status");
        static final MemorySegment TASK_FLAGS = Sb4j.fn("sb4j_task_flags");
        static final MemorySegment SECCOMP = Sb4j.fn("sb4j_seccomp_tsync");
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public void bindAll() {
        sys(Sys.GETPID, 0, 0, 0);
        MemorySegment[] all = {SetXid.SETGROUPS, SetXid.SETRESUID, SetXid.SETRESGID, SetXid.STRERROR, Libc.POSIX_SPAWN};
        call(SetXid.STRERROR, 0);
        NativeLayout.seccompNr(Arch.current());
        try (Arena a = Arena.ofConfined()) {
            a.allocateFrom("/");
            msghdr(a, a.allocate(1), null);
        }
        errno();
    }

    @Override
    public int errno() {
        return st().get(JAVA_INT, ERRNO_OFFSET);
    }

    private static MemorySegment bytes(Arena a, byte[] b, long count) {
        MemorySegment s = a.allocate(Math.max(1, count));
        MemorySegment.copy(b, 0, s, JAVA_BYTE, 0, (int) Math.min(count, b.length));
        return s;
    }

    private static MemorySegment strings(Arena a, String[] v) {
        MemorySegment arr = a.allocate(ADDRESS, v.length + 1L);
        for (int i = 0; i < v.length; i++) {
            arr.setAtIndex(ADDRESS, i, a.allocateFrom(v[i]));
        }
        arr.setAtIndex(ADDRESS, v.length, MemorySegment.NULL);
        return arr;
    }

    private static long str(Arena a, String s) {
        return a.allocateFrom(s).address();
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_INT, 2);
            int rc = (int) sys(Sys.PIPE2, s.address(), flags, 0);
            fds[0] = s.getAtIndex(JAVA_INT, 0);
            fds[1] = s.getAtIndex(JAVA_INT, 1);
            return rc;
        }
    }

    @Override
    public int close(int fd) {
        return (int) sys(Sys.CLOSE, fd, 0, 0);
    }

    @Override
    public int dup(int fd) {
        return (int) sys(Sys.DUP, fd, 0, 0);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return (int) sys(Sys.FCNTL, fd, cmd, arg);
    }

    @Override
    public long read(int fd, byte[] buf, long count) {
        MemorySegment s = scratch(Math.max(1, count));
        long n = sys(Sys.READ, fd, s.address(), count);
        if (n > 0) {
            MemorySegment.copy(s, JAVA_BYTE, 0, buf, 0, (int) n);
        }
        return n;
    }

    @Override
    public long write(int fd, byte[] buf, long count) {
        MemorySegment s = scratch(Math.max(1, count));
        MemorySegment.copy(buf, 0, s, JAVA_BYTE, 0, (int) Math.min(count, buf.length));
        return sys(Sys.WRITE, fd, s.address(), count);
    }

    @Override
    public int poll(byte[] fds, long nfds, int timeoutMillis) {
        MemorySegment s = scratch(16L + fds.length); // struct timespec, then the pollfds
        long ts = 0; // NULL: no timeout
        if (timeoutMillis >= 0) {
            s.set(JAVA_LONG, 0, timeoutMillis / 1000);
            s.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1_000_000L);
            ts = s.address();
        }
        MemorySegment.copy(fds, 0, s, JAVA_BYTE, 16, fds.length);
        int rc = (int) sys(Sys.PPOLL, s.address() + 16, nfds, ts, 0, 8, 0);
        MemorySegment.copy(s, JAVA_BYTE, 16, fds, 0, fds.length);
        return rc;
    }

    @Override
    public int kill(int pid, int sig) {
        return (int) sys(Sys.KILL, pid, sig, 0);
    }

    @Override
    public int waitpid(int pid, int[] status, int options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_INT);
            int rc = (int) sys(Sys.WAIT4, pid, s.address(), options);
            if (status.length > 0) {
                status[0] = s.get(JAVA_INT, 0);
            }
            return rc;
        }
    }

    @Override
    public int getpid() {
        return (int) sys(Sys.GETPID, 0, 0, 0);
    }

    @Override
    public int geteuid() {
        return (int) sys(Sys.GETEUID, 0, 0, 0);
    }

    @Override
    public int getegid() {
        return (int) sys(Sys.GETEGID, 0, 0, 0);
    }

    @Override
    public int memfd_create(String name, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.MEMFD_CREATE, str(a, name), flags, 0);
        }
    }

    @Override
    public @Nullable String strerror(int errnum) {
        long p = call(SetXid.STRERROR, errnum);
        return p == 0 ? null : MemorySegment.ofAddress(p).reinterpret(4096).getString(0);
    }

    @Override
    public int open(String path, int flags, int mode) {
        return openat((int) Sys.AT_FDCWD, path, flags, mode);
    }

    @Override
    public int mkdir(String path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.MKDIRAT, Sys.AT_FDCWD, str(a, path), mode);
        }
    }

    @Override
    public int rmdir(String path) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.UNLINKAT, Sys.AT_FDCWD, str(a, path), Sys.AT_REMOVEDIR);
        }
    }

    @Override
    public int chown(String path, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.FCHOWNAT, Sys.AT_FDCWD, str(a, path), uid, gid, 0, 0);
        }
    }

    @Override
    public int socketpair(int domain, int type, int protocol, int[] sv) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_INT, 2);
            int rc = (int) sys(Sys.SOCKETPAIR, domain, type, protocol, s.address(), 0, 0);
            sv[0] = s.getAtIndex(JAVA_INT, 0);
            sv[1] = s.getAtIndex(JAVA_INT, 1);
            return rc;
        }
    }

    @Override
    public long syscall(long number, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("syscall takes at most six arguments");
        }
        long[] v = java.util.Arrays.copyOf(args, 6);
        return sys(number, v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    @Override
    public int posixSpawn(int[] pid, String path, SpawnActions actions, String[] argv, String[] envp) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fa = a.allocate(NativeLayout.SIZEOF_FILE_ACTIONS, 16);
            int rc = (int) call(Libc.FA_INIT, fa.address());
            if (rc != 0) {
                return rc;
            }
            try {
                for (SpawnActions.Action x : actions.actions()) {
                    String p = x.path();
                    rc = p == null ? (int) call(Libc.FA_DUP2, fa.address(), x.fd(), x.newFd(), 0, 0, 0)
                            : (int) call(Libc.FA_OPEN, fa.address(), x.newFd(), str(a, p), x.flags(), x.mode(), 0);
                    if (rc != 0) {
                        return rc;
                    }
                }
                MemorySegment pidOut = a.allocate(JAVA_INT);
                rc = (int) call(Libc.POSIX_SPAWN, pidOut.address(), str(a, path), fa.address(), Libc.ATTR.address(),
                        strings(a, argv).address(), strings(a, envp).address());
                pid[0] = pidOut.get(JAVA_INT, 0);
                return rc;
            } finally {
                call(Libc.FA_DESTROY, fa.address());
            }
        }
    }

    /** struct msghdr with one iovec over {@code data} and {@code ctl} as its control buffer. */
    private static MemorySegment msghdr(Arena a, MemorySegment data, @Nullable MemorySegment ctl) {
        MemorySegment iov = a.allocate(16, 8);
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, data.byteSize());
        MemorySegment mh = a.allocate(NativeLayout.SIZEOF_MSGHDR, 8);
        mh.set(ADDRESS, 16, iov); // msg_iov
        mh.set(JAVA_LONG, 24, 1); // msg_iovlen
        mh.set(ADDRESS, 32, ctl == null ? MemorySegment.NULL : ctl); // msg_control
        mh.set(JAVA_LONG, 40, ctl == null ? 0 : ctl.byteSize()); // msg_controllen
        return mh;
    }

    @Override
    public long sendWithFds(int sock, byte[] data, int[] fds, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctl = null;
            if (fds.length > 0) {
                byte[] c = NativeLayout.rightsHeader(fds);
                ctl = bytes(a, c, c.length);
            }
            MemorySegment d = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, d, JAVA_BYTE, 0, data.length);
            MemorySegment mh = msghdr(a, d.asSlice(0, data.length), ctl);
            return sys(Sys.SENDMSG, sock, mh.address(), flags);
        }
    }

    @Override
    public long recvWithFd(int sock, byte[] buf, int[] fd, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment d = a.allocate(Math.max(1, buf.length));
            MemorySegment ctl = a.allocate(NativeLayout.cmsgSpace(4), 8);
            MemorySegment mh = msghdr(a, d.asSlice(0, buf.length), ctl);
            long n = sys(Sys.RECVMSG, sock, mh.address(), flags);
            fd[0] = mh.get(JAVA_LONG, 40) >= 20 && ctl.get(JAVA_INT, 8) == NativeLayout.SOL_SOCKET
                    && ctl.get(JAVA_INT, 12) == NativeLayout.SCM_RIGHTS ? ctl.get(JAVA_INT, 16) : -1;
            if (n > 0) {
                MemorySegment.copy(d, JAVA_BYTE, 0, buf, 0, (int) Math.min(n, buf.length));
            }
            return n;
        }
    }

    @Override
    public int chroot(String path) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.CHROOT, str(a, path), 0, 0);
        }
    }

    @Override
    public int chdir(String path) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.CHDIR, str(a, path), 0, 0);
        }
    }

    @Override
    public int clearGroups() {
        return (int) call(SetXid.SETGROUPS, 0, 0);
    }

    @Override
    public int setresuid(int r, int e, int s) {
        return (int) call(SetXid.SETRESUID, r, e, s, 0, 0, 0);
    }

    @Override
    public int setresgid(int r, int e, int s) {
        return (int) call(SetXid.SETRESGID, r, e, s, 0, 0, 0);
    }

    @Override
    public int prctl(int option, long a2, long a3, long a4, long a5) {
        return (int) sys(Sys.PRCTL, option, a2, a3, a4, a5, 0);
    }

    @Override
    public void signalDefault(int sig) {
        call(SetXid.SIGNAL, sig, 0); // SIG_DFL is 0
    }

    @Override
    public void exitNow(int status) {
        sys(Sys.EXIT_GROUP, status, 0, 0);
    }

    @Override
    public int statx(int dirfd, String path, int flags, int mask, byte[] buf) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(buf.length, 8);
            int rc = (int) sys(Sys.STATX, dirfd, str(a, path), flags, mask, s.address(), 0);
            MemorySegment.copy(s, JAVA_BYTE, 0, buf, 0, buf.length);
            return rc;
        }
    }

    @Override
    public int openat(int dirfd, String path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(Sys.OPENAT, dirfd, str(a, path), flags, mode, 0, 0);
        }
    }

    @Override
    public long seccompTsync(byte[] program, int extraFlags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment insns = bytes(a, program, program.length);
            MemorySegment fprog = a.allocate(16, 8); // struct sock_fprog { u16 len; pad; struct sock_filter *filter; }
            fprog.set(JAVA_SHORT, 0, (short) (program.length / 8));
            fprog.set(ADDRESS, 8, insns);
            long r = sys(NativeLayout.seccompNr(Arch.current()), NativeLayout.SECCOMP_SET_MODE_FILTER,
                    NativeLayout.SECCOMP_FILTER_FLAG_TSYNC | extraFlags, fprog.address());
            return r < 0 ? -errno() : r;
        }
    }

    @Override
    public @Nullable Throwable sb4jLoadError() {
        return Sb4j.LOAD_ERROR;
    }

    @Override
    public int sb4jSignal() {
        return (int) call(Sb4jFns.SIGNAL, 0);
    }

    @Override
    public int sb4jBroadcast(int actions, int rulesetFd, int landlockFlags, long bounding, int timeoutMillis, int[] out,
            int outCap) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_INT, Math.max(1, out.length));
            int n = (int) call(Sb4jFns.BROADCAST, actions, rulesetFd, landlockFlags, bounding, timeoutMillis, s.address(), outCap);
            MemorySegment.copy(s, JAVA_INT, 0, out, 0, out.length);
            return n;
        }
    }

    @Override
    public int sb4jLandlockAbi() {
        return (int) call(Sb4jFns.ABI, 0);
    }

    @Override
    public int sb4jLandlockRuleset(long fs, long net) {
        return (int) call(Sb4jFns.RULESET, fs, net);
    }

    @Override
    public int sb4jLandlockPath(int rulesetFd, String path, long access) {
        try (Arena a = Arena.ofConfined()) {
            return (int) call(Sb4jFns.PATH, rulesetFd, str(a, path), access, 0, 0, 0);
        }
    }

    @Override
    public int sb4jLandlockPort(int rulesetFd, long port, long access) {
        return (int) call(Sb4jFns.PORT, rulesetFd, port, access, 0, 0, 0);
    }

    @Override
    public int sb4jLandlockRestrictSelf(int rulesetFd, int flags) {
        return (int) call(Sb4jFns.RESTRICT, rulesetFd, flags);
    }

    @Override
    public int sb4jPrlimit(int resource, long soft, long hard) {
        return (int) call(Sb4jFns.PRLIMIT, resource, soft, hard, 0, 0, 0);
    }

    @Override
    public int sb4jPreexisting(long[] out, int outCap, int tasks) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_LONG, Math.max(1, out.length));
            int n = (int) call(Sb4jFns.PREEXISTING, s.address(), outCap, tasks, 0, 0, 0);
            MemorySegment.copy(s, JAVA_LONG, 0, out, 0, out.length);
            return n;
        }
    }

    @Override
    public int sb4jThreadStatus(long[] out, int outCap) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(JAVA_LONG, Math.max(1, out.length));
            int n = (int) call(Sb4jFns.THREAD_STATUS, s.address(), outCap);
            MemorySegment.copy(s, JAVA_LONG, 0, out, 0, out.length);
            return n;
        }
    }

    @Override
    public long sb4jTaskFlags(int tid) {
        return call(Sb4jFns.TASK_FLAGS, tid);
    }

    @Override
    public long sb4jSeccompTsync(byte[] program, int extraFlags) {
        try (Arena a = Arena.ofConfined()) {
            return call(Sb4jFns.SECCOMP, bytes(a, program, program.length).address(), program.length / 8, extraFlags, 0, 0, 0);
        }
    }
}
