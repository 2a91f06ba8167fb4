package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code sandbox4j example NAME}, run as a user runs it. */
@Tag("kernel")
class ExampleCommandTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();
    // Explicit JDKs, whichever one runs the tests (CI runs the suite on both).
    private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    record Run(int exit, String out) {}

    private static Run example(Path script, String javaHome, boolean unprivileged, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (unprivileged) {
            assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to uid 65534");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.add(script.toString());
        cmd.add("example");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(script.getParent().toFile());
        if (javaHome != null) {
            pb.environment().put("JAVA_HOME", javaHome);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "example did not finish: " + cmd);
        return new Run(p.exitValue(), out);
    }

    @ParameterizedTest(name = "JDK {0}, unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void lockdownContainsEveryAttackAndTheJvmKeepsWorking(int jdk, boolean unprivileged) throws Exception {
        String javaHome = (jdk == 25 ? JDK25 : JDK17).toString();
        assumeTrue(Files.isExecutable(Path.of(javaHome, "bin", "java")), javaHome + " missing");
        Path script = unprivileged ? CliCopy.script(CLI) : CLI;
        Path data = Files.createTempDirectory("sandbox4j-lockdown-data-");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Run r;
        try {
            r = example(script, javaHome, unprivileged, "lockdown", data.toString(), "3000");
        } finally {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("ALL CONTAINED, JVM WORKING"), r.out());
        long contained = r.out().lines().filter(l -> l.startsWith("ATTACK") && l.endsWith(": CONTAINED")
                || l.startsWith("ATTACK") && l.contains(": CONTAINED")).count();
        assertEquals(jdk == 25 ? 27 : 18, contained, r.out());
        assertTrue(r.out().contains("CHECK http: WORKING 3000 requests served"), r.out());
        // The child started before the lockdown keeps its old credentials: the report says so.
        assertTrue(r.out().matches("(?s).*REPORT PREEXISTING: child process \\d+ \\(sleep, child of thread \\d+\\).*"), r.out());
        if (jdk == 25) {
            assertTrue(r.out().contains("ATTACK ProcessBuilder from virtual thread: CONTAINED"), r.out());
        }
    }

    @Test
    void xmlExternalEntityCannotReachTheHostSecret() throws Exception {
        Run r = example(CLI, null, false, "xml");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("plain.xml: hello from a jailed XML parser"), r.out());
        assertTrue(r.out().contains("external-entity.xml: HANDLER_ERROR"), r.out());
        assertTrue(r.out().contains("FileNotFoundException"), r.out());
        assertFalse(r.out().contains("secret: host-secret-"), "the entity must not resolve: " + r.out());
    }

    @Test
    void unknownExampleIsAUsageError() throws Exception {
        Run r = example(CLI, null, false, "nope");
        assertEquals(125, r.exit());
        assertTrue(r.out().contains("sandbox4j: unknown example 'nope'"), r.out());
    }
}
