package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

/**
 * Random policies x random seccomp_data: the compiled program, run in the interpreter, must decide
 * exactly as {@link SeccompPolicy#evaluate} (the direct reading of the policy). Seeded, so a failure
 * reproduces; the seed can be changed with {@code -Dseccomp.seed=N}.
 */
@Tag("unit")
class SeccompPropertyTest {
    private static final long SEED = Long.getLong("seccomp.seed", 20240601L);

    static List<String> allNames() {
        TreeSet<String> names = new TreeSet<>();
        for (Arch a : Arch.values()) {
            names.addAll(SyscallTable.of(a).entries().keySet());
        }
        return new ArrayList<>(names);
    }

    @Test
    void compiledProgramsDecideLikeThePolicy() {
        Random r = new Random(SEED);
        List<String> names = allNames();
        long comparisons = 0;
        for (int iter = 0; iter < 300; iter++) {
            SeccompPolicy p = RandomPolicies.policy(r, names, false);
            for (Arch arch : Arch.values()) {
                SeccompProgram prog = p.compile(arch);
                List<Integer> nrs = new ArrayList<>();
                for (SeccompPolicy.Rule rule : p.rules()) {
                    rule.number(arch).ifPresent(n -> {
                        nrs.add(n);
                        nrs.add(n - 1);
                        nrs.add(n + 1);
                    });
                }
                for (int k = 0; k < 20; k++) {
                    nrs.add(r.nextInt(600));
                }
                nrs.addAll(List.of(-1, 0x3fffffff, 0x40000000, 0x40000001, 0x80000000, Integer.MAX_VALUE));
                for (int nr : nrs) {
                    for (SeccompData d : RandomPolicies.inputs(r, arch, nr, p, 6)) {
                        for (Arch dataArch : Arch.values()) {
                            SeccompData in = new SeccompData(d.nr(), dataArch.auditArch(),
                                    d.instructionPointer(), d.args());
                            check(p, arch, prog, in);
                            comparisons++;
                        }
                        check(p, arch, prog, new SeccompData(d.nr(), 0x40000003, 0, d.args())); // i386
                        comparisons++;
                    }
                }
            }
        }
        assertTrue(comparisons > 100_000, "only " + comparisons + " comparisons");
        System.out.println("SeccompPropertyTest: " + comparisons + " comparisons, seed " + SEED);
    }

    private static void check(SeccompPolicy p, Arch arch, SeccompProgram prog, SeccompData in) {
        SeccompAction want = p.evaluate(arch, in);
        SeccompAction got = BpfInterpreter.run(prog, in).action();
        if (!want.equals(got)) {
            assertEquals(want, got, () -> "policy " + p.rules() + " default " + p.defaultAction()
                    + " on " + in + "\n" + prog.disassemble());
        }
    }
}
