import java.nio.file.Files;
import java.nio.file.Path;
import org.sandbox4j.Arch;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompProgram;

/**
 * Writes SeccompPolicies.defaultDenyList() compiled for aarch64 (the CLI has no name for it).
 * Run as a single source file by test/aarch64/run.sh:
 * java -cp sandbox-examples/target/lib/sandbox-api-VERSION.jar DenyList.java OUT.bpf
 */
public class DenyList {
    public static void main(String[] args) throws Exception {
        SeccompProgram p = SeccompPolicies.defaultDenyList().compile(Arch.AARCH64);
        Files.write(Path.of(args[0]), p.toBytes());
        System.out.println("DenyList: wrote " + args[0] + ": " + p.length() + " instructions"
                + (p.skippedSyscalls().isEmpty() ? "" : ", not on aarch64: " + p.skippedSyscalls()));
    }
}
