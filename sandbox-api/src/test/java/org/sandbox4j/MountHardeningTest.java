package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.mount.BindOption;

/**
 * Mount setup that a peer cannot redirect (issue #10, class 3): descriptors obtained once, sources
 * that refuse symbolic links, a staging root nobody can name, tmpfs sizes, symlink ops, placeholders.
 */
@Tag("kernel")
class MountHardeningTest {
    private static final int ELOOP = 40;
    private static final int EEXIST = 17;

    private static Path dir777(Path p) throws Exception {
        Files.createDirectories(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        return p;
    }

    /** dir/root and the given directories below it, all mode 0777 (the jail's uid writes there). */
    private static Path rootWith(Path dir, String... subdirs) throws Exception {
        Path root = dir777(dir.resolve("root"));
        for (String d : subdirs) {
            dir777(root.resolve(d));
        }
        return root;
    }

    private static Path file644(Path p, String content) throws Exception {
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        return p;
    }

    /**
     * A writable tree is the jail's root (a bind of a host directory, as a writable chroot); a peer on
     * the host exchanges its directories a and b as fast as it can while jails start with a read-write
     * bind at b/x and a read-only bind at a/x. Setup that resolved a/x again to apply the read-only
     * flag could put it on the read-write bind (now named a/x) and leave the read-only source
     * writable; setup on descriptors never does. The control: the jail's probe does write through the
     * read-write bind, so "read-only everywhere" is not a probe that cannot write.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void readOnlyBindNeverComesOutWritableWhileAPeerRenames(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path root = rootWith(dir, "a/x", "b/x");
        Path ro = dir777(dir.resolve("ro-src"));
        file644(ro.resolve("ro-marker"), "ro");
        Path rw = dir777(dir.resolve("rw-src"));
        Sandbox sb = base().chroot(root, true).readWrite(rw.toString(), "/b/x").readOnly(ro.toString(), "/a/x").build();
        int rounds = Integer.parseInt(System.getenv().getOrDefault("SB4J_RACE_ROUNDS", "400"));
        try (AutoCloseable m = mode.activate()) {
            Result control = run(base().readWrite(ro.toString(), "/w").build(), ATTACK, "rocheck", "/w");
            assertTrue(control.ok() && control.out().startsWith("OK writable"), control.toString());
            Files.delete(ro.resolve("probe"));

            Process peer = new ProcessBuilder(JailTestSupport.fixtures().resolve("attack").toString(), "swap",
                    root.resolve("a").toString(), root.resolve("b").toString(), "600").redirectErrorStream(true).start();
            int completed = 0;
            try {
                for (int i = 0; i < rounds; i++) {
                    Result r;
                    try {
                        r = run(sb, ATTACK, "rocheck", "/a/x", "/b/x");
                    } catch (SandboxSetupException e) {
                        continue; // a rename between two steps may fail setup: closed, never open
                    }
                    assertFalse(r.out().startsWith("OK writable"), "round " + i + ": " + r);
                    assertTrue(r.out().startsWith("DENIED EROFS"), r.toString());
                    completed++;
                }
                assertTrue(peer.isAlive(), "the renaming peer ran during the whole loop");
            } finally {
                peer.destroy();
                peer.waitFor(10, TimeUnit.SECONDS);
            }
            assertFalse(Files.exists(ro.resolve("probe")), "a jail wrote into the read-only source");
            assertTrue(completed >= rounds / 2, completed + " of " + rounds + " jails ran");
        }
    }

    /**
     * A jail that can write a directory which is later a bind source could replace it with a link to
     * anything the launcher's user can read. NO_SYMLINKS refuses a link in any component (ELOOP);
     * the control: the default mode follows the same link, and NO_SYMLINKS binds a link-free path.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void noSymlinksRefusesALinkedBindSource(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path target = Files.createDirectory(dir.resolve("elsewhere"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        file644(target.resolve("f"), "chosen-by-the-writer");
        Path link = Files.createSymbolicLink(dir.resolve("src"), target);
        Path viaLinkedParent = Files.createSymbolicLink(dir.resolve("parent"), dir).resolve("elsewhere");
        try (AutoCloseable m = mode.activate()) {
            for (Path p : new Path[] {link, viaLinkedParent}) {
                SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> run(
                        base().readOnly(p.toString(), "/data", BindOption.NO_SYMLINKS).build(), ATTACK, "read", "/data/f"));
                assertEquals(SetupStep.BIND, e.step(), e.getMessage());
                assertEquals(ELOOP, e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            }
            Result followed = run(base().readOnly(link.toString(), "/data").build(), ATTACK, "read", "/data/f");
            assertTrue(followed.ok() && followed.out().contains("chosen-by-the-writer"), followed.toString());
            Result plain = run(base().readOnly(target.toString(), "/data", BindOption.NO_SYMLINKS).build(),
                    ATTACK, "read", "/data/f");
            assertTrue(plain.ok() && plain.out().contains("chosen-by-the-writer"), plain.toString());
            Result rw = run(base().readWrite(target.toString(), "/data", BindOption.NO_SYMLINKS).build(),
                    ATTACK, "read", "/data/f");
            assertTrue(rw.ok(), rw.toString());
        }
    }

    /**
     * The same for the root directory: a writable chroot whose parent others can write could be
     * swapped for a link to the host's /. Refused with NO_SYMLINKS (step ROOT, ELOOP), with a new
     * mount namespace and with a shared one (chroot(2)); control: followed without it.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void noSymlinksRefusesALinkedRoot(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path root = rootWith(dir, "t", "tmp");
        Files.createFile(root.resolve("t/attack"));
        Path link = Files.createSymbolicLink(dir.resolve("rootlink"), root);
        try (AutoCloseable m = mode.activate()) {
            SandboxSetupException e = assertThrows(SandboxSetupException.class, () -> run(
                    base().chroot(link, false, BindOption.NO_SYMLINKS).build(), ATTACK, "exit", "0"));
            assertEquals(SetupStep.ROOT, e.step(), e.getMessage());
            assertEquals(ELOOP, e.errno(), e.getMessage());
            Result followed = run(base().chroot(link, false).build(), ATTACK, "exit", "0");
            assertTrue(followed.ok(), followed.toString());
            Result plain = run(base().chroot(root, false, BindOption.NO_SYMLINKS).build(), ATTACK, "exit", "0");
            assertTrue(plain.ok(), plain.toString());
            // Shared mount namespace: chroot(2). The control gets as far as execve of the empty file.
            SandboxSetupException shared = assertThrows(SandboxSetupException.class, () -> run(Sandbox.builder()
                    .share(Namespace.MOUNT).chroot(link, false, BindOption.NO_SYMLINKS).build(), ATTACK, "exit", "0"));
            assertEquals(SetupStep.CHROOT, shared.step(), shared.getMessage());
            assertEquals(ELOOP, shared.errno(), shared.getMessage());
            SandboxSetupException sharedControl = assertThrows(SandboxSetupException.class, () -> run(Sandbox.builder()
                    .share(Namespace.MOUNT).chroot(link, false).build(), ATTACK, "exit", "0"));
            assertEquals(SetupStep.EXECVE, sharedControl.step(), sharedControl.getMessage());
        }
    }

    /**
     * The staging root used to be the host's /tmp, so binding /tmp (or / and thus /tmp) gave the jail
     * its own new root. The root is now an anonymous mount: each bind shows the host's file.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void bindingHostTmpAndRootShowsTheHostsContent(JailMode mode) throws Exception {
        Path marker = Files.createTempFile(Path.of("/tmp"), "sb4j-staging-", ".txt");
        try (AutoCloseable m = mode.activate()) {
            file644(marker, "host-tmp-content");
            String name = marker.getFileName().toString();
            Sandbox.Builder attackOnly = Sandbox.builder().readOnly(JailTestSupport.fixtures().resolve("attack").toString(), ATTACK);
            Result tmp = run(base().readOnly("/tmp", "/hosttmp").build(), ATTACK, "read", "/hosttmp/" + name);
            assertTrue(tmp.ok() && tmp.out().contains("host-tmp-content"), tmp.toString());
            Result same = run(attackOnly.readOnly("/tmp").build(), ATTACK, "read", "/tmp/" + name);
            assertTrue(same.ok() && same.out().contains("host-tmp-content"), same.toString());
            // "/" is the staging directory's parent
            Result slash = run(base().readOnly("/", "/host").build(), ATTACK, "read", "/host/tmp/" + name);
            assertTrue(slash.ok() && slash.out().contains("host-tmp-content"), slash.toString());
            Result list = run(base().readOnly("/", "/host").build(), ATTACK, "list", "/host");
            assertTrue(list.ok() && list.out().contains(" etc") && list.out().contains(" tmp"), list.toString());
            // Control: the jail's own /tmp (a tmpfs) does not have the host's file.
            Result own = run(base().build(), ATTACK, "read", "/tmp/" + name);
            assertTrue(own.out().startsWith("DENIED ENOENT"), own.toString());
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    /**
     * Files created as mount points (in a writable bound root, so the host keeps them) are mode 0 and
     * empty: they reveal nothing, whoever reads them later. Directories made as mount points are 0755.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void placeholderFilesHaveModeZeroAndNoContent(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path root = dir777(dir.resolve("root"));
        Path src = file644(dir.resolve("src.txt"), "bound-content");
        try (AutoCloseable m = mode.activate()) {
            Result r = run(base().chroot(root, true).readOnly(src.toString(), "/sub/placeholder").build(),
                    ATTACK, "read", "/sub/placeholder");
            assertTrue(r.ok() && r.out().contains("bound-content"), r.toString());
        }
        Path placeholder = root.resolve("sub/placeholder");
        assertTrue(Files.isRegularFile(placeholder), "the mount point was created on the host");
        assertEquals("---------", PosixFilePermissions.toString(Files.getPosixFilePermissions(placeholder)));
        assertEquals(0, Files.size(placeholder));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("sub"))));
    }

    /**
     * A symlink op never replaces anything: in a bound root that already has a link at the path, the
     * same text is accepted and another text fails setup with EEXIST naming the path.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void symlinkOverAnExistingSymlink(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path root = dir777(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("l"), Path.of("t/attack"));
        try (AutoCloseable m = mode.activate()) {
            Result same = run(base().chroot(root, true).symlink("t/attack", "/l").build(), "/l", "exit", "0");
            assertTrue(same.ok(), same.toString());
            SandboxSetupException e = assertThrows(SandboxSetupException.class,
                    () -> run(base().chroot(root, true).symlink("other", "/l").build(), ATTACK, "exit", "0"));
            assertEquals(SetupStep.SYMLINK, e.step(), e.getMessage());
            assertEquals(EEXIST, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("/l"), e.getMessage());
        }
        assertEquals("t/attack", Files.readSymbolicLink(root.resolve("l")).toString(), "the host's link is unchanged");
    }

    /** A bind, a tmpfs or a second symlink at a symlink op's path is refused when the sandbox is built. */
    @Test
    void aMountOrSymlinkAtASymlinkOpsPathIsRefusedAtBuild() {
        IllegalStateException bind = assertThrows(IllegalStateException.class,
                () -> base().symlink("/x", "/l").readOnly("/etc", "/l").build());
        assertTrue(bind.getMessage().contains("symlink(\"/x\", \"/l\")") && bind.getMessage().contains("readOnly"),
                bind.getMessage());
        IllegalStateException bindFirst = assertThrows(IllegalStateException.class,
                () -> base().readOnly("/etc", "/l").symlink("/x", "/l").build());
        assertTrue(bindFirst.getMessage().contains("/l"), bindFirst.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> base().symlink("/x", "/l").symlink("/y", "/l").build());
        assertTrue(twice.getMessage().contains("/l"), twice.getMessage());
        // Control: distinct paths build.
        base().symlink("/x", "/l").readOnly("/etc", "/m").build();
    }

    /** tmpfs sizes: 0 would mean unlimited to the kernel, a negative size is meaningless. */
    @Test
    void tmpfsSizeZeroOrNegativeIsRefusedNamingTheValue() {
        for (long bad : new long[] {0, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Sandbox.builder().tmpfs("/tmp", bad));
            assertTrue(e.getMessage().contains("tmpfs(\"/tmp\", " + bad + ")"), e.getMessage());
        }
        Sandbox.builder().tmpfs("/tmp", 1).tmpfs("/t2").build(); // control
    }

    /** The size reaches the kernel (fsconfig): a 64 KiB tmpfs refuses 1 MiB; control: the default one takes it. */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void tmpfsSizeIsEnforced(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Result small = run(base().tmpfs("/small", 64 * 1024).build(), ATTACK, "fill", "/small/f", "1024");
            assertTrue(small.out().startsWith("DENIED ENOSPC"), small.toString());
            Result big = run(base().build(), ATTACK, "fill", "/tmp/f", "1024");
            assertTrue(big.ok(), big.toString());
        }
    }
}
