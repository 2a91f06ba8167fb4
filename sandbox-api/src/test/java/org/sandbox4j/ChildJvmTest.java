package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.internal.LibC;

/**
 * Whole JVMs using the library: as root and as uid 65534 (an ordinary user's application, with the
 * launcher from the jar, not the test's copy), and dying by SIGKILL with jails running.
 */
@Tag("kernel")
class ChildJvmTest {
    private static String classpath() {
        return JailTestSupport.worldReadableClasspathArg();
    }

    private static Process childJvm(JailMode mode, String... args) throws IOException {
        return childJvm(mode, List.of(), args);
    }

    private static Process childJvm(JailMode mode, List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (mode == JailMode.UNPRIVILEGED) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=/tmp"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath(), ChildJvmMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).directory(new File("/")).start();
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void jailsDieWithTheirJvm(JailMode mode) throws Exception {
        jailsDieWithTheirJvm(mode, List.of());
    }

    /** The same with the prestarted launcher: the zygote holds the lifeline and kills its jails. */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void jailsOfThePrestartedLauncherDieWithTheirJvm(JailMode mode) throws Exception {
        jailsDieWithTheirJvm(mode, List.of("-Dsandbox4j.spawn=prestarted"));
    }

    private static void jailsDieWithTheirJvm(JailMode mode, List<String> jvmArgs) throws Exception {
        String marker = "jvm-death-" + System.nanoTime();
        killJvmAndCheckTheJail(childJvm(mode, jvmArgs, "hold", JailTestSupport.fixtures().resolve("attack").toString(),
                marker), marker, 4, "the jail's program and 3 children run");
    }

    /**
     * Waits for the child JVM's READY, checks that {@code expected} jailed processes carry {@code
     * marker}, SIGKILLs the JVM (no shutdown hook, no finalizer runs) and requires that none is left.
     */
    private static void killJvmAndCheckTheJail(Process jvm, String marker, int expected, String what) throws Exception {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY", r.readLine(), "the child JVM started its jail");
            List<Long> jailed = HostProcesses.withArg(marker);
            jailed.remove(Long.valueOf(jvm.pid())); // the JVM's own command line has the marker too
            assertEquals(expected, jailed.size(), what);
            jvm.destroyForcibly();
            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
            HostProcesses.awaitNone(marker, Duration.ofSeconds(5));
        } finally {
            jvm.destroyForcibly();
            for (long pid : HostProcesses.withArg(marker)) {
                if (pid != jvm.pid()) {
                    LibC.kill((int) pid, LibC.SIGKILL); // what a failed check left behind
                }
            }
        }
    }

    /**
     * The JVM's SIGKILL also removes the jail's cgroups: the launcher outlives the JVM through its
     * lifeline, ends everything in them and removes the directories (no Java code runs then).
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aKilledJvmLeavesNoCgroupBehind(JailMode mode) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "root creates the cgroups (and for 65534 the delegated subtree)");
        assumeTrue(mode == JailMode.PRIVILEGED || !org.sandbox4j.internal.Cgroups.host().v2Usable(),
                "a v2 subtree delegated to 65534 only serves a launcher inside it");
        String marker = "jvm-cgroup-" + System.nanoTime();
        List<String> args = new ArrayList<>(List.of("cgroup", JailTestSupport.fixtures().resolve("attack").toString(), marker));
        Path parent = CgroupTest.parentFor(mode);
        if (parent != null) {
            args.add(parent.toString());
        }
        Process jvm = childJvm(mode, args.toArray(String[]::new));
        List<Path> dirs = new ArrayList<>();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && line.startsWith("CG ")) {
                dirs.add(Path.of(line.substring(3)));
            }
            assertEquals("READY", line, "the child JVM started its jail");
            assertTrue(!dirs.isEmpty(), "the jail has cgroups");
            for (Path d : dirs) {
                assertTrue(Files.isDirectory(d), d + " exists while the jail runs");
            }
            jvm.destroyForcibly();
            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
            HostProcesses.awaitNone(marker, Duration.ofSeconds(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (dirs.stream().anyMatch(Files::exists) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            for (Path d : dirs) {
                assertTrue(!Files.exists(d), d + " was left behind by a JVM killed with SIGKILL");
            }
        } finally {
            jvm.destroyForcibly();
            for (long pid : HostProcesses.withArg(marker)) {
                if (pid != jvm.pid()) {
                    LibC.kill((int) pid, LibC.SIGKILL);
                }
            }
            for (Path d : dirs) {
                LibC.rmdir(d.toString());
            }
        }
    }

    static Stream<Arguments> outliveCases() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (JailMode m : JailMode.values()) {
            for (JailEndTest.Kind k : JailEndTest.Kind.values()) {
                s.add(Arguments.of(m, k));
            }
        }
        return s.build();
    }

    /**
     * The JVM's SIGKILL ends every jail whole, in every mode: the program cleared its pdeathsig and
     * left a setsid()'d daemon (attack outlive), and neither survives; the launcher (or the zygote)
     * sees its lifeline close and kills the jail before it exits.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("outliveCases")
    void jailsThatTryToOutliveTheirJvmDieWithIt(JailMode mode, JailEndTest.Kind kind) throws Exception {
        String marker = "jvm-outlive-" + System.nanoTime();
        List<String> jvmArgs = kind.prestarted() ? List.of("-Dsandbox4j.spawn=prestarted") : List.of();
        killJvmAndCheckTheJail(childJvm(mode, jvmArgs, "outlive", JailTestSupport.fixtures().resolve("attack").toString(),
                marker, kind.name()), marker, 2, "the jail's program and its daemon run");
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aJvmOfAnyUserJailsWithTheLauncherFromItsJar(JailMode mode) throws Exception {
        Path secret = JailTestSupport.worldReadableDir().resolve("child-secret");
        Files.writeString(secret, "child-secret");
        Process jvm = childJvm(mode, "read", JailTestSupport.fixtures().resolve("attack").toString(), secret.toString());
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(30, TimeUnit.SECONDS));
        assertTrue(out.startsWith("DENIED ENOENT"), out);
        assertTrue(out.contains("uid=" + (mode == JailMode.UNPRIVILEGED ? 65534 : LibC.geteuid())), out);
        assertEquals(1, jvm.exitValue());
    }
}
