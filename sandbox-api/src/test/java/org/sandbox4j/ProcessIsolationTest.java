package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;

/** Attacks on processes, network, descriptors, environment, host name. */
@Tag("kernel")
class ProcessIsolationTest {

    /** A host process owned by the jail's host uid, so that only the pid namespace protects it. */
    private static Process victim(JailMode mode) throws Exception {
        return new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + mode.hostUid(), "--regid=" + mode.hostUid(),
                "--clear-groups", "/usr/bin/sleep", "300").start();
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void hostProcessesCannotBeSeenOrKilled(JailMode mode) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.sandbox4j.internal.LibC.geteuid() == 0, "needs root to run the victim as the jail's uid");
        Process victim = victim(mode);
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().build(), ATTACK, "kill", Long.toString(victim.pid()));
            assertTrue(r.out().startsWith("DENIED ESRCH"), r.toString());
            assertTrue(victim.isAlive());

            // Control: sharing the host pid namespace, the same kill succeeds.
            Result control = run(base().share(Namespace.PID).build(), ATTACK, "kill", Long.toString(victim.pid()));
            assertTrue(control.ok(), control.toString());
            assertTrue(victim.waitFor(5, TimeUnit.SECONDS));
        } finally {
            victim.destroyForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void hostLoopbackServiceIsUnreachable(JailMode mode) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                AutoCloseable m = mode.activate()) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        s.getOutputStream().write("hello-from-host".getBytes(StandardCharsets.UTF_8));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String port = Integer.toString(server.getLocalPort());
            Result r = run(base().build(), ATTACK, "connect", port);
            assertTrue(r.out().startsWith("DENIED ECONNREFUSED"), "own netns, own empty loopback: " + r);

            Result control = run(base().network(Network.HOST).build(), ATTACK, "connect", port);
            assertTrue(control.ok() && control.out().contains("hello-from-host"), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void jvmFileDescriptorsDoNotLeak(JailMode mode) throws Exception {
        Path secret = JailTestSupport.worldReadableDir().resolve("fd-secret.txt");
        Files.writeString(secret, "fd-secret-7");
        try (FileInputStream open = new FileInputStream(secret.toFile()); AutoCloseable m = mode.activate()) {
            int fd = fdOf(secret);
            Result fds = run(base().build(), ATTACK, "fds");
            assertEquals("OK fds 0", fds.out().trim(), "no fd beyond stdio may reach the program: " + fds);
            Result r = run(base().build(), ATTACK, "readfd", Integer.toString(fd));
            assertTrue(r.out().startsWith("DENIED EBADF"), r.toString());

            // Control: the fd passed on purpose is readable.
            Result control = run(base().keepFd(fd, 9).build(), ATTACK, "readfd", "9");
            assertTrue(control.ok() && control.out().contains("fd-secret-7"), control.toString());
        }
    }

    static int fdOf(Path file) throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readSymbolicLink(p).equals(file)) {
                        return Integer.parseInt(p.getFileName().toString());
                    }
                } catch (Exception e) {
                    // fd closed meanwhile
                }
            }
        }
        throw new AssertionError("no fd for " + file);
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void jvmEnvironmentDoesNotLeak(JailMode mode) throws Exception {
        String path = System.getenv("PATH");
        org.junit.jupiter.api.Assumptions.assumeTrue(path != null);
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().env("ONLY", "this").build(), ATTACK, "env");
            assertEquals("ONLY=this\nOK env", r.out().trim(), r.toString());

            Result control = run(base().inheritEnv("PATH").build(), ATTACK, "env");
            assertTrue(control.out().contains("PATH=" + path), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void hostnameIsTheJailsAndCannotBeChanged(JailMode mode) throws Exception {
        String before = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().hostname("jailhost").build(), ATTACK, "hostname");
            assertEquals("OK hostname jailhost", r.out().trim());
            Result attack = run(base().noSeccomp().build(), ATTACK, "sethostname", "pwned");
            assertTrue(attack.out().startsWith("DENIED EPERM"), "no CAP_SYS_ADMIN: " + attack);

            // Control: with CAP_SYS_ADMIN kept the call succeeds, yet only the jail's UTS namespace changes.
            Result control = run(base().noSeccomp().keepCapabilities(org.sandbox4j.caps.Capability.SYS_ADMIN).build(),
                    ATTACK, "sethostname", "pwned");
            assertTrue(control.ok(), control.toString());
            assertEquals(before, Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
        }
    }
}
