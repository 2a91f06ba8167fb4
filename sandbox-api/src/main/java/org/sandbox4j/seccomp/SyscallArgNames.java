package org.sandbox4j.seccomp;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/**
 * The kernel's names of each system call's arguments, per architecture: the parameter names of the
 * call's {@code SYSCALL_DEFINEn} (what ftrace shows, and what kafel lets a rule use without declaring
 * them, as in {@code read { fd == 0 }}). Generated from a Linux source tree by {@code
 * sandbox-api/tools/gen-syscall-args.py} into {@code syscall-args-<arch>.tsv}; calls of kernels newer
 * than that tree have no entry, and a rule for them declares its names.
 *
 * <p>A policy is compiled for every architecture, so a name resolves only where both architectures
 * that have the call agree on its position; they differ for {@code clone} alone ({@code tls} and
 * {@code child_tidptr} swap places on aarch64), where such a name is refused with the two positions.
 */
final class SyscallArgNames {
    private static final Map<Arch, Map<String, List<String>>> TABLES = new EnumMap<>(Arch.class);

    /** What the kernel names a call's arguments, merged over the architectures. */
    record Resolved(Map<String, Integer> index, Map<String, String> ambiguous, String signature) {}

    private SyscallArgNames() {}

    /** The argument names of {@code syscall} (canonical name) on {@code arch}, or null if unknown there. */
    static synchronized @Nullable List<String> names(Arch arch, String syscall) {
        return TABLES.computeIfAbsent(arch, SyscallArgNames::load).get(syscall);
    }

    /** Every call of {@code arch} with known argument names. */
    static synchronized Map<String, List<String>> all(Arch arch) {
        return java.util.Collections.unmodifiableMap(TABLES.computeIfAbsent(arch, SyscallArgNames::load));
    }

    /**
     * The names of {@code syscall}'s arguments on every architecture that knows them, with the
     * names whose positions differ between architectures set apart (each with an explanation), or
     * null if no architecture knows the call's argument names.
     */
    static @Nullable Resolved resolve(String syscall) {
        Map<String, Integer> index = new LinkedHashMap<>();
        Map<String, String> ambiguous = new HashMap<>();
        Map<String, String> where = new HashMap<>();
        String signature = null;
        for (Arch a : Arch.values()) {
            List<String> names = names(a, syscall);
            if (names == null) {
                continue;
            }
            if (signature == null) {
                signature = syscall + "(" + String.join(", ", names) + ")";
            }
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                Integer prev = index.putIfAbsent(n, i);
                if (prev != null && prev != i) {
                    ambiguous.put(n, "argument '" + n + "' of " + syscall + " is argument " + prev + " on "
                            + where.get(n) + " but " + i + " on " + SyscallTable.archName(a)
                            + ": declare the names for one architecture (" + syscall + "(a, b, ...) { ... })");
                }
                where.putIfAbsent(n, SyscallTable.archName(a));
            }
        }
        if (signature == null) {
            return null;
        }
        return new Resolved(index, ambiguous, signature);
    }

    private static Map<String, List<String>> load(Arch arch) {
        Map<String, List<String>> map = new HashMap<>();
        for (String[] f : SyscallTable.tsvRows("syscall-args-" + SyscallTable.archName(arch) + ".tsv")) {
            map.put(f[0], List.copyOf(Arrays.asList(f).subList(1, f.length)));
        }
        return map;
    }
}
