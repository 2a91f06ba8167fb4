package org.sandbox4j.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.landlock.Compatibility;

/**
 * The cgroup limits of a jail (docs/resources.md), set through {@code Sandbox.Builder.memoryLimit},
 * {@code pidsLimit}, {@code cpuLimit} and friends. One cgroup per jail is created before the program
 * runs and removed when the jail ends.
 *
 * @param memoryMax bytes of memory (anonymous, page cache, tmpfs pages) the jail may use; -1 for none
 * @param swapMax bytes of swap on top of {@code memoryMax} (default 0: no swap beyond the limit); -1
 *     leaves the kernel's default
 * @param pidsMax processes and threads at once; -1 for none (the default of 512 then still applies)
 * @param cpuQuotaMicros CPU time per {@code cpuPeriodMicros} ({@code cpu.max}); -1 for none
 * @param cpuPeriodMicros the period of the CPU quota (100000 = 100 ms)
 * @param parent where the jail's cgroups go ({@code cgroupParent}), or null to find it
 * @param compatibility {@link Compatibility#STRICT} (a limit that cannot be applied fails the start)
 *     or {@link Compatibility#BEST_EFFORT} (rlimits instead, reported)
 */
public record CgroupLimits(long memoryMax, long swapMax, long pidsMax, long cpuQuotaMicros, long cpuPeriodMicros,
        @Nullable Path parent, Compatibility compatibility) {

    /** Processes a jail may have when the caller set no limit (pids.max, or RLIMIT_NPROC). */
    public static final long DEFAULT_PIDS = 512;
    /** The CPU period used by {@code cpuLimit(cores)}: 100 ms, the kernel's default. */
    public static final long DEFAULT_CPU_PERIOD = 100_000;

    /** No limit set. */
    public static final CgroupLimits NONE = new CgroupLimits(-1, 0, -1, -1, DEFAULT_CPU_PERIOD, null, Compatibility.STRICT);

    /** Checks each limit is -1 (none) or a sensible value; throws {@link IllegalArgumentException} otherwise. */
    public CgroupLimits {
        if (memoryMax < -1 || memoryMax == 0) {
            throw new IllegalArgumentException("memory limit must be positive, not " + memoryMax);
        }
        if (memoryMax > 0 && memoryMax < (1L << 20)) {
            throw new IllegalArgumentException("memory limit " + memoryMax + " bytes is below 1 MiB; a program cannot start in it");
        }
        if (swapMax < -1) {
            throw new IllegalArgumentException("swap limit must be 0 or positive, not " + swapMax);
        }
        if (pidsMax < -1 || pidsMax == 0) {
            throw new IllegalArgumentException("process limit must be positive, not " + pidsMax);
        }
        if (cpuPeriodMicros < 1000 || cpuPeriodMicros > 1_000_000) {
            throw new IllegalArgumentException("CPU period must be 1000..1000000 us, not " + cpuPeriodMicros);
        }
        if (cpuQuotaMicros != -1 && cpuQuotaMicros < 1000) {
            throw new IllegalArgumentException("CPU quota must be at least 1000 us per period (1 ms), not " + cpuQuotaMicros);
        }
    }

    /** Whether any limit that needs a cgroup is set. */
    public boolean any() {
        return memoryMax > 0 || pidsMax > 0 || cpuQuotaMicros > 0;
    }

    /** The CPU limit in cores (0.5 = half a core), or -1. */
    public double cpuCores() {
        return cpuQuotaMicros < 0 ? -1 : (double) cpuQuotaMicros / cpuPeriodMicros;
    }

    /** The builder calls that set these limits, for messages: {@code memoryLimit(64 MiB), pidsLimit(16)}. */
    public String describe() {
        List<String> l = new ArrayList<>();
        if (memoryMax > 0) {
            l.add("memoryLimit(" + formatBytes(memoryMax) + ")");
        }
        if (pidsMax > 0) {
            l.add("pidsLimit(" + pidsMax + ")");
        }
        if (cpuQuotaMicros > 0) {
            l.add("cpuLimit(" + String.format(Locale.ROOT, "%.3g", cpuCores()) + " cores)");
        }
        return String.join(", ", l);
    }

    /** {@code 64 MiB}, {@code 1.5 GiB}, {@code 1000 bytes}. */
    public static String formatBytes(long b) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (b < 1024 || b % 1024 != 0 && b < 10 * 1024) {
            return b + " bytes";
        }
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    /**
     * Parses a size: {@code 64M}, {@code 64MiB}, {@code 1g}, {@code 1.5G}, {@code 1048576} (bytes);
     * K/M/G/T are powers of 1024 as in systemd's MemoryMax= and nsjail.
     */
    public static long parseBytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        long mul = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> mul = 1L << 10;
                case 'm' -> mul = 1L << 20;
                case 'g' -> mul = 1L << 30;
                case 't' -> mul = 1L << 40;
                default -> mul = 1;
            }
        }
        if (mul != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (v <= 0 || Double.isNaN(v) || v * mul > Long.MAX_VALUE / 2 || t.startsWith("+")) {
                throw new NumberFormatException();
            }
            return (long) Math.ceil(v * mul);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 64M, 1.5G, 1048576)");
        }
    }
}
