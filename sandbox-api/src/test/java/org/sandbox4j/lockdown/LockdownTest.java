package org.sandbox4j.lockdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.internal.LibC;

/**
 * Each lockdown in its own JVM (it cannot be undone), root and uid 65534. The full attack example
 * (JDK 17 and 25, old, new and virtual threads) runs as {@code sandbox4j example lockdown} in
 * sandbox-examples' tests.
 */
@Tag("kernel")
class LockdownTest {
    static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    private static String classpath() {
        return JailTestSupport.worldReadableClasspathArg();
    }

    static String run(String java, boolean unprivileged, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (unprivileged) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=/tmp", "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new File("/")).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
        return p.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "unprivileged={0}")
    @CsvSource({"false", "true"})
    void aThreadThatBlocksTheSignalFailsTheLockdownByName(boolean unprivileged) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = run(java, unprivileged, LockdownScenarioMain.class.getName(), "blocked-thread");
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("FAILED THREADS"), out);
        assertTrue(out.contains("(blocker)"), out);
        assertTrue(out.contains("not covered"), out);
        assertTrue(out.contains("already in effect"), out);
    }

    @ParameterizedTest(name = "unprivileged={0}")
    @CsvSource({"false", "true"})
    void strictLandlockFailureLeavesTheProcessUnchanged(boolean unprivileged) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = run(java, unprivileged, LockdownScenarioMain.class.getName(), "missing-path");
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("FAILED PREPARE"), out);
        assertTrue(out.contains("nothing was applied"), out);
        assertTrue(out.contains("NoNewPrivs:\t0"), out);
    }
}
