package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.sandbox4j.Arch;

/**
 * System call names across tools and architectures: canonical kernel names, the aliases other tools
 * use for the same call (strace's {@code newfstat}, glibc's {@code pread}, libseccomp's
 * {@code fstatat64} ...), and plain numbers.
 *
 * <pre>{@code
 * Syscalls.canonical("newfstat");              // "fstat"
 * Syscalls.number(Arch.X86_64, "pread");       // OptionalInt[17]
 * Syscalls.number(Arch.AARCH64, "open");       // empty: no such call on arm64
 * Syscalls.canonical("opn");                   // IllegalArgumentException: ... did you mean open, openat?
 * }</pre>
 */
public final class Syscalls {
    /** Other names of the same call on the 64-bit architectures sandbox4j supports. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("newfstat", "fstat"),
            Map.entry("newstat", "stat"),
            Map.entry("newlstat", "lstat"),
            Map.entry("fstatat", "newfstatat"),
            Map.entry("fstatat64", "newfstatat"),
            Map.entry("newuname", "uname"),
            Map.entry("pread", "pread64"),
            Map.entry("pwrite", "pwrite64"),
            Map.entry("fadvise64_64", "fadvise64"),
            Map.entry("sendfile64", "sendfile"),
            Map.entry("ftruncate64", "ftruncate"),
            Map.entry("truncate64", "truncate"),
            Map.entry("statfs64", "statfs"),
            Map.entry("fstatfs64", "fstatfs"),
            Map.entry("fcntl64", "fcntl"),
            Map.entry("prlimit", "prlimit64"),
            Map.entry("mmap2", "mmap"),
            Map.entry("umount", "umount2"),
            Map.entry("sync_file_range2", "sync_file_range"));

    private Syscalls() {}

    /**
     * The canonical kernel name for {@code name} (alias resolved), if any architecture has it.
     *
     * @throws IllegalArgumentException if no supported architecture knows the name, listing the
     *     closest known names
     */
    public static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("__nr_")) {
            n = n.substring(5);
        }
        String c = ALIASES.getOrDefault(n, n);
        for (Arch a : Arch.values()) {
            if (SyscallTable.of(a).number(c).isPresent()) {
                return c;
            }
        }
        throw new IllegalArgumentException(
                "unknown system call '" + (name.length() > 64 ? name.substring(0, 61) + "..." : name)
                        + "'; closest known names: "
                        + String.join(", ", closest(n, 5)));
    }

    /** Whether {@code name} (or its alias) is a system call of any supported architecture. */
    public static boolean isKnown(String name) {
        try {
            canonical(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The number of {@code name} on {@code arch}, empty if that architecture has no such call. */
    public static OptionalInt number(Arch arch, String name) {
        return SyscallTable.of(arch).number(canonical(name));
    }

    /** The canonical name of {@code nr} on {@code arch}, or {@code "#nr"} if the kernel has none. */
    public static String name(Arch arch, int nr) {
        String n = SyscallTable.of(arch).name(nr);
        return n != null ? n : "#" + Integer.toUnsignedString(nr);
    }

    /** The alias table (alias to canonical name). */
    public static Map<String, String> aliases() {
        return ALIASES;
    }

    static List<String> closest(String name, int count) {
        Set<String> all = new TreeSet<>(ALIASES.keySet());
        for (Arch a : Arch.values()) {
            all.addAll(SyscallTable.of(a).entries().keySet());
        }
        // Each distance once (not per comparison), and of a bounded prefix: an absurdly long name must
        // not turn an error message into seconds of work.
        String probe = name.length() > 64 ? name.substring(0, 64) : name;
        Map<String, Integer> dist = new java.util.HashMap<>();
        for (String s : all) {
            dist.put(s, distance(probe, s));
        }
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt((String s) -> dist.get(s)).thenComparing(s -> s));
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    private static int distance(String a, String b) {
        return org.sandbox4j.internal.EditDistance.between(a, b);
    }
}
