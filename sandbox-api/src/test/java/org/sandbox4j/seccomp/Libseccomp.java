package org.sandbox4j.seccomp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sandbox4j.Arch;

/** Drives {@code libseccomp_harness.c}: compiles policies with libseccomp, for comparison. */
final class Libseccomp {
    private final Path bin;

    private Libseccomp(Path bin) {
        this.bin = bin;
    }

    static Optional<Libseccomp> find(List<String> why) {
        return NativeHarness.build("libseccomp_harness", why, "-lseccomp").map(Libseccomp::new);
    }

    /** The numbers libseccomp's own tables give the names, for those it knows. */
    Map<String, Integer> resolve(Arch arch, Iterable<String> names) throws IOException {
        StringBuilder in = new StringBuilder();
        names.forEach(n -> in.append(n).append('\n'));
        NativeHarness.Result r = NativeHarness.run(
                List.of(bin.toString(), "resolve", SyscallTable.archName(arch)), in.toString(), 60);
        Map<String, Integer> m = new HashMap<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.split(" ");
                m.put(f[0], Integer.parseInt(f[1]));
            }
        }
        return m;
    }

    /** Compiles each policy for {@code arch}; a null entry is a policy libseccomp refused. */
    List<SeccompProgram> compile(Arch arch, List<SeccompPolicy> policies, int optimize) throws IOException {
        StringBuilder in = new StringBuilder();
        for (SeccompPolicy p : policies) {
            in.append("policy ").append(SyscallTable.archName(arch)).append(' ')
                    .append(action(p.defaultAction())).append(' ').append(optimize).append('\n');
            for (SeccompPolicy.Rule r : p.rules()) {
                if (r.number(arch).isEmpty()) {
                    continue;
                }
                in.append("rule ").append(r.syscall()).append(' ').append(action(r.action()));
                for (ArgCondition c : r.conditions()) {
                    in.append(' ').append(c.index()).append(' ').append(c.op().name().toLowerCase())
                            .append(' ').append(Long.toHexString(c.value()));
                    if (c.op() == ArgCondition.Op.MASKED_EQ) {
                        in.append(' ').append(Long.toHexString(c.mask()));
                    }
                }
                in.append('\n');
            }
            in.append("end\n");
        }
        Path dir = Files.createTempDirectory("libseccomp");
        try {
            NativeHarness.Result r = NativeHarness.run(List.of(bin.toString(), "compile", dir.toString()), in.toString(), 300);
            List<SeccompProgram> out = new ArrayList<>();
            for (int i = 0; i < policies.size(); i++) {
                Path f = dir.resolve(i + ".bpf");
                out.add(Files.exists(f) ? SeccompProgram.fromBytes(arch, Files.readAllBytes(f)) : null);
            }
            if (out.stream().allMatch(p -> p == null) && !policies.isEmpty()) {
                throw new IOException("libseccomp compiled nothing: " + r.out() + r.err());
            }
            return out;
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    static String action(SeccompAction a) {
        if (a instanceof SeccompAction.Errno e) {
            return "ERRNO:" + e.errno();
        }
        if (a instanceof SeccompAction.Trace t) {
            return "TRACE:" + t.data();
        }
        return a.toString();
    }
}
