package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sandbox4j.Arch;
import org.sandbox4j.internal.TextFiles;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompParseException;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.seccomp.SeccompProgram;

/**
 * {@code sandbox4j seccomp}: compile policies to raw BPF ({@code struct sock_filter}, 8 bytes per
 * instruction, little-endian), disassemble programs, list profiles.
 */
final class SeccompCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j seccomp compile --arch x86_64|aarch64 (--policy FILE | --profile NAME |",
            "                                 --allow-file FILE --default ACTION) -o OUT.bpf",
            "       sandbox4j seccomp disasm [--arch x86_64|aarch64] FILE.bpf",
            "       sandbox4j seccomp profiles",
            "",
            "ACTION: ALLOW, KILL (= KILL_PROCESS), KILL_PROCESS, KILL_THREAD, TRAP, LOG, ERRNO(n).",
            "An allow-file holds one system call name per line (# comments allowed).");

    private SeccompCommand() {}

    static int run(List<String> args) throws UsageException {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            System.out.println(HELP);
            return args.isEmpty() ? Main.EXIT_SETUP : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            switch (args.get(0)) {
                case "compile":
                    return compile(rest);
                case "disasm":
                    return disasm(rest);
                case "profiles":
                    SeccompProfiles.names().forEach(System.out::println);
                    return 0;
                default:
                    throw new UsageException("unknown seccomp command '" + args.get(0) + "' (compile, disasm, profiles)");
            }
        } catch (IOException e) {
            throw new UsageException(e.toString());
        }
    }

    private static int compile(List<String> args) throws UsageException, IOException {
        Arch arch = null;
        String policy = null;
        String profile = null;
        String allowFile = null;
        String defaultAction = null;
        String out = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (i + 1 >= args.size()) {
                throw new UsageException(a + " needs a value (see sandbox4j seccomp --help)");
            }
            String v = args.get(++i);
            switch (a) {
                case "--arch":
                    arch = parseArch(v);
                    break;
                case "--policy":
                    policy = v;
                    break;
                case "--profile":
                    profile = v;
                    break;
                case "--allow-file":
                    allowFile = v;
                    break;
                case "--default":
                    defaultAction = v;
                    break;
                case "-o":
                case "--output":
                    out = v;
                    break;
                default:
                    throw new UsageException("unknown option " + a + " (see sandbox4j seccomp --help)");
            }
        }
        if (arch == null || out == null) {
            throw new UsageException("seccomp compile needs --arch and -o (see sandbox4j seccomp --help)");
        }
        int sources = (policy != null ? 1 : 0) + (profile != null ? 1 : 0) + (allowFile != null ? 1 : 0);
        if (sources != 1) {
            throw new UsageException("give exactly one of --policy, --profile, --allow-file");
        }
        SeccompProgram program;
        if (profile != null) {
            program = profileProgram(profile, arch);
        } else if (policy != null) {
            SeccompPolicy p = parsePolicy(Path.of(policy));
            try {
                program = p.compile(arch);
            } catch (IllegalStateException e) { // too large for the kernel
                throw new UsageException(policy + ": " + e.getMessage());
            }
        } else {
            if (defaultAction == null) {
                throw new UsageException("--allow-file needs --default ACTION (e.g. KILL or ERRNO(1))");
            }
            List<String> names = new ArrayList<>();
            for (String line : TextFiles.readUtf8(Path.of(allowFile), TextFiles.MAX_BYTES).split("\n")) {
                String t = line.replaceAll("#.*", "").trim();
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
            try {
                program = SeccompPolicy.builder(parseAction(defaultAction)).allow(names.toArray(new String[0])).build()
                        .compile(arch);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UsageException(allowFile + ": " + e.getMessage());
            }
        }
        Files.write(Path.of(out), program.toBytes());
        System.err.println("sandbox4j: wrote " + out + ": " + program.length() + " instructions for " + arch
                + (program.skippedSyscalls().isEmpty() ? "" : "; not on " + arch + ": " + program.skippedSyscalls()));
        return 0;
    }

    private static int disasm(List<String> args) throws UsageException, IOException {
        Arch arch = Arch.current();
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--arch") && i + 1 < args.size()) {
                arch = parseArch(args.get(++i));
            } else if (file == null) {
                file = args.get(i);
            } else {
                throw new UsageException("disasm takes one file");
            }
        }
        if (file == null) {
            throw new UsageException("usage: sandbox4j seccomp disasm [--arch A] FILE.bpf");
        }
        byte[] bytes = Files.readAllBytes(Path.of(file));
        try {
            System.out.print(SeccompProgram.fromBytes(arch, bytes).disassemble());
        } catch (IllegalArgumentException e) {
            throw new UsageException(file + ": " + e.getMessage());
        }
        return 0;
    }

    /** The policy in {@code file}, its #includes resolved next to it; a mistake names its file and place. */
    static SeccompPolicy parsePolicy(Path file) throws UsageException {
        try {
            return SeccompPolicy.parse(file);
        } catch (SeccompParseException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static SeccompProgram profileProgram(String name, Arch arch) throws UsageException {
        try {
            return SeccompProfiles.get(name.toUpperCase(Locale.ROOT).replace('-', '_'), arch);
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown seccomp profile '" + name + "': " + String.join(", ", SeccompProfiles.names()));
        }
    }

    static Arch parseArch(String v) throws UsageException {
        java.util.Optional<Arch> a = Arch.parse(v);
        if (a.isEmpty()) {
            throw new UsageException("unknown architecture '" + v + "': x86_64 or aarch64");
        }
        return a.get();
    }

    static SeccompAction parseAction(String v) throws UsageException {
        String t = v.trim().toUpperCase(Locale.ROOT);
        switch (t) {
            case "ALLOW":
                return SeccompAction.ALLOW;
            case "KILL":
            case "KILL_PROCESS":
                return SeccompAction.KILL_PROCESS;
            case "KILL_THREAD":
                return SeccompAction.KILL_THREAD;
            case "TRAP":
                return SeccompAction.TRAP;
            case "LOG":
                return SeccompAction.LOG;
            default:
                if (t.matches("ERRNO\\(\\d+\\)")) {
                    return SeccompAction.errno(Integer.parseInt(t.substring(6, t.length() - 1)));
                }
                throw new UsageException("unknown action '" + v + "': ALLOW, KILL, KILL_THREAD, TRAP, LOG or ERRNO(n)");
        }
    }
}
