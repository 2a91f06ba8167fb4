package org.sandbox4j.selfjail;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.sandbox4j.Arch;

/**
 * The few libc calls this package needs beyond {@code internal.LibC}: chroot, the glibc set*id
 * wrappers (which glibc applies to every thread of the process), prctl, the raw seccomp system call
 * with TSYNC, and signal/kill to re-raise a jailed JVM's fatal signal. JNA direct mapping.
 *
 * <p>The seccomp install and no_new_privs here are the minimum the in-process chroot needs; they are
 * meant to move to the lockdown package once it exists (one place that installs TSYNC filters).
 */
final class Sys {
    private Sys() {}

    static {
        Native.register(Sys.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final int SECCOMP_FILTER_FLAG_TSYNC = 1;

    static native int chroot(String path);

    static native int chdir(String path);

    static native int setgroups(long size, Pointer list);

    static native int setresuid(int r, int e, int s);

    static native int setresgid(int r, int e, int s);

    static native int prctl(int option, long a2, long a3, long a4, long a5);

    static native long syscall(long number, long a1, long a2, Pointer a3);

    static native int kill(int pid, int sig);

    static native int getpid();

    /** Ends the process at once with {@code status}: no JVM teardown, no shutdown hooks. */
    static native void _exit(int status);

    static native int geteuid();

    /** {@code signal(sig, SIG_DFL)}: SIG_DFL is the null pointer. */
    static native Pointer signal(int sig, Pointer handler);

    static int errno() {
        return Native.getLastError();
    }

    /** The seccomp system call's number on this architecture. */
    static long seccompNr() {
        return Arch.current() == Arch.AARCH64 ? 277 : 317;
    }

    /**
     * Installs a classic-BPF program with SECCOMP_FILTER_FLAG_TSYNC: every thread of the process
     * gets it atomically, or none does. Returns 0, or -errno, or the id of a thread that could not be
     * synchronized (positive).
     */
    static long seccompTsync(byte[] program) {
        Memory insns = new Memory(program.length);
        insns.write(0, program, 0, program.length);
        Memory fprog = new Memory(16); // struct sock_fprog { u16 len; pad; struct sock_filter *filter; }
        fprog.clear();
        fprog.setShort(0, (short) (program.length / 8));
        fprog.setPointer(8, insns);
        long r = syscall(seccompNr(), SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog);
        return r < 0 ? -errno() : r;
    }
}
