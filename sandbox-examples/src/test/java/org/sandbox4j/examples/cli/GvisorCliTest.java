package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sandbox4j run --runtime gvisor} and {@code sandbox4j export}, through the built command, as
 * root and as uid 65534 (a world-readable copy run through setpriv).
 */
@Tag("kernel")
class GvisorCliTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();

    record Run(int exit, String out, String err) {}

    static boolean unprivilegedPossible() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
    }

    private static Run cli(boolean unprivileged, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        Path script = CLI;
        if (unprivileged) {
            assumeTrue(unprivilegedPossible(), "uid 65534 needs a root test JVM and setpriv");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            script = CliCopy.script(CLI);
        }
        cmd.add(script.toString());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(new File("/tmp")).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sandbox4j did not finish: " + cmd);
        return new Run(p.exitValue(), out, err.get());
    }

    static void assumeRunsc() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/runsc")), "runsc is not installed (apt-get install runsc)");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void runtimeGvisorRunsUnderGvisorsKernelWithTheExitStatusMirrored(boolean unprivileged) throws Exception {
        assumeRunsc();
        Run uname = cli(unprivileged, "run", "--runtime", "gvisor", "--ro-system", "--", "/usr/bin/uname", "-r");
        assertEquals(0, uname.exit(), uname.toString());
        assertNotEquals(System.getProperty("os.version"), uname.out().strip(), uname.toString());
        Run nat = cli(unprivileged, "run", "--ro-system", "--", "/usr/bin/uname", "-r");
        assertEquals(System.getProperty("os.version"), nat.out().strip(), "control: " + nat);
        Run exit = cli(unprivileged, "run", "--runtime", "gvisor", "--ro-system", "--", "/bin/sh", "-c", "exit 7");
        assertEquals(7, exit.exit(), exit.toString());
        Run sig = cli(unprivileged, "run", "--runtime", "gvisor", "--ro-system", "--", "/bin/sh", "-c", "kill -TERM $$");
        assertEquals(143, sig.exit(), sig.toString());
    }

    @Test
    void inheritedOutputKeepsTheShellsOrder() throws Exception {
        assumeRunsc();
        Path out = Files.createTempFile("sandbox4j-cli-", ".txt");
        for (String runtime : List.of("native", "gvisor")) {
            String line = "echo a; " + CLI + " run --runtime " + runtime + " --ro-system -- /bin/sh -c 'echo b; echo e >&2';"
                    + " echo c";
            Process p = new ProcessBuilder("/bin/sh", "-c", "{ " + line + "; } > " + out + " 2>&1").start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("a\nb\ne\nc\n", Files.readString(out), runtime);
        }
        Files.delete(out);
    }

    @Test
    void anOptionGvisorCannotHonourFailsWith125NamingIt() throws Exception {
        Run r = cli(false, "run", "--runtime", "gvisor", "--seccomp", "DOCUMENT_PARSER", "--", "/bin/true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("gvisor cannot honour seccomp("), r.toString());
        Run bad = cli(false, "run", "--runtime", "firecracker", "--", "/bin/true");
        assertEquals(125, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("native or gvisor"), bad.toString());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void exportedBwrapLineRunsTheSameJail(boolean unprivileged) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
        Path dir = Files.createTempDirectory("sandbox4j-export-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path out = dir.resolve("out");
        Run e = cli(unprivileged, "export", "--format", "bwrap", "-o", out.toString(), "--ro-system", "--", "/usr/bin/id", "-u");
        assertEquals(0, e.exit(), e.toString());
        assertTrue(e.out().startsWith("prlimit ") && e.out().contains(" bwrap ") && e.out().contains("--seccomp 9"), e.toString());
        List<String> sh = new ArrayList<>();
        if (unprivileged) {
            sh.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        sh.addAll(List.of("/bin/sh", "-c", e.out().strip()));
        Process p = new ProcessBuilder(sh).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("65534", text.strip(), text);
        Run nat = cli(unprivileged, "run", "--ro-system", "--", "/usr/bin/id", "-u");
        assertEquals(nat.out().strip(), text.strip(), "the native jail says the same");
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        }
    }

    @Test
    void exportFormatsAndTheirErrors() throws Exception {
        Run oci = cli(false, "export", "--format", "oci", "--tmpfs", "/tmp", "--", "/bin/true");
        assertEquals(0, oci.exit(), oci.toString());
        assertTrue(oci.out().contains("\"ociVersion\"") && oci.out().contains("\"destination\": \"/tmp\""), oci.toString());
        Run ns = cli(false, "export", "--format", "nsjail", "--ro-system", "--", "/usr/bin/id");
        assertEquals(0, ns.exit(), ns.toString());
        org.sandbox4j.config.NsjailConfig.parse(ns.out(), "export", Path.of("/"));
        Run none = cli(false, "export", "--ro-system", "--", "/usr/bin/id");
        assertEquals(125, none.exit(), none.toString());
        Run refused = cli(false, "export", "--format", "nsjail", "--no-seccomp", "--", "/usr/bin/id");
        assertEquals(125, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("noSeccomp()"), refused.toString());
    }
}
