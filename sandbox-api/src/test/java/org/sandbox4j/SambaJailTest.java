package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import org.sandbox4j.IdRangeTest.SubIds;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.config.NsjailConfig;
import org.sandbox4j.config.SandboxConfig;
import org.sandbox4j.internal.LibC;

/**
 * The seed workload (issue 17): Samba's smbd in a jail the way the write-up did it, from an nsjail
 * config file (src/test/resources/samba/smbd.cfg): a constructed root, id ranges, the host network,
 * an allow-list learned with {@code sandbox4j learn} (smbd.policy) and rlimits. smbclient on the host
 * lists and reads the share; nothing outside the jail's binds is reachable through a share or a
 * symlink with wide links; the daemon reloads on SIGHUP, stops on SIGTERM and leaves no process;
 * a shell with the same config dies on calls outside the policy, and cannot read the host's secret
 * even without it. nmbd is not run: it needs NetBIOS broadcasts on a real interface (docs/cookbook.md).
 */
@Tag("kernel")
class SambaJailTest {
    private static final String SECRET = "HOST-SECRET-7f3a";

    private static void assumeSamba() {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/smbd")), "smbd is missing (.ci/install-deps installs samba)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/smbclient")), "smbclient is missing (.ci/install-deps)");
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/samba/vfs/widelinks.so")),
                "samba's widelinks module is missing (package samba-vfs-modules, .ci/install-deps)");
        assumeTrue(Arch.current() == Arch.X86_64, "smbd.policy was recorded on x86_64");
        assumeTrue(LibC.geteuid() == 0, "the test edits /etc/subuid and runs smbd's jail as root or via setpriv");
    }

    /** The test's directory: smb.conf, the jail's config and policy, state, the share, the secret. */
    private static Path layout(int port, String maps) throws IOException {
        Path dir = JailTestSupport.worldReadableDir();
        for (String d : List.of("state", "state/lock", "state/state", "state/cache", "state/private", "state/pid",
                "state/log", "state/bind-dns", "state/ncalrpc")) {
            Path p = Files.createDirectories(dir.resolve(d));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.createDirectories(dir.resolve("share"));
        Files.writeString(dir.resolve("share/hello.txt"), "hello from the jailed share\n");
        Files.createDirectories(dir.resolve("secret"));
        Files.writeString(dir.resolve("secret/secret.txt"), SECRET + "\n");
        Files.writeString(dir.resolve("smb.conf"), resource("smb.conf").replace("@PORT@", Integer.toString(port))
                .replace("@DIR@", dir.toString()));
        Files.writeString(dir.resolve("smbd.cfg"), resource("smbd.cfg").replace("@DIR@", dir.toString()).replace("@MAPS@", maps));
        Files.writeString(dir.resolve("smbd.policy"), resource("smbd.policy"));
        JailTestSupport.makeWorldReadable(dir.resolve("share"));
        // The escape attempt: an absolute symlink to the host's secret; the control: one to a file
        // the jail has (smb.conf at /etc/samba), which wide links do follow. (After the chmod walk,
        // which would follow them.)
        Files.createSymbolicLink(dir.resolve("share/escape"), dir.resolve("secret/secret.txt"));
        Files.createSymbolicLink(dir.resolve("share/inside"), Path.of("/etc/samba/smb.conf"));
        return dir;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SambaJailTest.class.getResourceAsStream("/samba/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String maps(JailMode mode) {
        if (mode == JailMode.PRIVILEGED) {
            return "uidmap { inside_id: \"0\" outside_id: \"100000\" count: 65536 }\n"
                    + "gidmap { inside_id: \"0\" outside_id: \"100000\" count: 65536 }\n";
        }
        // uid 65534 maps its own id to root inside and the range /etc/subuid grants it above.
        return "uidmap { inside_id: \"0\" outside_id: \"65534\" }\n"
                + "uidmap { inside_id: \"1\" outside_id: \"200000\" count: 65535 use_newidmap: true }\n"
                + "gidmap { inside_id: \"0\" outside_id: \"65534\" }\n"
                + "gidmap { inside_id: \"1\" outside_id: \"200000\" count: 65535 use_newidmap: true }\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Output collected from a stream in the background. */
    private static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread t;

        Drain(InputStream in) {
            t = new Thread(() -> {
                byte[] b = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        synchronized (buf) {
                            buf.write(b, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the jail ended
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }

        boolean await(String s, long ms) throws InterruptedException {
            long end = System.currentTimeMillis() + ms;
            while (System.currentTimeMillis() < end) {
                if (text().contains(s)) {
                    return true;
                }
                Thread.sleep(50);
            }
            return false;
        }
    }

    private record Cmd(int exit, String out) {}

    private static Cmd smbclient(int port, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/smbclient", "-p", Integer.toString(port), "-N"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "smbclient hung");
        return new Cmd(p.exitValue(), out);
    }

    private static boolean listening(int port, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void smbdServesItsShareAndNothingElse(JailMode mode) throws Exception {
        assumeSamba();
        if (mode == JailMode.UNPRIVILEGED) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap (package uidmap) is missing");
        }
        try (SubIds grant = SubIds.grant("nobody", 200000, 65536); AutoCloseable m = mode.activate()) {
            int port = freePort();
            Path dir = layout(port, maps(mode));
            SandboxConfig cfg = NsjailConfig.load(dir.resolve("smbd.cfg"));
            Sandbox sandbox = cfg.applyTo(Sandbox.builder()).build();
            assertEquals(Network.HOST, sandbox.sharedNamespaces().contains(Namespace.NET) ? Network.HOST : Network.NONE);
            SandboxedProcess smbd = sandbox.start(cfg.command());
            // stdin stays open: smbd --foreground ends itself when its stdin pipe reaches EOF.
            Drain out = new Drain(smbd.getInputStream());
            Drain err = new Drain(smbd.getErrorStream());
            List<ProcessHandle> jail = new ArrayList<>();
            try {
                if (!listening(port, 20_000)) {
                    throw new AssertionError("smbd did not listen on 127.0.0.1:" + port + " ("
                            + (smbd.isAlive() ? "still running" : smbd.jailExit().toString()) + ")\n" + out.text() + err.text());
                }
                Cmd list = smbclient(port, "-L", "//127.0.0.1");
                assertTrue(list.out().contains("share") && list.out().contains("jailetc"), list.out());
                Cmd get = smbclient(port, "//127.0.0.1/share", "-c", "get hello.txt " + dir.resolve("got.txt"));
                assertEquals(0, get.exit(), get.out());
                assertEquals("hello from the jailed share\n", Files.readString(dir.resolve("got.txt")));

                // A symlink with wide links: followed to a file the jail has (control), not to the host's.
                Cmd inside = smbclient(port, "//127.0.0.1/share", "-c", "get inside " + dir.resolve("inside.txt"));
                assertEquals(0, inside.exit(), inside.out());
                assertTrue(Files.readString(dir.resolve("inside.txt")).contains("smb ports = " + port));
                Cmd escape = smbclient(port, "//127.0.0.1/share", "-c", "get escape " + dir.resolve("escape.txt"));
                assertTrue(escape.out().contains("NT_STATUS_OBJECT_NAME_NOT_FOUND"), escape.out());
                assertFalse(Files.exists(dir.resolve("escape.txt")) && Files.readString(dir.resolve("escape.txt")).contains(SECRET));
                // A share whose path is a host directory the jail does not bind: not served at all;
                // a share with a path inside the jail is (control).
                Cmd jailEtc = smbclient(port, "//127.0.0.1/jailetc", "-c", "ls");
                assertTrue(jailEtc.exit() == 0 && jailEtc.out().contains("smb.conf"), jailEtc.out());
                Cmd outside = smbclient(port, "//127.0.0.1/outside", "-c", "get secret.txt " + dir.resolve("outside.txt"));
                assertTrue(outside.exit() != 0 && outside.out().contains("NT_STATUS_BAD_NETWORK_NAME"), outside.out());
                assertFalse(Files.exists(dir.resolve("outside.txt")));

                // The processes serving connections run as the mapped ids, not as host root.
                smbd.toHandle().descendants().forEach(jail::add);
                for (ProcessHandle h : jail) {
                    List<String> status;
                    try {
                        status = Files.readAllLines(Path.of("/proc/" + h.pid() + "/status"));
                    } catch (java.nio.file.NoSuchFileException e) {
                        continue; // a connection's process that has ended meanwhile
                    }
                    String uidLine = status.stream().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: gone");
                    assertFalse(uidLine.matches("Uid:\\s+0\\s.*"), h.pid() + " runs as host root: " + uidLine);
                }

                // A long-running service: SIGHUP reloads, the share still serves, SIGTERM stops it.
                smbd.signal(1);
                assertTrue(out.await("Reloading services after SIGHUP", 10_000), out.text());
                assertEquals(0, smbclient(port, "//127.0.0.1/share", "-c", "ls").exit());
                smbd.signal(15);
                assertTrue(smbd.waitFor(20, TimeUnit.SECONDS), "smbd did not stop on SIGTERM\n" + out.text());
                JailExit exit = smbd.jailExit();
                assertFalse(exit.timedOut(), exit.toString());
                assertTrue(exit.code() == 0 || (exit.signaled() && exit.signal() == 15), exit + "\n" + out.text() + err.text());
                for (ProcessHandle h : jail) {
                    assertFalse(h.isAlive(), "jail process " + h.pid() + " outlived SIGTERM");
                }
                assertFalse(out.text().contains("Bad system call"), out.text());
            } finally {
                smbd.getOutputStream().close();
                if (smbd.isAlive()) {
                    smbd.destroyForcibly();
                    smbd.waitFor(10, TimeUnit.SECONDS);
                }
            }

            shellWithTheSameConfig(dir, cfg);
        }
    }

    /**
     * The write-up's /bin/sh -i check, scripted: the same config with a shell as the command. Under
     * smbd's learned allow-list the interactive shell dies of SIGSYS at once (its terminal ioctls and
     * its vfork are calls smbd never made) and prints nothing of the host's. Controls: the same jail
     * without the allow-list runs the script to the end, and the host's secret is still not there
     * (the constructed root hides it: the shell's own redirection fails); the host's shell reads it.
     */
    private static void shellWithTheSameConfig(Path dir, SandboxConfig cfg) throws Exception {
        String secret = dir.resolve("secret/secret.txt").toString();
        String script = "read line < " + secret + "; echo \"GOT:$line\"\nread line < /etc/shadow; echo \"SHADOW:$line\"\n"
                + "echo MARK\n/bin/sync\necho AFTER $?\nexit\n";
        Shell jailed = shell(cfg.applyTo(Sandbox.builder()).build(), script);
        assertTrue(jailed.exit().signaled() && jailed.exit().signal() == 31, jailed.toString());
        assertFalse(jailed.out().contains(SECRET) || jailed.out().contains("AFTER"), jailed.toString());

        Shell unfiltered = shell(cfg.applyTo(Sandbox.builder()).noSeccomp().build(), script);
        assertTrue(unfiltered.out().contains("GOT:\n") && unfiltered.out().contains("SHADOW:\n"), unfiltered.toString());
        assertTrue(unfiltered.out().contains("AFTER 0"), unfiltered.toString());
        assertFalse(unfiltered.out().contains(SECRET), unfiltered.toString());
        Process host = new ProcessBuilder("/bin/sh", "-c", "read line < " + secret + "; echo \"GOT:$line\"").start();
        assertTrue(new String(host.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("GOT:" + SECRET));
        host.waitFor();
    }

    private record Shell(JailExit exit, String out, String err) {}

    private static Shell shell(Sandbox s, String script) throws Exception {
        SandboxedProcess sh = s.start("/bin/sh", "-i");
        Drain err = new Drain(sh.getErrorStream());
        Drain out = new Drain(sh.getInputStream());
        try (OutputStream in = sh.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the shell died before it read its input (the allow-list): its exit says so
        }
        assertTrue(sh.waitFor(20, TimeUnit.SECONDS), "the shell did not exit\n" + out.text() + err.text());
        Thread.sleep(100);
        return new Shell(sh.jailExit(), out.text(), err.text());
    }
}
