package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandbox4j run --best-effort} under a filter that refuses namespace creation as a container's
 * does (compiled by {@code sandbox4j seccomp compile}, installed by src/test/c/seccomp_exec.c in
 * sandbox-api): strict exits 125 naming the option, best effort runs confined and prints its one line.
 */
@Tag("kernel")
class BestEffortCliTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                return new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), cmd.toString());
        return new Run(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }

    /** The CLI run under a seccomp filter that refuses namespaces (as Docker's default profile does). */
    private List<String> filtered(String... args) throws Exception {
        Path policy = dir.resolve("no-namespaces.kafel");
        Files.writeString(policy, String.join("\n", "POLICY p {",
                "  ERRNO(1) { unshare, setns, mount, clone(flags, stack, ptid, ctid, tls) { (flags & 0x7e020000) != 0 } },",
                "  ERRNO(38) { clone3 }", "}", "USE p DEFAULT ALLOW", ""));
        Path bpf = dir.resolve("no-namespaces.bpf");
        Run c = run(List.of(CLI.toString(), "seccomp", "compile", "--arch", org.sandbox4j.Arch.current().name().toLowerCase(),
                "--policy", policy.toString(), "-o", bpf.toString()));
        assertEquals(0, c.exit(), c.err());
        Path exec = dir.resolve("seccomp_exec");
        Run gcc = run(List.of("gcc", "-O2", "-o", exec.toString(),
                Path.of("../sandbox-api/src/test/c/seccomp_exec.c").toAbsolutePath().toString()));
        assertEquals(0, gcc.exit(), gcc.err());
        List<String> cmd = new ArrayList<>(List.of(exec.toString(), bpf.toString(), CLI.toString()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    @Test
    void strictFailsNamingTheOptionAndBestEffortSaysWhatItApplied() throws Exception {
        Run strict = run(filtered("run", "--ro-system", "--", "/bin/true"));
        assertEquals(125, strict.exit(), strict.err());
        assertTrue(strict.err().contains("a seccomp filter (a container's profile") && strict.err().contains("'--best-effort'"),
                strict.err());
        Run be = run(filtered("run", "--best-effort", "--ro-system", "--", "/bin/cat", "/etc/hostname"));
        assertEquals(1, be.exit(), "cat cannot read /etc/hostname, which no rule grants: " + be.err());
        assertTrue(be.err().contains("/bin/cat: /etc/hostname: Permission denied"), be.err());
        assertTrue(be.err().contains("\nsandbox4j: best effort: no namespaces (container seccomp filter); landlock ABI ")
                || be.err().startsWith("sandbox4j: best effort: no namespaces (container seccomp filter); landlock ABI "),
                be.err());
        Run control = run(filtered("run", "--best-effort", "--ro-system", "--ro-bind", "/etc/hostname", "--",
                "/bin/cat", "/etc/hostname"));
        assertEquals(0, control.exit(), "control: with a rule for it, the file is readable: " + control.err());
        Run quiet = run(filtered("run", "--best-effort", "-q", "--ro-system", "--", "/bin/true"));
        assertEquals("", quiet.err(), "--quiet prints nothing");
        Run full = run(List.of(CLI.toString(), "run", "--best-effort", "--ro-system", "--", "/bin/true"));
        assertEquals("", full.err(), "where namespaces work best effort changes nothing, not even the output");
        Run bad = run(List.of(CLI.toString(), "run", "--best-effort-require", "files,teleport", "--", "/bin/true"));
        assertEquals(125, bad.exit());
        assertTrue(bad.err().contains("unknown best-effort feature 'teleport'"), bad.err());
    }
}
