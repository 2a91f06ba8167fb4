package org.sandbox4j.seccomp;

import org.sandbox4j.Arch;

/** Compiles policies as a sandbox4j whose tables end at an older kernel's last call would. */
public final class OlderTables {
    private OlderTables() {}

    /** {@code policy} compiled for {@code arch} with the table cut after number {@code max}. */
    public static SeccompProgram compile(SeccompPolicy policy, Arch arch, int max) {
        return new SeccompCompiler(policy, arch, a -> SyscallTable.of(a).upTo(max)).compile();
    }
}
