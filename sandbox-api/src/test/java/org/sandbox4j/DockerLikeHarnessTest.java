package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.landlock.Landlock;

/**
 * A JVM run the way a default Docker container runs it, and sandbox4j inside it. The "container":
 * its own mount and pid namespaces (unshare(1), a fresh /proc), read-only /sys, Docker's default
 * capability set as the bounding set (no CAP_SYS_ADMIN), no_new_privs (as Kubernetes'
 * allowPrivilegeEscalation=false), and {@link DockerDefaultSeccomp}, Docker's default profile for a
 * container without CAP_SYS_ADMIN, compiled by sandbox4j's own compiler and installed by
 * src/test/c/seccomp_exec.c. It shares the host's network namespace, so a TCP service on the host's
 * loopback and the host's abstract unix sockets are reachable from a plain container process (the
 * controls). The container's JVM runs {@link DockerLikeMain}, as root and as uid 65534.
 */
@Tag("kernel")
class DockerLikeHarnessTest {
    /** Docker's default capabilities (moby's oci/caps/defaults.go). */
    private static final String DOCKER_CAPS = "-all,+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,"
            + "+setuid,+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write";

    enum ContainerUser { ROOT, NOBODY }

    private static Path seccompExec() throws Exception {
        Path out = JailTestSupport.fixtures().resolve("seccomp_exec");
        if (!Files.exists(out)) {
            Path src = Path.of(System.getProperty("sandbox4j.test.csrc", "src/test/c")).resolve("seccomp_exec.c");
            Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String msg = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, gcc.waitFor(), msg);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(ContainerUser.class)
    void strictRefusesAndBestEffortContainsInADefaultDockerContainer(ContainerUser user) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "building the container needs a root JVM");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "util-linux unshare and setpriv");
        assumeTrue(Landlock.abi() >= 6, "the expected report lists Landlock ABI 6 scopes");
        Path bpf = JailTestSupport.worldReadableDir().resolve("docker-default-" + System.nanoTime() + ".bpf");
        Files.write(bpf, DockerDefaultSeccomp.policy().compile(Arch.current()).toBytes());
        Files.setPosixFilePermissions(bpf, PosixFilePermissions.fromString("rw-r--r--"));
        String attack = JailTestSupport.fixtures().resolve("attack").toString();
        Path allowed = BestEffortJailTest.openDir("allowed");
        Path outside = BestEffortJailTest.openDir("outside");
        String name = "sb4j-docker-" + ProcessHandle.current().pid() + "-" + user;
        Process listener = new ProcessBuilder(attack, "listen-abstract", name).start();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(10, listener.getInputStream().readNBytes(new byte[10], 0, 10), "LISTENING");
            BestEffortJailTest.serveHello(server);
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--pid", "--fork", "--mount-proc",
                    "--propagation", "private", "--", "/bin/sh", "-c", "mount -o remount,bind,ro /sys && exec \"$@\"", "sh",
                    seccompExec().toString(), bpf.toString(), "/usr/bin/setpriv"));
            if (user == ContainerUser.NOBODY) {
                cmd.addAll(List.of("--reuid=65534", "--regid=65534", "--clear-groups"));
            }
            cmd.addAll(List.of("--bounding-set=" + DOCKER_CAPS, "--inh-caps=-all", "--",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=/tmp",
                    "-cp", JailTestSupport.worldReadableClasspathArg(), DockerLikeMain.class.getName(), attack,
                    allowed.toString(), outside.toString(), Integer.toString(server.getLocalPort()), name));
            Process p = new ProcessBuilder(cmd).directory(new java.io.File("/")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
            List<String> lines = List.of(out.split("\n"));
            String strict = lines.stream().filter(l -> l.startsWith("STRICT ")).findFirst().orElse("");
            assertTrue(strict.contains("create the namespaces: EPERM"), out);
            assertTrue(strict.contains("runs under a seccomp filter (a container's profile") && strict.contains("'--best-effort'"),
                    "strict refuses naming the container's filter and the option: " + out);
            String doctor = lines.stream().filter(l -> l.startsWith("DOCTOR ")).findFirst().orElse("");
            // (the machine may carry a runtime's own markers too, such as /.dockerenv: they come first)
            assertTrue(doctor.startsWith("DOCTOR RESTRICTED container: in a container (") && doctor.contains("a seccomp filter,"
                    + " no CAP_SYS_ADMIN in the bounding set); namespaces are refused, so only best effort runs here"), out);
            String o = outside.toString();
            String a = allowed.toString();
            List<String> expected = List.of(
                    "ISOLATION best effort: no namespaces (container seccomp filter); landlock ABI " + Landlock.abi()
                            + " (files, tcp, scopes), seccomp",
                    "BE write DENIED EACCES " + o + "/x", "BE read DENIED EACCES " + o + "/secret",
                    "BE connect DENIED EACCES connect", "BE abstract DENIED EPERM abstract", "BE write OK " + a + "/x",
                    // controls: the same attacks from a plain process of the same container succeed
                    "CTRL write OK " + o + "/x", "CTRL read OK read " + o + "/secret: s3cret", "CTRL connect OK connect: hello",
                    "CTRL abstract OK abstract");
            for (String e : expected) {
                assertTrue(lines.contains(e), "missing '" + e + "' in:\n" + out);
            }
        } finally {
            listener.destroyForcibly().waitFor();
        }
    }
}
