package org.sandbox4j.selfjail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.seccomp.SeccompPolicies;

/** The in-process chroot, in a child JVM as root (chroot is irreversible, so never in the test JVM). */
@Tag("kernel")
class InProcessChrootTest {

    @Test
    void chrootConfinesEveryThreadDropsCapabilitiesAndForbidsChrootAgain() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "chroot needs CAP_SYS_CHROOT: run as root");
        Path root = JailTestSupport.worldReadableDir();
        Files.writeString(root.resolve("inside-marker"), "x");
        Process p = SelfJailTest.app(SelfJailTest.Jdk.JDK17, JailTestSupport.JailMode.PRIVILEGED, Map.of(), "chroot",
                root.toString());
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String l;
            while ((l = r.readLine()) != null && !l.equals("READY")) {
                lines.add(l);
            }
            String out = String.join("\n", lines);
            assertEquals("READY", l, out);
            String inside = "marker=true etc-passwd=false";
            assertTrue(out.contains("main " + inside), out);
            assertTrue(out.contains("early " + inside), "a thread started before the chroot sees the new root\n" + out);
            assertTrue(out.contains("late " + inside), "a thread started after the chroot sees the new root\n" + out);
            assertTrue(out.contains("uid=65534"), out);
            assertTrue(out.contains("chroot-again=errno1"), "chroot is denied (EPERM) afterwards\n" + out);
            // Every thread, seen from outside: uid 65534, no capabilities, the filter, no_new_privs.
            int tasks = 0;
            try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
                for (Path t : (Iterable<Path>) s::iterator) {
                    String status;
                    try {
                        status = Files.readString(t.resolve("status"));
                    } catch (java.nio.file.NoSuchFileException e) {
                        continue; // the thread exited between the listing and the read (JIT, GC helpers)
                    }
                    String name = t.getFileName().toString();
                    assertTrue(status.contains("\nUid:\t65534\t65534\t65534\t65534"), name + "\n" + status);
                    assertTrue(status.contains("\nCapEff:\t0000000000000000"), name + "\n" + status);
                    assertTrue(status.contains("\nCapPrm:\t0000000000000000"), name + "\n" + status);
                    assertTrue(status.contains("\nNoNewPrivs:\t1"), name + "\n" + status);
                    assertTrue(status.contains("\nSeccomp:\t2"), name + "\n" + status);
                    tasks++;
                }
            }
            assertTrue(tasks > 5, "a JVM has many threads: " + tasks);
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * A prestarted launcher that an earlier jail started runs as root outside the chroot; the chroot
     * stops it from serving, so the confined JVM cannot get a jail that binds the host's files
     * (control: the jail before the chroot reaches the same host directory).
     */
    @Test
    void aLauncherStartedBeforeTheChrootServesNoJailAfterIt() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "chroot needs CAP_SYS_CHROOT: run as root");
        Path root = JailTestSupport.worldReadableDir();
        Path host = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(host, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path attack = JailTestSupport.fixtures().resolve("attack");
        Files.createDirectories(root.resolve(host.toString().substring(1))); // the same paths inside the root
        Files.createDirectories(root.resolve(attack.getParent().toString().substring(1)));
        Files.createFile(root.resolve(attack.toString().substring(1)));
        Process p = SelfJailTest.app(SelfJailTest.Jdk.JDK17, JailTestSupport.JailMode.PRIVILEGED, Map.of(),
                "chroot-after-jail", root.toString(), host.toString(), attack.toString());
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertTrue(out.contains("jail-before=0 zygote=true"), "control: a jail through the prestarted launcher first\n" + out + err);
        assertTrue(out.contains("READY"), out + err);
        assertTrue(Files.exists(host.resolve("before")), "control: the jail before the chroot wrote the host's directory");
        assertTrue(out.contains("jail-after="), out + err);
        assertFalse(Files.exists(host.resolve("after")), "a jail started after the chroot wrote the host's directory\n" + out + err);
    }

    @Test
    void aPolicyThatAllowsChrootIsRejected() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> InProcessChroot.enter(
                Path.of("/nonexistent"), 65534, 65534,
                org.sandbox4j.seccomp.SeccompPolicy.builder(org.sandbox4j.seccomp.SeccompAction.ALLOW).build()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> InProcessChroot.enter(Path.of("/"), 0, 0));
    }

    @Test
    void descriptorsAreJudgedByWhatTheyAreNotByTheirName() throws Exception {
        Path root = JailTestSupport.worldReadableDir();
        Path outside = JailTestSupport.worldReadableDir();
        Path inside = Files.createDirectory(root.resolve("inside"));
        Path goneInside = Files.createDirectory(root.resolve("gone"));
        Path goneOutside = Files.createDirectory(outside.resolve("gone"));
        Path link = Files.createSymbolicLink(outside.resolve("link"), Path.of("../.."));
        int nofollow = org.sandbox4j.Arch.current() == org.sandbox4j.Arch.AARCH64 ? 0100000 : 0400000;
        List<Integer> fds = new ArrayList<>();
        try (java.nio.channels.FileChannel etc = java.nio.channels.FileChannel.open(Path.of("/etc"));
                java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(Path.of("/etc/hostname"))) {
            int opathInside = open(fds, inside, OutsideFds.O_PATH);
            int opathRoot = open(fds, root, OutsideFds.O_PATH);
            int deletedInside = open(fds, goneInside, LibC.O_RDONLY);
            int deletedOutside = open(fds, goneOutside, LibC.O_RDONLY);
            int opathOutside = open(fds, outside, OutsideFds.O_PATH);
            int opathLink = open(fds, link, OutsideFds.O_PATH | nofollow);
            Files.delete(goneInside);
            Files.delete(goneOutside);
            // what the old check read: the name of a deleted directory is no directory at all
            Path name = Files.readSymbolicLink(Path.of("/proc/self/fd/" + deletedOutside));
            assertTrue(name.toString().endsWith(" (deleted)") && !Files.isDirectory(name), name.toString());

            String found = String.join("\n", InProcessChroot.descriptorsLeadingOutside(root));
            assertTrue(found.contains("(/etc): a directory outside the new root"), found);
            assertTrue(found.contains("fd " + deletedOutside + " (" + goneOutside + " (deleted)): a directory outside"), found);
            assertTrue(found.contains("fd " + opathOutside + " (" + outside + "): a directory outside"), found);
            assertTrue(found.contains("fd " + opathLink + " (" + link + "): an O_PATH descriptor of a symbolic link"),
                    found);
            for (int fd : List.of(opathInside, opathRoot, deletedInside)) {
                assertFalse(found.contains("fd " + fd + " "), "fd " + fd + " lies inside the root\n" + found);
            }
            assertFalse(found.contains("/etc/hostname"), "a regular file is kept\n" + found);
        } finally {
            fds.forEach(LibC::close);
        }
    }

    private static int open(List<Integer> fds, Path p, int flags) {
        int fd = LibC.open(p.toString(), flags | OutsideFds.O_CLOEXEC, 0);
        assertTrue(fd >= 0, p + ": errno " + com.sun.jna.Native.getLastError());
        fds.add(fd);
        return fd;
    }

    /** How the test's child JVM comes to hold a directory descriptor outside the root. */
    enum FdKind {
        /** opened, then its directory removed (rmdir) before the chroot */
        DELETED,
        /** opened with O_PATH */
        OPATH,
        /** opened by another process and received over a unix socket (SCM_RIGHTS) */
        RECEIVED,
        /** the new root itself bind-mounted outside it: same device and inode, another mount */
        BIND_OF_ROOT
    }

    private static Path sendDirfd;

    private static synchronized Path sendDirfd() throws Exception {
        if (sendDirfd == null) {
            Path out = JailTestSupport.worldReadableDir().resolve("send_dirfd");
            Process gcc = new ProcessBuilder("gcc", "-Wall", "-Wextra", "-Werror", "-O2", "-o", out.toString(),
                    Path.of(System.getProperty("sandbox4j.test.csrc", "src/test/c")).resolve("send_dirfd.c").toString())
                    .redirectErrorStream(true).start();
            String msg = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, gcc.waitFor(), "gcc send_dirfd.c: " + msg);
            sendDirfd = out;
        }
        return sendDirfd;
    }

    /** The chroot-fd app: the descriptor's number and the app's output. */
    private static SelfJailTest.Ended chrootWithFd(FdKind kind, boolean check, Path marker) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "chroot needs CAP_SYS_CHROOT: run as root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare (util-linux) is missing");
        Path root = JailTestSupport.worldReadableDir();
        Path outside = JailTestSupport.worldReadableDir();
        // A private mount namespace of its own, for the bind mount (the other kinds do not mind it).
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                SelfJailTest.Jdk.JDK17.java(), "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-cp", SelfJailTest.classpath(), SelfJailApp.class.getName(), "chroot-fd",
                kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), root.toString(), outside.toString(),
                marker.toString(), check ? "check" : "nocheck", sendDirfd().toString()));
        return SelfJailTest.finish(SelfJailTest.start(cmd, Map.of()), "");
    }

    private static Path hostMarker() throws Exception {
        Path marker = JailTestSupport.worldReadableDir().resolve("host-file");
        Files.writeString(marker, "host-content");
        marker.toFile().setReadable(true, false);
        return marker;
    }

    @ParameterizedTest
    @EnumSource(FdKind.class)
    void aDirectoryDescriptorLeadingOutsideIsRefused(FdKind kind) throws Exception {
        SelfJailTest.Ended e = chrootWithFd(kind, true, hostMarker());
        String fd = e.out().lines().filter(l -> l.startsWith("FD ")).findFirst().orElseThrow(() -> new AssertionError(e))
                .substring(3);
        assertTrue(e.out().contains("REFUSED chroot "), e.toString());
        assertTrue(e.out().contains(": fd " + fd + " ("), "the error names the descriptor\n" + e);
        assertTrue(e.out().contains("a directory outside the new root"), e.toString());
        assertFalse(e.out().contains("ESCAPED"), e.toString());
    }

    /** The control: the same descriptor, without the check, leads out of the chroot to a host file. */
    @ParameterizedTest
    @EnumSource(FdKind.class)
    void withoutTheCheckTheSameDescriptorLeadsOut(FdKind kind) throws Exception {
        SelfJailTest.Ended e = chrootWithFd(kind, false, hostMarker());
        assertTrue(e.out().contains("ESCAPED host-content"), e.toString());
    }

    @Test
    void openDirectoryDescriptorsOutsideTheRootAreFound() throws Exception {
        Path root = JailTestSupport.worldReadableDir();
        try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(Path.of("/etc"))) {
            List<String> found = InProcessChroot.descriptorsLeadingOutside(root);
            assertTrue(found.stream().anyMatch(f -> f.contains("(/etc): ")), found.toString());
        }
        assertFalse(InProcessChroot.descriptorsLeadingOutside(root).stream().anyMatch(f -> f.contains("(/etc): ")));
        assertTrue(SeccompPolicies.defaultDenyList().rules().stream().anyMatch(r -> r.syscall().equals("chroot")));
    }
}
