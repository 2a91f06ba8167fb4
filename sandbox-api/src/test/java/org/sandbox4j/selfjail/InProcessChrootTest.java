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

    @Test
    void aPolicyThatAllowsChrootIsRejected() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> InProcessChroot.enter(
                Path.of("/nonexistent"), 65534, 65534,
                org.sandbox4j.seccomp.SeccompPolicy.builder(org.sandbox4j.seccomp.SeccompAction.ALLOW).build()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> InProcessChroot.enter(Path.of("/"), 0, 0));
    }

    @Test
    void openDirectoryDescriptorsOutsideTheRootAreFound() throws Exception {
        Path root = JailTestSupport.worldReadableDir();
        try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(Path.of("/etc"))) {
            List<String> found = InProcessChroot.openDirectoryFds(root);
            assertTrue(found.stream().anyMatch(f -> f.endsWith("-> /etc")), found.toString());
        }
        assertFalse(InProcessChroot.openDirectoryFds(root).stream().anyMatch(f -> f.endsWith("-> /etc")));
        assertTrue(SeccompPolicies.defaultDenyList().rules().stream().anyMatch(r -> r.syscall().equals("chroot")));
    }
}
