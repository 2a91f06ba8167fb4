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
        return run(java, unprivileged, Path.of("/tmp"), mainClass, args);
    }

    /** Runs {@code mainClass} in a child JVM whose java.io.tmpdir is {@code tmp}; its exit code, a newline, its output. */
    static String run(String java, boolean unprivileged, Path tmp, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (unprivileged) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp", classpath(), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new File("/")).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
        return p.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
    }

    private static Path uringLib;

    /** src/test/c/uring_attacker.c as a shared library in the world-readable fixture directory. */
    static synchronized String uringLib() throws Exception {
        if (uringLib == null) {
            Path src = Path.of(System.getProperty("sandbox4j.test.csrc", "src/test/c")).resolve("uring_attacker.c");
            Path lib = JailTestSupport.worldReadableDir().resolve("libsb4jt_uring.so");
            Process gcc = new ProcessBuilder("gcc", "-Wall", "-Wextra", "-Werror", "-O2", "-shared", "-fPIC", "-o",
                    lib.toString(), src.toString()).redirectErrorStream(true).start();
            String msg = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, gcc.waitFor(), "gcc uring_attacker.c: " + msg);
            Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
            uringLib = lib;
        }
        return uringLib.toString();
    }

    static String java(int jdk) {
        String java = jdk == 25 ? JDK25 : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assumeTrue(Files.isExecutable(Path.of(java)), java + " missing");
        return java;
    }

    private static long elapsedMillis(String out) {
        return Long.parseLong(out.lines().filter(l -> l.startsWith("ELAPSED ms ")).findFirst().orElseThrow().substring(11));
    }

    /** Runs a scenario of {@link LockdownScenarioMain}; asserts it exited 0 and printed every one of {@code expected}. */
    private static String scenario(int jdk, boolean unprivileged, List<String> expected, String... args) throws Exception {
        // The child's temporary directories go below the fixtures (deleted when this JVM exits): once
        // locked down it cannot remove them itself. 0777: uid 65534 creates them.
        Path tmp = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        String out = run(java(jdk), unprivileged, tmp, LockdownScenarioMain.class.getName(), args);
        assertTrue(out.startsWith("0\n"), out);
        for (String e : expected) {
            assertTrue(out.contains(e), "expected '" + e + "' in:\n" + out);
        }
        return out;
    }

    /**
     * Issue #10/9: a ring with a registered personality and a linked OPENAT+WRITE chain queued before
     * the lockdown. Refused in PREPARE, nothing applied (no_new_privs and seccomp still 0, Landlock
     * absent: the thread may still write outside); the message and the exception name the ring's fd.
     */
    @ParameterizedTest(name = "JDK {0}, unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void aQueuedIoUringChainIsRefusedInPrepareAndNothingIsApplied(int jdk, boolean unprivileged) throws Exception {
        String out = scenario(jdk, unprivileged, List.of("FAILED PREPARE", "allowPreexistingIoUring()", "nothing was applied",
                "NoNewPrivs:\t0", "Seccomp:\t0", "DIRECT-WRITE allowed"), "uring-chain", uringLib(), "refuse");
        String fd = out.lines().filter(l -> l.startsWith("RING fd ")).findFirst().orElseThrow().split(" ")[2];
        assertTrue(out.contains("pre-existing channels would keep acting with the credentials of before the lockdown"
                + " (past Landlock, seccomp and the capability drop): io_uring fd " + fd + " (no SQPOLL thread"), out);
        assertTrue(out.contains("FOUND IO_URING io_uring fd " + fd), out);
    }

    /**
     * Control for the test above, and the documented risk of accepting: with
     * allowPreexistingIoUring() the lockdown applies (Landlock denies this thread's own write outside),
     * and the chain queued before still creates and writes a file there.
     */
    @ParameterizedTest(name = "JDK {0}, unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void anAcceptedIoUringChainStillWritesWhereLandlockForbids(int jdk, boolean unprivileged) throws Exception {
        scenario(jdk, unprivileged, List.of("\nAPPLIED\n", "REPORT PREEXISTING: io_uring fd ", "ACCEPTED", "NoNewPrivs:\t1",
                "Seccomp:\t2", "DIRECT-WRITE denied AccessDeniedException", "CHAIN-WROTE written-by-io_uring"),
                "uring-chain", uringLib(), "accept");
    }

    /**
     * Issue #10/9: a SQPOLL ring's kernel thread never answers the broadcast. Refused at once in
     * PREPARE (not after the 5 s broadcast timeout), naming the iou-sqp thread; nothing applied.
     */
    @ParameterizedTest(name = "JDK {0}, unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void aSqpollRingIsRefusedUpFrontNamingItsThread(int jdk, boolean unprivileged) throws Exception {
        String out = scenario(jdk, unprivileged, List.of("FAILED PREPARE", "nothing was applied", "NoNewPrivs:\t0",
                "Seccomp:\t0"), "uring-sqpoll", uringLib(), "refuse");
        assertTrue(out.matches("(?s).*io_uring kernel thread \\d+ \\(iou-sqp-\\d+, flags 0x.*"), out);
        assertTrue(out.matches("(?s).*io_uring fd \\d+ \\(SQPOLL thread \\d+.*"), out);
        long ms = elapsedMillis(out);
        assertTrue(ms < 2000, "refused after " + ms + " ms, not up front: " + out);
    }

    /** Accepted, a SQPOLL ring's thread is left out of the broadcast: the lockdown applies at once and reports it. */
    @ParameterizedTest(name = "JDK {0}, unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void anAcceptedSqpollRingLetsTheLockdownApplyAndIsReported(int jdk, boolean unprivileged) throws Exception {
        String out = scenario(jdk, unprivileged, List.of("\nAPPLIED\n", "NoNewPrivs:\t1", "Seccomp:\t2"),
                "uring-sqpoll", uringLib(), "accept");
        assertTrue(out.matches("(?s).*REPORT PREEXISTING: io_uring kernel thread \\d+ \\(iou-sqp-\\d+.*ACCEPTED.*"), out);
        long ms = elapsedMillis(out);
        assertTrue(ms < 2000, "applied after " + ms + " ms: the broadcast waited for the kernel thread: " + out);
    }

    /** A ring whose fd was closed stays alive through its mappings: found in /proc/self/maps and refused. */
    @ParameterizedTest(name = "unprivileged={0}")
    @CsvSource({"false", "true"})
    void aRingMappedWithoutAnFdIsRefused(boolean unprivileged) throws Exception {
        scenario(17, unprivileged, List.of("FAILED PREPARE", "io_uring mapped without an fd (inode ", "NoNewPrivs:\t0"),
                "uring-mapped", uringLib());
    }

    /** Without a ring the lockdown works as before and reports no pre-existing channel. */
    @ParameterizedTest(name = "JDK {0}, unprivileged={1}")
    @CsvSource({"17, false", "17, true", "25, false", "25, true"})
    void withoutARingTheLockdownAppliesAsBefore(int jdk, boolean unprivileged) throws Exception {
        scenario(jdk, unprivileged, List.of("\nAPPLIED\n", "REPORT PREEXISTING: none", "NoNewPrivs:\t1", "Seccomp:\t2"),
                "no-ring");
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
