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

    /**
     * Policies with more runs than the optimal tree search handles get a balanced tree instead; it
     * must decide exactly as the policy too, at every rule's number and its neighbours.
     */
    @Test
    void manyRunPoliciesDecideLikeThePolicy() {
        Random r = new Random(SEED + 1);
        List<String> names = allNames();
        long comparisons = 0;
        for (int iter = 0; iter < 40; iter++) {
            SeccompAction dflt = RandomPolicies.action(r, false);
            SeccompPolicy.Builder b = SeccompPolicy.builder(dflt);
            int n = SeccompCompiler.OPTIMAL_TREE_MAX_RUNS + 1 + r.nextInt(600);
            for (int i = 0; i < n; i++) {
                String call = r.nextInt(3) == 0 ? names.get(r.nextInt(names.size()))
                        : Integer.toString(r.nextInt(r.nextBoolean() ? 700 : 0x3fffffff));
                List<ArgCondition> conds = r.nextInt(6) == 0 ? List.of(RandomPolicies.condition(r, r.nextInt(6), false))
                        : List.of();
                b.rule(call, RandomPolicies.action(r, false), conds);
            }
            SeccompPolicy p = b.build();
            for (Arch arch : Arch.values()) {
                SeccompProgram prog;
                try {
                    prog = p.compile(arch);
                } catch (IllegalStateException tooLong) {
                    continue;
                }
                TreeSet<Integer> nrs = new TreeSet<>(List.of(-1, 0, 0x3fffffff, 0x40000000));
                for (SeccompPolicy.Rule rule : p.rules()) {
                    rule.number(arch).ifPresent(k -> nrs.addAll(List.of(k - 1, k, k + 1)));
                }
                for (int nr : nrs) {
                    for (SeccompData d : RandomPolicies.inputs(r, arch, nr, p, 2)) {
                        check(p, arch, prog, d);
                        comparisons++;
                    }
                }
            }
        }
        assertTrue(comparisons > 10_000, "only " + comparisons + " comparisons");
    }

    /**
     * Conditions over several arguments ({@code fd != count}, {@code (fd & buf) <= c}), computed in
     * the A and X registers and scratch memory, decide as {@link SeccompPolicy#evaluate} on both
     * architectures, also where arguments are equal or equal in one half.
     */
    @Test
    void twoSidedConditionsDecideLikeThePolicy() {
        Random r = new Random(SEED + 2);
        long comparisons = 0;
        List<String> calls = List.of("read", "write", "openat", "mmap");
        for (int iter = 0; iter < 400; iter++) {
            SeccompPolicy.Builder b = SeccompPolicy.builder(RandomPolicies.action(r, false));
            int rules = 1 + r.nextInt(4);
            for (int k = 0; k < rules; k++) {
                List<ArgCondition> conds = new ArrayList<>();
                int count = 1 + r.nextInt(3);
                for (int c = 0; c < count; c++) {
                    conds.add(r.nextInt(4) == 0 ? RandomPolicies.condition(r, r.nextInt(6), false)
                            : RandomPolicies.twoSided(r));
                }
                b.rule(calls.get(r.nextInt(calls.size())), RandomPolicies.action(r, false), conds);
            }
            SeccompPolicy p = b.build();
            for (Arch arch : Arch.values()) {
                SeccompProgram prog = p.compile(arch);
                for (String call : calls) {
                    int nr = Syscalls.number(arch, call).getAsInt();
                    for (SeccompData d : RandomPolicies.inputs(r, arch, nr, p, 40)) {
                        check(p, arch, prog, d);
                        comparisons++;
                    }
                }
            }
        }
        assertTrue(comparisons > 100_000, "only " + comparisons + " comparisons");
        System.out.println("SeccompPropertyTest two-sided: " + comparisons + " comparisons, seed " + SEED);
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
