package org.sandbox4j.internal;

/**
 * libsandbox4j.so (sandbox-native/src/lib/lockdown.c) over {@link NativeCalls#get()}: JNA loads it
 * from the jar's {@code linux-x86-64/} or {@code linux-aarch64/} resources, FFM from a sealed memfd
 * of the same bytes (nothing written to disk). Functions return a negative errno on failure unless
 * said otherwise. Loaded on first use only: jails without Landlock never need it.
 */
public final class LockdownNative {
    private LockdownNative() {}

    private static final NativeCalls N = NativeCalls.get();

    /** Throws when the library could not be loaded (no binary for this platform in the jar). */
    public static void check() {
        Throwable err = N.sb4jLoadError();
        if (err != null) {
            throw new IllegalStateException("cannot load libsandbox4j.so for " + System.getProperty("os.arch")
                    + " (sandbox4j ships linux-x86-64 and linux-aarch64): " + err.getMessage(), err);
        }
    }

    public static final int ACT_NO_NEW_PRIVS = 0x1;
    public static final int ACT_LANDLOCK = 0x2;
    public static final int ACT_CAPS = 0x4;

    public static final int STAGE_NNP = 1;
    public static final int STAGE_LANDLOCK = 2;
    public static final int STAGE_BOUNDING = 3;
    public static final int STAGE_CAPSET = 4;
    public static final int STAGE_AMBIENT = 5;
    public static final int STAGE_TIMEOUT = 9;
    /** A kernel worker thread (PF_USER_WORKER): not waited for; the errno slot holds its PF_* worker flags. */
    public static final int STAGE_WORKER = 10;

    public static final int LANDLOCK_RESTRICT_SELF_TSYNC = 1 << 3;

    /** The signal of the per-thread broadcast (SIGRTMIN+6). */
    public static int sb4j_signal() {
        return N.sb4jSignal();
    }

    /** See lockdown.c: {tid, errno, stage} triples into out; count or -errno. */
    public static int sb4j_broadcast(int actions, int rulesetFd, int landlockFlags, long bounding,
            int timeoutMillis, int[] out, int outCap) {
        return N.sb4jBroadcast(actions, rulesetFd, landlockFlags, bounding, timeoutMillis, out, outCap);
    }

    public static int sb4j_landlock_abi() {
        return N.sb4jLandlockAbi();
    }

    public static int sb4j_landlock_ruleset(long fs, long net) {
        return N.sb4jLandlockRuleset(fs, net);
    }

    public static int sb4j_landlock_path(int rulesetFd, String path, long access) {
        return N.sb4jLandlockPath(rulesetFd, path, access);
    }

    public static int sb4j_landlock_port(int rulesetFd, long port, long access) {
        return N.sb4jLandlockPort(rulesetFd, port, access);
    }

    public static int sb4j_landlock_restrict_self(int rulesetFd, int flags) {
        return N.sb4jLandlockRestrictSelf(rulesetFd, flags);
    }

    public static int sb4j_close(int fd) {
        return N.close(fd);
    }

    public static int sb4j_prlimit(int resource, long soft, long hard) {
        return N.sb4jPrlimit(resource, soft, hard);
    }

    public static final int PRE_WORKER = 1;
    public static final int PRE_CHILD = 2;
    public static final int PRE_URING = 3;
    public static final int PRE_MAPPING = 4;

    /**
     * {kind, a, b} triples (PRE_*: worker tid + PF_* flags, child pid + parent tid, io_uring fd, io_uring
     * mapping inode) into out; threads and children only with {@code tasks != 0}; count (more than
     * outCap/3: call again with more room) or -errno.
     */
    public static int sb4j_preexisting(long[] out, int outCap, int tasks) {
        return N.sb4jPreexisting(out, outCap, tasks);
    }

    /** 10 longs per thread: tid, NoNewPrivs, Seccomp, Seccomp_filters, CapInh, CapPrm, CapEff, CapBnd, CapAmb, -. */
    public static int sb4j_thread_status(long[] out, int outCap) {
        return N.sb4jThreadStatus(out, outCap);
    }

    /** The PF_* flags of a thread of this process (/proc/self/task/TID/stat), or -1 (exited). */
    public static long sb4j_task_flags(int tid) {
        return N.sb4jTaskFlags(tid);
    }

    /**
     * seccomp(SET_MODE_FILTER, TSYNC | extraFlags) of a classic BPF program (8 bytes per instruction):
     * 0, the tid of a thread that could not be synchronised (nothing installed), or -errno. Like
     * {@link LibC#seccompTsync}, but libsandbox4j.so builds the sock_fprog: no first use of the JVM's
     * native memory accessors (or JNA's reflective call) between the lockdown's changes.
     */
    public static long sb4j_seccomp_tsync(byte[] program, int extraFlags) {
        return N.sb4jSeccompTsync(program, extraFlags);
    }
}
