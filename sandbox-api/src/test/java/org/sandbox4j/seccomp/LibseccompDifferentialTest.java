package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

/**
 * The same random policies compiled by sandbox4j and by libseccomp (through
 * {@code src/test/c/libseccomp_harness.c}), both programs run in {@link BpfInterpreter} for every
 * system call number 0..1023 with argument variants, the x32 range and foreign architectures: the
 * return values must be identical, but for the ENOSYS our programs give numbers above the table
 * (modelled in {@link #compare}). Skipped only when gcc or libseccomp-dev is missing.
 */
@Tag("unit")
class LibseccompDifferentialTest {
    private static final long SEED = Long.getLong("seccomp.seed", 77L);

    private static Libseccomp libseccomp() {
        List<String> why = new ArrayList<>();
        Optional<Libseccomp> lib = Libseccomp.find(why);
        assumeTrue(lib.isPresent(), () -> "gcc or libseccomp-dev missing, differential test skipped: " + why);
        return lib.get();
    }

    /** Names both tables agree on, for native x86_64 libseccomp and the target arch. */
    private static List<String> commonNames(Libseccomp lib) throws IOException {
        Map<String, Integer> x86 = lib.resolve(Arch.X86_64, SyscallTable.of(Arch.X86_64).entries().keySet());
        Map<String, Integer> arm = lib.resolve(Arch.AARCH64, SyscallTable.of(Arch.AARCH64).entries().keySet());
        List<String> names = new ArrayList<>();
        for (String n : x86.keySet()) {
            if (arm.containsKey(n)) {
                names.add(n);
            }
        }
        return names;
    }

    @Test
    void libseccompKnowsOurNumbers() throws IOException {
        Libseccomp lib = libseccomp();
        for (Arch a : Arch.values()) {
            Map<String, Integer> ours = SyscallTable.of(a).entries();
            Map<String, Integer> theirs = lib.resolve(a, ours.keySet());
            Map<String, String> diff = new TreeMap<>();
            theirs.forEach((n, nr) -> {
                if (!nr.equals(ours.get(n))) {
                    diff.put(n, ours.get(n) + " vs " + nr);
                }
            });
            assertEquals(Map.of(), diff, a + ": numbers differ from libseccomp's");
            assertTrue(theirs.size() > ours.size() * 9 / 10, a + ": libseccomp knows only " + theirs.size());
        }
    }

    @Test
    void sameDecisionsAsLibseccomp() throws IOException {
        Libseccomp lib = libseccomp();
        List<String> names = commonNames(lib);
        Random r = new Random(SEED);
        long comparisons = 0;
        int refused = 0;
        for (Arch arch : Arch.values()) {
            List<SeccompPolicy> policies = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                policies.add(RandomPolicies.policy(r, names, true));
            }
            List<Integer> nrs = new ArrayList<>();
            for (int nr = 0; nr < 1024; nr++) {
                nrs.add(nr);
            }
            nrs.addAll(List.of(0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, -1));
            for (int optimize = 1; optimize <= 2; optimize++) {
                List<SeccompProgram> theirs = lib.compile(arch, policies, optimize);
                for (int i = 0; i < policies.size(); i++) {
                    SeccompPolicy p = policies.get(i);
                    SeccompProgram them = theirs.get(i);
                    if (them == null) {
                        refused++;
                        continue;
                    }
                    SeccompProgram us = p.compile(arch);
                    for (int nr : nrs) {
                        int variants = p.rules().stream().anyMatch(x -> x.number(arch).orElse(-1) == nr
                                && !x.conditions().isEmpty()) ? 24 : 2;
                        for (SeccompData d : RandomPolicies.inputs(r, arch, nr, p, variants)) {
                            compare(p, us, them, d);
                            comparisons++;
                        }
                    }
                    for (Arch other : Arch.values()) { // a foreign architecture is killed by both
                        if (other != arch) {
                            compare(p, us, them, SeccompData.of(other, 1));
                            comparisons++;
                        }
                    }
                }
            }
        }
        System.out.println("LibseccompDifferentialTest: " + comparisons + " comparisons, "
                + refused + " policies refused by libseccomp, seed " + SEED);
        assertTrue(comparisons >= 100_000, "only " + comparisons + " comparisons");
    }

    /**
     * Our program against libseccomp's, with our one addition modelled: a number above our table
     * (none is named by these policies) is answered ENOSYS where libseccomp applies the default
     * (libseccomp 2.5 refuses rules for numbers its own table lacks, so this cannot be a rule there).
     */
    private static void compare(SeccompPolicy p, SeccompProgram us, SeccompProgram them, SeccompData d) {
        int ours = BpfInterpreter.run(us, d).returnValue();
        int theirs = BpfInterpreter.run(them, d).returnValue();
        Arch arch = us.arch();
        if (d.arch() == arch.auditArch() && Integer.compareUnsigned(d.nr(), SyscallTable.of(arch).maxNumber()) > 0
                && d.nr() != -1 && (arch != Arch.X86_64 || Integer.compareUnsigned(d.nr(), SeccompPolicy.X32_SYSCALL_BIT) < 0)
                && theirs == p.defaultAction().toKernelValue()) {
            theirs = SeccompPolicy.UNKNOWN_SYSCALL.toKernelValue();
        }
        if (ours != theirs) {
            assertEquals(Integer.toHexString(theirs), Integer.toHexString(ours),
                    () -> "on " + d + " for policy " + p.rules() + " default " + p.defaultAction());
        }
    }
}
