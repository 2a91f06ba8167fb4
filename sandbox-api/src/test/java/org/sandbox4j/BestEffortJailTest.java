package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.landlock.Landlock;

/**
 * Best effort on a host that refuses namespaces, simulated by marking them refused for this JVM
 * (the Docker-like harness, DockerLikeHarnessTest, has the real refusal): each attack fails in the
 * best-effort jail, and the same attack succeeds from a plain process of the same uid (the control).
 */
@Tag("kernel")
class BestEffortJailTest {
    @AfterEach
    void probeAgain() {
        BestEffort.forceRefusedForTests(null);
    }

    private static String attack() {
        return JailTestSupport.fixtures().resolve("attack").toString();
    }

    /** A directory every uid may write, with a secret file only the rules' absence protects. */
    static Path openDir(String name) throws IOException {
        Path d = JailTestSupport.worldReadableDir().resolve(name + "-" + System.nanoTime());
        Files.createDirectories(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path secret = d.resolve("secret");
        Files.writeString(secret, "s3cret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-rw-rw-"));
        return d;
    }

    /** The attack run as a plain process (no jail) with the jail's host uid (65534 under root): the control. */
    private static Result plain(JailMode mode, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (mode == JailMode.UNPRIVILEGED || LibC.geteuid() == 0) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.add(attack());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(new JailExit(false, p.exitValue(), 0, false, false), out, "");
    }

    /** Answers each connection to {@code server} with "hello", on a daemon thread, until it is closed. */
    static void serveHello(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept(); OutputStream o = c.getOutputStream()) {
                    o.write("hello".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static Sandbox.Builder jail(Path writable) {
        // tmpfs first: in a full jail it would cover the binds beneath /tmp made before it.
        return Sandbox.builder().bestEffort().tmpfs("/tmp").readOnly(attack()).readWrite(writable.toString())
                .proc("/proc").dev("/dev");
    }

    /** A write outside the rules is refused by Landlock, one to the readWrite path is not. */
    private static void assertWritesContained(Path allowed, Path outside) throws Exception {
        Result write = run(jail(allowed).build(), attack(), "write", outside + "/x");
        assertEquals("DENIED EACCES " + outside + "/x", write.out().trim(), write.toString());
        Result inside = run(jail(allowed).build(), attack(), "write", allowed + "/x");
        assertTrue(inside.ok(), "the rule's own path stays writable: " + inside);
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void readsAndWritesOutsideTheRulesAreDenied(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 1, "no Landlock");
        Path allowed = openDir("allowed");
        Path outside = openDir("outside");
        try (AutoCloseable m = mode.activate()) {
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            assertWritesContained(allowed, outside);
            Result read = run(jail(allowed).build(), attack(), "read", outside + "/secret");
            assertTrue(read.out().startsWith("DENIED EACCES"), read.toString());
            Result controlWrite = plain(mode, "write", outside + "/x2");
            assertTrue(controlWrite.ok(), "control: a plain process writes there: " + controlWrite);
            Result controlRead = plain(mode, "read", outside + "/secret");
            assertTrue(controlRead.ok(), "control: a plain process reads there: " + controlRead);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void thePrestartedLauncherStartsBestEffortJailsToo(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 1, "no Landlock");
        Path allowed = openDir("zallowed");
        Path outside = openDir("zoutside");
        try (AutoCloseable m = mode.activate()) {
            Sandbox.usePrestartedLauncher(true);
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            assertWritesContained(allowed, outside);
        } finally {
            org.sandbox4j.internal.PrestartedLauncher.setEnabled(null);
            assertTrue(org.sandbox4j.internal.PrestartedLauncher.shutdown(java.time.Duration.ofSeconds(10)));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void tcpToTheHostsLoopbackIsDenied(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 4, "TCP rules need Landlock ABI 4");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                AutoCloseable m = mode.activate()) {
            serveHello(server);
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            String port = Integer.toString(server.getLocalPort());
            Result denied = run(jail(openDir("net")).build(), attack(), "connect", port);
            assertEquals("DENIED EACCES connect", denied.out().trim(), denied.toString());
            Result control = plain(mode, "connect", port);
            assertEquals("OK connect: hello", control.out().trim(), "control: " + control);
            Result host = run(jail(openDir("net")).network(Network.HOST).build(), attack(), "connect", port);
            assertEquals("OK connect: hello", host.out().trim(), "control: network(HOST) in best effort: " + host);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void abstractUnixSocketsOfTheHostAreScoped(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 6, "scopes need Landlock ABI 6");
        String name = "sb4j-be-" + ProcessHandle.current().pid() + "-" + mode;
        Process listener = new ProcessBuilder(attack(), "listen-abstract", name).start();
        try (AutoCloseable m = mode.activate()) {
            byte[] line = new byte[10];
            assertEquals(10, listener.getInputStream().readNBytes(line, 0, 10), "LISTENING");
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            Result denied = run(jail(openDir("unix")).build(), attack(), "abstract", name);
            assertEquals("DENIED EPERM abstract", denied.out().trim(), denied.toString());
            Result control = plain(mode, "abstract", name);
            assertEquals("OK abstract", control.out().trim(), "control: " + control);
        } finally {
            listener.destroyForcibly().waitFor();
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void signalsToHostProcessesAreScoped(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 6, "scopes need Landlock ABI 6");
        try (AutoCloseable m = mode.activate()) {
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            Process victim = victim(mode);
            try {
                Result denied = run(jail(openDir("sig")).build(), attack(), "kill", Long.toString(victim.pid()));
                assertEquals("DENIED EPERM kill", denied.out().trim(), denied.toString());
                assertTrue(victim.isAlive());
                Result control = plain(mode, "kill", Long.toString(victim.pid()));
                assertEquals("OK kill", control.out().trim(), "control: " + control);
            } finally {
                victim.destroyForcibly().waitFor();
            }
        }
    }

    private static Process victim(JailMode mode) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (mode == JailMode.UNPRIVILEGED || LibC.geteuid() == 0) {
            // The jail runs as 65534 in both modes as root: a victim of its own uid, so only the scope refuses.
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(List.of(attack(), "sleep", "60"));
        return new ProcessBuilder(cmd).start();
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theReportSaysWhatWasApplied(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 6, "this report lists ABI 6 scopes");
        try (AutoCloseable m = mode.activate()) {
            BestEffort.forceRefusedForTests("container seccomp filter");
            SandboxedProcess p = jail(openDir("rep")).rlimit(org.sandbox4j.limits.Rlimit.NOFILE, 64).build()
                    .start(attack(), "status");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor());
            Isolation iso = p.isolation();
            assertEquals(Isolation.Level.BEST_EFFORT, iso.level());
            assertEquals("best effort: no namespaces (container seccomp filter); landlock ABI " + Landlock.abi()
                    + " (files, tcp, scopes), seccomp, rlimits", iso.line());
            assertTrue(out.contains("NoNewPrivs:\t1") && out.contains("CapEff:\t0000000000000000")
                    && out.contains("CapBnd:\t0000000000000000") == (LibC.geteuid() == 0 && mode == JailMode.PRIVILEGED)
                    && out.contains("Seccomp:\t2"), out);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void namespaceCallsAreRefusedEvenWithoutAFilterOfTheCallers(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            Result denied = run(jail(openDir("ns")).noSeccomp().build(), attack(), "unshare");
            assertTrue(denied.out().startsWith("DENIED EPERM"), denied.toString());
            BestEffort.forceRefusedForTests(null);
            Result control = run(Sandbox.builder().share(Namespace.values()).noSeccomp().build(),
                    attack(), "unshare");
            assertTrue(control.ok(), "control: the same jail without best effort's filter: " + control);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void leavingTheProcessGroupIsRefused(JailMode mode) throws Exception {
        String setsid = Integer.toString(org.sandbox4j.seccomp.Syscalls.number(Arch.current(), "setsid").orElseThrow());
        try (AutoCloseable m = mode.activate()) {
            BestEffort.forceRefusedForTests("test: namespaces marked refused");
            Result denied = run(jail(openDir("pg")).build(), attack(), "syscall", setsid);
            assertEquals("DENIED EPERM syscall", denied.out().trim(), denied.toString());
            Result derived = run(jail(openDir("pg")).bestEffort(false).build().toBuilder().bestEffort().build(), attack(),
                    "syscall", setsid);
            assertEquals("DENIED EPERM syscall", derived.out().trim(), "a jail derived with toBuilder(): " + derived);
            BestEffort.forceRefusedForTests(null);
            Result control = run(jail(openDir("pg")).build(), attack(), "syscall", setsid);
            assertEquals("OK syscall", control.out().trim(), "control: the full jail (a pid namespace holds it): " + control);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void whereNamespacesWorkNothingChanges(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = jail(openDir("full")).build().start(attack(), "hostname");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor());
            assertEquals(Isolation.Level.FULL, p.isolation().level());
            assertEquals("OK hostname sandbox", out.trim(), "the jail has its own UTS namespace");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aRequiredMinimumFailsBelowIt(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            BestEffort.forceRefusedForTests("container seccomp filter");
            Sandbox s = jail(openDir("min")).bestEffort(Isolation.Feature.NAMESPACES).build();
            SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> s.start(attack(), "exit", "0"));
            assertTrue(e.getMessage().contains("best effort lacks the required NAMESPACES"), e.getMessage());
            assertTrue(e.getMessage().contains("--best-effort"), e.getMessage());
        }
    }
}
