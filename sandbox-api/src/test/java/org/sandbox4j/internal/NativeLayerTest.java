package org.sandbox4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sandbox4j.JailTestSupport;

/**
 * Which native layer runs: FFM on JDK 22+ (the multi-release classes), JNA on 17 to 21; and on 22+
 * the first jail of a JVM loads no JNA class and extracts no libjnidispatch.so. The control runs the
 * same child with {@code -Dsandbox4j.native=jna}: then JNA's classes and its libjnidispatch.so
 * mapping show, so the checks can see them. The CI runs this on JDK 17 and on JDK 25.
 */
class NativeLayerTest {
    private static final int FEATURE = Runtime.version().feature();

    @Test
    void theImplementationFollowsTheJdk() {
        assertEquals(FEATURE >= 22 ? "ffm" : "jna", NativeCalls.get().name(), "JDK " + FEATURE);
    }

    @Test
    void errnoIsTheLastCallsOnEitherLayer() {
        assertEquals(-1, LibC.close(-1));
        assertEquals(9, LibC.errno()); // EBADF
        assertEquals("Bad file descriptor", LibC.strerrorText(9));
        assertEquals(-1, LibC.open("/nonexistent-native-layer-test", LibC.O_RDONLY, 0));
        assertEquals(2, LibC.errno()); // ENOENT
    }

    /** As root and as uid 65534 (through setpriv, the class path copied world-readable). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theFirstJailLoadsNoJnaOnJdk22(boolean unprivileged) throws Exception {
        Child c = child(unprivileged, null);
        assertTrue(c.out.contains("exit=0"), c.out);
        if (FEATURE >= 22) {
            assertTrue(c.out.contains("impl=ffm"), c.out);
            assertFalse(c.classLog.contains("com.sun.jna."), "a JNA class was loaded: " + firstJna(c.classLog));
            assertTrue(c.out.contains("jnidispatch=false"), c.out);
            assertEquals(List.of(), c.extracted, "files under the JNA temp and cache directories");
        } else {
            assertTrue(c.out.contains("impl=jna"), c.out);
            assertTrue(c.classLog.contains("com.sun.jna.Native "), "JNA's Native class was not loaded on JDK " + FEATURE);
        }
    }

    /** The control: the same checks see JNA when it is used. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theChecksSeeJnaWhenItIsUsed(boolean unprivileged) throws Exception {
        Child c = child(unprivileged, "jna");
        assertTrue(c.out.contains("impl=jna exit=0 jnidispatch=true"), c.out);
        assertTrue(c.classLog.contains("com.sun.jna.Native "), "the class-load log shows no JNA");
        // (JNA may delete its extracted copy once loaded: the mapping above names it either way.)
    }

    private record Child(String out, String classLog, List<String> extracted) {}

    private static Child child(boolean unprivileged, String forced) throws IOException, InterruptedException {
        if (unprivileged) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is missing");
        }
        Path tmp = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path jnaTmp = Files.createDirectories(tmp.resolve("jna-tmp"));
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        for (Path d : new Path[] {jnaTmp, cache}) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Path log = tmp.resolve("classes.log");
        List<String> cmd = new ArrayList<>();
        if (unprivileged) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info:file=" + log, "-Djna.tmpdir=" + jnaTmp));
        if (forced != null) {
            cmd.add("-Dsandbox4j.native=" + forced);
        }
        cmd.addAll(List.of("-cp", unprivileged ? JailTestSupport.worldReadableClasspathArg() : System.getProperty("java.class.path"),
                NativeLayerProbeMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not end");
        assertEquals(0, p.exitValue(), out);
        List<String> files = new ArrayList<>();
        for (Path d : new Path[] {jnaTmp, cache}) {
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(Files::isRegularFile).forEach(f -> files.add(f.toString()));
            }
        }
        return new Child(out, Files.readString(log), files);
    }

    private static String firstJna(String log) {
        return log.lines().filter(l -> l.contains("com.sun.jna.")).findFirst().orElse("");
    }
}
