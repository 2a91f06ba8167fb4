package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sandbox4j seccomp ...} and {@code run --seccomp...}, as a user runs them. */
@Tag("kernel")
class SeccompCliTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();

    record Run(int exit, String out, String err) {}

    private static Run cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(CLI.toString());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err.get());
    }

    @Test
    void inlinePolicyReturnsItsErrno() throws Exception {
        Run r = cli("run", "--ro-system", "--seccomp-string", "POLICY p { ERRNO(1) { uname } } USE p DEFAULT ALLOW",
                "--", "/bin/uname");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("Operation not permitted"), r.err());
        Run control = cli("run", "--ro-system", "--", "/bin/uname");
        assertEquals(0, control.exit(), control.toString());
        assertEquals("Linux", control.out().trim());
    }

    @Test
    void killActionEndsTheProgramWithSigsys() throws Exception {
        Run r = cli("run", "--ro-system", "--seccomp-string", "POLICY p { KILL { uname } } USE p DEFAULT ALLOW",
                "--", "/bin/uname");
        assertEquals(128 + 31, r.exit(), r.toString());
    }

    @Test
    void policyMistakeNamesLineAndColumn() throws Exception {
        Run r = cli("run", "--ro-system", "--seccomp-string", "POLICY p {\n  ERR(1) { uname } }", "--", "/bin/true");
        assertEquals(125, r.exit());
        assertTrue(r.err().startsWith("sandbox4j: --seccomp-string: line 2, column 3"), r.err());
    }

    /**
     * The policies of issue #10 (50,000 parentheses, && over ||) through every way the CLI takes a
     * policy: exit 125 with the place of the mistake, not a stack trace; the control compiles.
     */
    @Test
    void pathologicalPoliciesExit125WithTheirPlace(@TempDir Path dir) throws Exception {
        String parens = "ALLOW { read(fd) { " + "(".repeat(50_000) + "fd == 1" + ")".repeat(50_000) + " } } DEFAULT ALLOW";
        Path policy = dir.resolve("deep.kafel");
        Files.writeString(policy, parens);
        Run c = cli("seccomp", "compile", "--arch", "x86_64", "--policy", policy.toString(), "-o", dir.resolve("o").toString());
        assertEquals(125, c.exit(), c.toString());
        assertTrue(c.err().startsWith("sandbox4j: " + policy + ": line 1, column 220: conditions nest deeper than 200"),
                c.err());
        Run r = cli("run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("line 1, column 220: conditions nest deeper than 200"), r.err());
        Path conf = dir.resolve("jail.conf");
        Files.writeString(conf, "ro-system\nseccomp-string <<EOF\n" + parens + "\nEOF\n");
        r = cli("run", "--config", conf.toString(), "--", "/bin/true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().startsWith("sandbox4j: " + conf + ":3: seccomp policy: line 1, column 220"), r.err());
        StringBuilder andOr = new StringBuilder("ALLOW { write(fd, b, c) { ");
        for (int i = 0; i < 22; i++) {
            andOr.append(i > 0 ? " && " : "").append("(fd == ").append(i).append(" || c == ").append(i).append(")");
        }
        r = cli("run", "--ro-system", "--seccomp-string", andOr + " } } DEFAULT ALLOW", "--", "/bin/true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().startsWith("sandbox4j: --seccomp-string: line 1, column ")
                && r.err().contains("more than 65536 rules and conditions"), r.err());
        // control: the same route with a sane policy runs the command
        Files.writeString(policy, "ALLOW { read(fd) { ((fd == 1)) } } DEFAULT ALLOW");
        r = cli("run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/true");
        assertEquals(0, r.exit(), r.toString());
        c = cli("seccomp", "compile", "--arch", "x86_64", "--policy", policy.toString(), "-o", dir.resolve("o").toString());
        assertEquals(0, c.exit(), c.toString());
    }

    /** {@code --seccomp FILE} reads the file's {@code #include}s next to it, not in the working directory. */
    @Test
    void policyFileIncludesResolveNextToTheFile(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("uname.policy"), "#define EPERM 1\nPOLICY no_uname { ERRNO(EPERM) { uname } }\n");
        Path policy = dir.resolve("jail.policy");
        Files.writeString(policy, "#include \"lib/uname.policy\"\nUSE no_uname DEFAULT ALLOW\n");
        Run r = cli("run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/uname");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("Operation not permitted"), r.err());
        Run c = cli("seccomp", "compile", "--arch", "x86_64", "--policy", policy.toString(), "-o", dir.resolve("o").toString());
        assertEquals(0, c.exit(), c.toString());
        // control: the included file allows uname, and the same route runs it
        Files.writeString(lib.resolve("uname.policy"), "POLICY no_uname { ALLOW { uname } }\n");
        r = cli("run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/uname");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("Linux", r.out().trim());
        // a mistake in the included file names that file, its place and who included it
        Files.writeString(lib.resolve("uname.policy"), "POLICY no_uname {\n  ERRNO(1) { unme } }\n");
        r = cli("run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/uname");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains(lib.resolve("uname.policy") + ": line 2, column 14: unknown system call 'unme'")
                && r.err().contains("(included from " + policy + " line 1)"), r.err());
        // an include cycle is refused with its chain
        Files.writeString(lib.resolve("uname.policy"), "#include \"../jail.policy\"\n");
        r = cli("run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/uname");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("#include cycle: " + policy + " -> " + lib.resolve("uname.policy") + " -> "
                + policy), r.err());
    }

    @Test
    void compileAndDisassembleAnAllowFile(@TempDir Path dir) throws Exception {
        Path allow = dir.resolve("allow.txt");
        Files.writeString(allow, "# a tiny program\nread\nwrite\nexit_group\n");
        Path out = dir.resolve("p.bpf");
        Run c = cli("seccomp", "compile", "--arch", "aarch64", "--allow-file", allow.toString(), "--default", "ERRNO(1)",
                "-o", out.toString());
        assertEquals(0, c.exit(), c.toString());
        byte[] bpf = Files.readAllBytes(out);
        assertEquals(0, bpf.length % 8);
        Run d = cli("seccomp", "disasm", "--arch", "aarch64", out.toString());
        assertEquals(0, d.exit(), d.toString());
        assertTrue(d.out().contains("AUDIT_ARCH_AARCH64"), d.out());
        assertEquals(bpf.length / 8, d.out().lines().count(), "one line per instruction");
    }

    @Test
    void profilesAreListedAndUsable() throws Exception {
        Run list = cli("seccomp", "profiles");
        assertTrue(list.out().contains("LOCKDOWN_NO_EXEC") && list.out().contains("JVM_WORKER"), list.out());
        Run unknown = cli("run", "--seccomp", "NO_SUCH_PROFILE", "--", "/bin/true");
        assertEquals(125, unknown.exit());
        assertTrue(unknown.err().contains("neither a profile"), unknown.err());
    }
}
