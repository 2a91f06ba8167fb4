package org.sandbox4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.internal.LibC;

/**
 * A JVM running a gVisor jail dies by SIGKILL (no shutdown hook runs): runsc, its gofer and sandbox
 * die too and the jail's directory (bundle and runsc state) is removed, by the watchdog. As root and
 * as uid 65534 (the whole JVM, so runsc runs rootless as an ordinary user's application would).
 */
@Tag("kernel")
class GvisorJvmDeathTest {

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theSandboxDiesWithItsJvm(JailMode mode) throws Exception {
        GvisorRuntimeTest.assumeRunsc();
        List<String> cmd = new ArrayList<>();
        if (mode == JailMode.UNPRIVILEGED) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=/tmp",
                "-cp", JailTestSupport.worldReadableClasspathArg(), GvisorChildMain.class.getName(),
                JailTestSupport.fixtures().resolve("attack").toString()));
        Process jvm = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).directory(new File("/")).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY", r.readLine());
            List<ProcessHandle> runsc = jvm.descendants().filter(h -> h.info().command().orElse("").contains("runsc")
                    || h.info().commandLine().orElse("").contains("runsc")).toList();
            assertFalse(runsc.isEmpty(), "control: runsc runs under the child JVM");
            String args = String.join(" ", runsc.get(0).info().arguments().orElse(new String[0]));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("--bundle (\\S+)").matcher(args);
            Path dir = null;
            for (ProcessHandle h : jvm.descendants().toList()) {
                m = java.util.regex.Pattern.compile("--bundle[ =](\\S+)").matcher(h.info().commandLine().orElse(""));
                if (m.find()) {
                    dir = Path.of(m.group(1));
                }
            }
            assertTrue(dir != null && Files.isDirectory(dir), "control: the jail's directory exists: " + dir);
            List<ProcessHandle> all = new ArrayList<>(runsc);
            all.addAll(GvisorRuntimeTest.runscProcesses(jvm.pid()).stream().map(p -> ProcessHandle.of(p).orElse(null))
                    .filter(java.util.Objects::nonNull).toList());
            jvm.toHandle().destroyForcibly();
            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && (all.stream().anyMatch(ProcessHandle::isAlive) || Files.exists(dir))) {
                Thread.sleep(50);
            }
            assertEquals(List.of(), all.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList(),
                    "runsc processes outlived their JVM");
            assertFalse(Files.exists(dir), "the jail's directory outlived its JVM: " + dir);
        } finally {
            jvm.destroyForcibly();
        }
    }
}
