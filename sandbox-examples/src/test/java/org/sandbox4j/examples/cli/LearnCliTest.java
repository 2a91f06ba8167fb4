package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sandbox4j learn} and the violation line of {@code run}, as a user runs them: as root and as
 * uid 65534 (from a world-readable copy of the command).
 */
@Tag("kernel")
class LearnCliTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();
    private static final String PDF_DIR = "/usr/share/doc/shared-mime-info";
    private static final String PDF = PDF_DIR + "/shared-mime-info-spec.pdf";

    record Run(int exit, String out, String err) {}

    private static Run cli(boolean unprivileged, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        Path cli = CLI;
        if (unprivileged) {
            assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to uid 65534");
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            cli = CliCopy.script(CLI);
        }
        cmd.add(cli.toString());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(cli.getParent().toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sandbox4j did not finish: " + cmd);
        return new Run(p.exitValue(), out, err.get());
    }

    private static Path writableDir() throws Exception {
        Path d = Files.createTempDirectory("sandbox4j-learn-");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        d.toFile().deleteOnExit();
        return d;
    }

    @ParameterizedTest(name = "unprivileged={0}")
    @ValueSource(booleans = {false, true})
    void learnedPdftotextPolicyRunsTheSameCommand(boolean unprivileged) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pdftotext")) && Files.isReadable(Path.of(PDF)),
                "needs pdftotext (poppler-utils) and " + PDF);
        Path policy = writableDir().resolve("pdftotext.policy");
        Run learn = cli(unprivileged, "learn", "-o", policy.toString(), "--ro-system", "--ro-bind", PDF_DIR, "--",
                "pdftotext", PDF, "-");
        assertEquals(0, learn.exit(), learn.err());
        assertTrue(learn.err().contains("sandbox4j: learned "), learn.err());
        String text = Files.readString(policy);
        assertTrue(text.contains("USE learned DEFAULT KILL") && text.contains("execve") && text.contains("by pdftotext"), text);

        Run run = cli(unprivileged, "run", "--ro-system", "--ro-bind", PDF_DIR, "--seccomp", policy.toString(), "--",
                "pdftotext", PDF, "-");
        assertEquals(0, run.exit(), run.err() + "\n" + text);
        assertEquals(learn.out(), run.out(), "the same text, under the learned policy");
        assertTrue(run.out().length() > 1000, "pdftotext extracted the document");

        // Control: one more kind of call than the runs made (a socket) is refused, and named.
        Run more = cli(unprivileged, "run", "--ro-system", "--seccomp", policy.toString(), "--", "/bin/bash", "-c",
                "exec 3<>/dev/tcp/127.0.0.1/9");
        assertEquals(128 + 31, more.exit(), more.err());
        assertTrue(more.err().matches("(?s).*sandbox4j: killed by seccomp: \\w+\\(\\d+\\) \\[.*\\] in pid \\d+\n.*"), more.err());
    }

    @ParameterizedTest(name = "unprivileged={0}")
    @ValueSource(booleans = {false, true})
    void runNamesTheCallAFilterKilled(boolean unprivileged) throws Exception {
        Run r = cli(unprivileged, "run", "--ro-system", "--seccomp-string", "POLICY p { KILL { socket } } USE p DEFAULT ALLOW",
                "--", "/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9");
        assertEquals(128 + 31, r.exit(), r.err());
        int nr = org.sandbox4j.seccomp.Syscalls.number(org.sandbox4j.Arch.current(), "socket").orElseThrow();
        assertTrue(r.err().matches("(?s)(.*\n)?sandbox4j: killed by seccomp: socket\\(" + nr
                + "\\) \\[AF_\\w+, SOCK_STREAM[|A-Z_]*, 0\\] in pid 2\n.*"), r.err());
        Run control = cli(unprivileged, "run", "--ro-system", "--", "/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 || exit 3");
        assertTrue(control.exit() != 128 + 31 && !control.err().contains("killed by seccomp"), "control: " + control);
    }

    @ParameterizedTest(name = "unprivileged={0}")
    @ValueSource(booleans = {false})
    void learnNeedsAnOutputFile(boolean unprivileged) throws Exception {
        Run r = cli(unprivileged, "learn", "--ro-system", "--", "/bin/true");
        assertEquals(125, r.exit());
        assertTrue(r.err().startsWith("sandbox4j: learn needs -o FILE"), r.err());
    }
}
