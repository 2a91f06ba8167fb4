package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.internal.LibC;

/** Existing directories as the jail's root, submounts under read-only binds, the working directory. */
@Tag("kernel")
class RootModesTest {

    private static Path chrootDir() throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Files.copy(JailTestSupport.fixtures().resolve("attack"), dir.resolve("attack"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(dir.resolve("attack"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(dir.resolve("tmp"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("inside.txt"), "in-the-chroot");
        return dir;
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void chrootDirectoryBecomesTheReadOnlyRoot(JailMode mode) throws Exception {
        Path dir = chrootDir();
        Path outside = JailTestSupport.worldReadableDir().resolve("outside.txt");
        Files.writeString(outside, "outside");
        try (AutoCloseable m = mode.activate()) {
            Sandbox jail = Sandbox.builder().chroot(dir).build();
            Result r = run(jail, "/attack", "read", "/inside.txt");
            assertTrue(r.ok() && r.out().contains("in-the-chroot"), r.toString());
            assertTrue(run(jail, "/attack", "read", outside.toString()).out().startsWith("DENIED ENOENT"));
            Result write = run(jail, "/attack", "write", "/planted");
            assertTrue(write.out().startsWith("DENIED EROFS"), "read-only unless asked: " + write);
            assertFalse(Files.exists(dir.resolve("planted")));

            Result control = run(Sandbox.builder().chroot(dir, true).build(), "/attack", "write", "/planted");
            assertTrue(control.ok(), "control: chroot(dir, writable): " + control);
            assertTrue(Files.exists(dir.resolve("planted")));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void chrootSystemCallWhenTheMountNamespaceIsShared(JailMode mode) throws Exception {
        assumeTrue(mode == JailMode.PRIVILEGED && LibC.geteuid() == 0,
                "chroot(2) without a new mount namespace needs the JVM's root (user namespace shared)");
        Path dir = chrootDir();
        try (AutoCloseable m = mode.activate()) {
            Sandbox jail = Sandbox.builder().share(Namespace.MOUNT, Namespace.USER).chroot(dir).build();
            Result r = run(jail, "/attack", "read", "/inside.txt");
            assertTrue(r.ok() && r.out().contains("in-the-chroot"), r.toString());
            Result escape = run(jail, "/attack", "chroot-escape", "/etc/hostname");
            assertTrue(escape.out().startsWith("DENIED"), "no CAP_SYS_CHROOT, chroot denied by the filter: " + escape);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void readOnlyBindCoversSubmounts(JailMode mode) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "mounting a host tmpfs for the fixture needs root");
        Path dir = JailTestSupport.worldReadableDir();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "mode=1777", "fixture", sub.toString()).start();
        assertEquals(0, mount.waitFor(), "mount the fixture submount");
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().readOnly(dir.toString(), "/data").build(), ATTACK, "write", "/data/sub/x");
            assertTrue(r.out().startsWith("DENIED EROFS"), "the submount is read-only too: " + r);
            Result control = run(base().readWrite(dir.toString(), "/data").build(), ATTACK, "write", "/data/sub/x");
            assertTrue(control.ok(), "control: writable submount under a read-write bind: " + control);
        } finally {
            new ProcessBuilder("umount", "-l", sub.toString()).start().waitFor();
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void workingDirectoryIsSet(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            assertEquals("OK cwd /", run(base().build(), ATTACK, "cwd").out().trim());
            assertEquals("OK cwd /tmp", run(base().cwd("/tmp").build(), ATTACK, "cwd").out().trim());
            SandboxSetupException e = org.junit.jupiter.api.Assertions.assertThrows(SandboxSetupException.class,
                    () -> base().cwd("/nowhere").build().start(ATTACK, "cwd"));
            assertEquals(SetupStep.CHDIR, e.step());
            assertTrue(e.getMessage().contains("/nowhere"), e.getMessage());
        }
    }
}
