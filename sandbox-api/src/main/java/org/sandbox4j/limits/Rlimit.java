package org.sandbox4j.limits;

import java.util.Locale;

/**
 * A resource limit ({@code setrlimit(2)}). The numbers are the asm-generic ones, the same on x86_64
 * and aarch64.
 *
 * <pre>{@code
 * Sandbox.builder().rlimit(Rlimit.NOFILE, 64).rlimit(Rlimit.AS, 512L << 20, 512L << 20)
 * }</pre>
 */
public enum Rlimit {
    /** CPU time in seconds; SIGXCPU at the soft limit, SIGKILL at the hard one. */
    CPU(0),
    /** Largest file the process may create, in bytes (SIGXFSZ beyond). */
    FSIZE(1),
    /** Data segment size in bytes. */
    DATA(2),
    /** Stack size in bytes. */
    STACK(3),
    /** Core file size in bytes. */
    CORE(4),
    /** Ignored by Linux since 2.6; kept for completeness. */
    RSS(5),
    /** Processes/threads of the jail's real uid. Counted per host uid, across jails of that uid. */
    NPROC(6),
    /** Open file descriptors: one more than the highest fd number the process may open. */
    NOFILE(7),
    /** Locked memory in bytes. */
    MEMLOCK(8),
    /** Address space (virtual memory) in bytes. */
    AS(9),
    /** File locks. */
    LOCKS(10),
    /** Queued signals. */
    SIGPENDING(11),
    /** Bytes in POSIX message queues. */
    MSGQUEUE(12),
    /** Ceiling of the nice value (20 - limit). */
    NICE(13),
    /** Real-time priority ceiling. */
    RTPRIO(14),
    /** Real-time CPU time without a blocking call, in microseconds. */
    RTTIME(15);

    /** The value that means no limit ({@code RLIM_INFINITY}). */
    public static final long INFINITY = -1L;

    private final int resource;

    Rlimit(int resource) {
        this.resource = resource;
    }

    /** The kernel's resource number. */
    public int resource() {
        return resource;
    }

    /** {@code RLIMIT_NOFILE}. */
    public String kernelName() {
        return "RLIMIT_" + name();
    }

    /** Parses {@code nofile}, {@code NOFILE} or {@code RLIMIT_NOFILE}; {@code as} is the address space. */
    public static Rlimit parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("RLIMIT_")) {
            n = n.substring("RLIMIT_".length());
        }
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown resource limit '" + name
                    + "': expected one of cpu, fsize, data, stack, core, rss, nproc, nofile, memlock, as,"
                    + " locks, sigpending, msgqueue, nice, rtprio, rttime", e);
        }
    }
}
