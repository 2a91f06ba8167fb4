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

/** Each lockdown in its own JVM (it cannot be undone): JDK 17 and 25, root and uid 65534. */
@Tag("kernel")
class LockdownTest {
    static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    private static String classpath;

    private static synchronized String classpath() throws IOException {
        if (classpath == null) {
            Path dir = Files.createDirectory(JailTestSupport.fixtures().resolve("lockdown-cp"));
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path src = Path.of(e);
                if (!Files.exists(src)) {
                    continue;
                }
                Path dst = dir.resolve(i++ + (Files.isDirectory(src) ? "" : ".jar"));
                if (Files.isDirectory(src)) {
                    try (Stream<Path> s = Files.walk(src)) {
                        for (Path p : (Iterable<Path>) s::iterator) {
                            Path t = dst.resolve(src.relativize(p).toString());
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    }
                } else {
                    Files.copy(src, dst);
                }
                entries.add(dst.toString());
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            classpath = String.join(File.pathSeparator, entries);
        }
        return classpath;
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

    @ParameterizedTest(name = "{0} unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void everyAttackIsContainedFromOldNewAndVirtualThreadsAndTheJvmKeepsWorking(int jdk, boolean unprivileged)
            throws Exception {
        String java = jdk == 25 ? JDK25 : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assumeTrue(Files.isExecutable(Path.of(java)), java + " missing");
        Path data = JailTestSupport.worldReadableDir().resolve("data");
        Files.createDirectory(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        String out = run(java, unprivileged, LockdownExampleMain.class.getName(), data.toString(), "3000");
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("ALL CONTAINED, JVM WORKING"), out);
        long attacks = out.lines().filter(l -> l.startsWith("ATTACK") && l.contains(": CONTAINED")).count();
        assertEquals(jdk == 25 ? 27 : 18, attacks, out);
        assertTrue(out.contains("CHECK http: WORKING 3000 requests served"), out);
        if (jdk == 25) {
            assertTrue(out.contains("ATTACK ProcessBuilder from virtual thread: CONTAINED"), out);
            assertTrue(out.contains("CHECK virtual-threads: WORKING"), out);
        }
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
