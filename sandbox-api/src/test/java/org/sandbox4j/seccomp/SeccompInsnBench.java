package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;

/**
 * Deterministic cost benchmark: instructions executed per system call by the filter for an
 * allow-list (default KILL_PROCESS, x86_64), ours against libseccomp 2.5's binary tree
 * (SCMP_FLTATR_CTL_OPTIMIZE=2), both run in {@link BpfInterpreter}. Also a main class.
 */
@Tag("unit")
class SeccompInsnBench {
    record Stats(double allowedAvg, int allowedMax, double deniedAvg, int deniedMax, int length) {}

    static List<String> list(String name) throws IOException {
        try (InputStream in = SeccompInsnBench.class.getResourceAsStream("bench/" + name)) {
            List<String> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.isBlank() && !l.startsWith("#")) {
                    out.add(l.trim());
                }
            }
            return out;
        }
    }

    static SeccompPolicy policy(List<String> names) {
        return SeccompPolicy.builder(SeccompAction.KILL_PROCESS).allow(names.toArray(new String[0])).build();
    }

    static Stats measure(SeccompProgram p, Arch arch, SeccompPolicy policy) {
        Set<Integer> allowed = new TreeSet<>();
        for (SeccompPolicy.Rule r : policy.rules()) {
            r.number(arch).ifPresent(allowed::add);
        }
        long aSum = 0;
        int aMax = 0;
        long dSum = 0;
        int dMax = 0;
        int dN = 0;
        for (int nr : SyscallTable.of(arch).entries().values()) {
            BpfInterpreter.Result r = BpfInterpreter.run(p, SeccompData.of(arch, nr));
            if (allowed.contains(nr)) {
                assertEquals(SeccompAction.ALLOW, r.action(), "nr " + nr);
                aSum += r.instructions();
                aMax = Math.max(aMax, r.instructions());
            } else {
                assertEquals(SeccompAction.KILL_PROCESS, r.action(), "nr " + nr);
                dSum += r.instructions();
                dMax = Math.max(dMax, r.instructions());
                dN++;
            }
        }
        return new Stats((double) aSum / allowed.size(), aMax, (double) dSum / dN, dMax, p.length());
    }

    static String report(String name, Stats ours, Stats theirs) {
        String fmt = "%-24s %-10s allowed avg %5.2f max %2d | denied avg %5.2f max %2d | %4d insns%n";
        String s = String.format(fmt, name, "sandbox4j", ours.allowedAvg, ours.allowedMax,
                ours.deniedAvg, ours.deniedMax, ours.length);
        if (theirs != null) {
            s += String.format(fmt, "", "libseccomp", theirs.allowedAvg, theirs.allowedMax,
                    theirs.deniedAvg, theirs.deniedMax, theirs.length);
        }
        return s;
    }

    static Stats[] run(String list) throws IOException {
        Arch arch = Arch.X86_64;
        SeccompPolicy policy = policy(list(list));
        Stats ours = measure(policy.compile(arch), arch, policy);
        List<String> why = new ArrayList<>();
        Optional<Libseccomp> lib = Libseccomp.find(why);
        Stats theirs = null;
        if (lib.isPresent()) {
            SeccompProgram p = lib.get().compile(arch, List.of(policy), 2).get(0);
            theirs = measure(p, arch, policy);
        } else {
            System.out.println("libseccomp comparison skipped: " + why);
        }
        System.out.print(report(list, ours, theirs));
        return new Stats[] {ours, theirs};
    }

    @Test
    void allow64() throws IOException {
        Stats[] s = run("seccomp-allow-64.txt");
        assertTrue(s[0].allowedAvg <= 10, "average " + s[0].allowedAvg);
        if (s[1] != null) {
            assertTrue(s[0].allowedMax <= s[1].allowedMax, "max " + s[0].allowedMax);
        }
    }

    @Test
    void allow299() throws IOException {
        Stats[] s = run("seccomp-allow-299.txt");
        assertTrue(s[0].allowedAvg <= 11, "average " + s[0].allowedAvg);
        if (s[1] != null) {
            assertTrue(s[0].allowedMax <= s[1].allowedMax, "max " + s[0].allowedMax);
        }
    }

    public static void main(String[] args) throws IOException {
        run("seccomp-allow-64.txt");
        run("seccomp-allow-299.txt");
    }
}
