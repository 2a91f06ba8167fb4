package org.sandbox4j.seccomp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.sandbox4j.Arch;

/**
 * Command line: compile a kafel-style policy file, or disassemble a {@code .bpf} file.
 *
 * <pre>
 * java -cp sandbox-api.jar org.sandbox4j.seccomp.SeccompTool compile policy.txt x86_64 out.bpf
 * java -cp sandbox-api.jar org.sandbox4j.seccomp.SeccompTool disasm out.bpf x86_64
 * java -cp sandbox-api.jar org.sandbox4j.seccomp.SeccompTool profile JVM_WORKER aarch64
 * </pre>
 */
public final class SeccompTool {
    private SeccompTool() {}

    /**
     * Runs one command, as in the class description; exits with status 2 on a usage mistake.
     *
     * @param args the command, its file and the architecture
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: SeccompTool compile POLICY ARCH OUT.bpf | disasm FILE.bpf ARCH"
                    + " | profile NAME ARCH");
            System.exit(2);
        }
        Arch arch = Arch.valueOf(args[2].toUpperCase(Locale.ROOT).replace("ARM64", "AARCH64"));
        switch (args[0]) {
            case "compile": {
                SeccompProgram p = SeccompPolicy.parse(Path.of(args[1])).compile(arch); // resolves #include
                Files.write(Path.of(args[3]), p.toBytes());
                System.out.println(p.length() + " instructions"
                        + (p.skippedSyscalls().isEmpty() ? "" : "; not on " + arch + ": " + p.skippedSyscalls()));
                break;
            }
            case "disasm":
                System.out.print(SeccompProgram.fromBytes(arch, Files.readAllBytes(Path.of(args[1]))).disassemble());
                break;
            case "profile":
                System.out.print(SeccompProfiles.get(args[1], arch).disassemble());
                break;
            default:
                System.err.println("unknown command " + args[0]);
                System.exit(2);
        }
    }
}
