package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.internal.LibC;

/**
 * Id ranges (issue 17): a daemon that switches users inside its jail (smbd serving a user) needs
 * more than one id mapped. Root maps any ranges; uid 65534 only those /etc/subuid and /etc/subgid
 * grant it, through newuidmap/newgidmap.
 */
@Tag("kernel")
class IdRangeTest {

    /** A jail as uid 0 inside with CAP_SETUID/CAP_SETGID, a writable /w whose files show host owners. */
    private static Sandbox.Builder switcher(Path w) {
        return base().uid(0).gid(0).readWrite(w.toString(), "/w").keepCapabilities(Capability.SETUID, Capability.SETGID);
    }

    private static Path writableDir() throws IOException {
        Path w = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxrwxrwx"));
        return w;
    }

    private static int owner(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    private static int group(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid");
    }

    @Test
    void aRootCallerMapsRangesAndTheJailSwitchesToSeveralIds() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "needs a root JVM");
        try (AutoCloseable m = JailMode.PRIVILEGED.activate()) {
            Path w = writableDir();
            Sandbox s = switcher(w).uidMap(0, 100000, 65536).gidMap(0, 100000, 65536).build();
            Result r = JailTestSupport.run(s, ATTACK, "become", "1000", "1001", "1001", "2000", "3000", "/w/f");
            assertTrue(r.ok() && r.out().contains("OK become uid=1000 gid=1001 groups=3"), r.toString());
            assertEquals(101000, owner(w.resolve("f")));
            assertEquals(101001, group(w.resolve("f")));
            // A second range maps a separate block: inside 70000 is host 300000.
            Sandbox two = switcher(w).uidMap(0, 100000, 65536).uidMap(70000, 300000, 10).gidMap(0, 100000, 65536).build();
            Result r2 = JailTestSupport.run(two, ATTACK, "become", "70003", "5", "5", "/w/g");
            assertTrue(r2.ok(), r2.toString());
            assertEquals(300003, owner(w.resolve("g")));
        }
    }

    /** The prestarted launcher (zygote) writes ranges, or runs newuidmap, the same way. */
    @Test
    void thePrestartedLauncherMapsRangesToo() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap (package uidmap) is missing");
        for (JailMode mode : JailMode.values()) {
            try (SubIds grant = SubIds.grant("nobody", 200000, 65536); AutoCloseable m = mode.activate()) {
                Sandbox.usePrestartedLauncher(true);
                Path w = writableDir();
                int own = mode == JailMode.PRIVILEGED ? 100000 : 65534;
                Sandbox s = switcher(w).uidMap(0, own, 1).uidMap(1, 200000, 65536).gidMap(0, own, 1)
                        .gidMap(1, 200000, 65536).build();
                Result r = JailTestSupport.run(s, ATTACK, "become", "1000", "1001", "1001", "2000", "/w/f");
                assertTrue(r.ok() && r.out().contains("OK become uid=1000 gid=1001 groups=2"), mode + ": " + r);
                assertEquals(200999, owner(w.resolve("f")), mode.toString());
                assertTrue(org.sandbox4j.internal.PrestartedLauncher.zygotePid() > 0, "the zygote served it");
            } finally {
                org.sandbox4j.internal.PrestartedLauncher.setEnabled(null);
                assertTrue(org.sandbox4j.internal.PrestartedLauncher.shutdown(java.time.Duration.ofSeconds(10)));
            }
        }
    }

    /** The control: with the one-id map (the default) the same switch fails, as smbd's setgroups did. */
    @Test
    void withTheOneIdMapTheSameSwitchFails() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "needs a root JVM");
        try (AutoCloseable m = JailMode.PRIVILEGED.activate()) {
            Path w = writableDir();
            Result r = JailTestSupport.run(switcher(w).build(), ATTACK, "become", "1000", "1001", "1001", "2000", "/w/f");
            assertTrue(r.out().contains("DENIED EINVAL setgroups"), r.toString());
            assertTrue(Files.notExists(w.resolve("f")));
        }
    }

    @Test
    void overlappingOrUncoveredRangesAreRefusedByTheBuilder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sandbox.builder().uidMap(0, 100000, 100).uidMap(50, 200000, 10));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sandbox.builder().uidMap(0, 100000, 100).uidMap(200, 100050, 10));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sandbox.builder().uidMap(0, -16, 100));
        assertTrue(e.getMessage().contains("past id 4294967294"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sandbox.builder().gidMap(0, 0, 0));
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> Sandbox.builder().uidMap(1, 100000, 10).build());
        assertTrue(s.getMessage().contains("uid 65534 is in none of the uid ranges"), s.getMessage());
        Sandbox.Builder full = Sandbox.builder().uid(0);
        for (int i = 0; i < IdMap.MAX_RANGES; i++) {
            full.uidMap(i, 100000 + i, 1);
        }
        assertThrows(IllegalArgumentException.class, () -> full.uidMap(1000, 900000, 1));
        assertEquals("0:100000:65536", IdMap.parse("0:100000:65536").toString());
        assertEquals("5:6:1", IdMap.parse("5:6").toString());
        assertThrows(IllegalArgumentException.class, () -> IdMap.parse("0:x:1"));
    }

    /** uid 65534 with a range it was granted in /etc/subuid and /etc/subgid: newuidmap maps it. */
    @Test
    void anUnprivilegedCallerMapsTheRangesSubuidGrants() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap (package uidmap) is missing");
        try (SubIds grant = SubIds.grant("nobody", 200000, 65536); AutoCloseable m = JailMode.UNPRIVILEGED.activate()) {
            Path w = writableDir();
            Sandbox s = switcher(w).uidMap(0, 65534, 1).uidMap(1, 200000, 65536)
                    .gidMap(0, 65534, 1).gidMap(1, 200000, 65536).build();
            Result r = JailTestSupport.run(s, ATTACK, "become", "1000", "1001", "1001", "2000", "3000", "/w/f");
            assertTrue(r.ok() && r.out().contains("OK become uid=1000 gid=1001 groups=3"), r.toString());
            assertEquals(200999, owner(w.resolve("f")));
            assertEquals(201000, group(w.resolve("f")));
            // uid 0 inside is still the caller's own uid on the host, not root.
            Result r0 = JailTestSupport.run(s, ATTACK, "become", "0", "0", "/w/g");
            assertTrue(r0.ok(), r0.toString());
            assertEquals(65534, owner(w.resolve("g")));
            // Beyond the grant: newuidmap refuses, and the jail never starts.
            SandboxSetupException e = assertThrows(SandboxSetupException.class,
                    () -> switcher(w).uidMap(0, 65534, 1).uidMap(1, 200000, 65537).gidMap(0, 65534, 1).build()
                            .start(ATTACK, "exit", "0"));
            assertEquals(SetupStep.UID_MAP, e.step(), e.getMessage());
            assertTrue(e.getMessage().contains("newuidmap failed"), e.getMessage());
        }
    }

    /** The control of the test above: without a subuid line the same jail is refused, saying why. */
    @Test
    void anUnprivilegedCallerWithoutASubuidRangeIsRefused() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap (package uidmap) is missing");
        try (SubIds none = SubIds.grant("nobody", -1, 0); AutoCloseable m = JailMode.UNPRIVILEGED.activate()) {
            Path w = writableDir();
            SandboxSetupException e = assertThrows(SandboxSetupException.class,
                    () -> switcher(w).uidMap(0, 65534, 1).uidMap(1, 200000, 65536).gidMap(0, 65534, 1)
                            .gidMap(1, 200000, 65536).build().start(ATTACK, "exit", "0"));
            assertTrue(e.step() == SetupStep.GID_MAP || e.step() == SetupStep.UID_MAP, e.getMessage());
            assertTrue(e.getMessage().contains("newgidmap failed") || e.getMessage().contains("newuidmap failed"), e.getMessage());
            // Its own id alone is still fine (the kernel allows it; the jail writes it itself).
            Result r = JailTestSupport.run(base().uid(0).gid(0).build(), ATTACK, "ids");
            assertTrue(r.ok() && r.out().contains("uid=0"), r.toString());
        }
    }

    /**
     * Id ranges and a cgroup in one jail (the merge of issue 17 with the cgroups): the launcher puts
     * the jail in its cgroup and writes (or has newuidmap write) its maps before releasing it. As
     * root and as uid 65534 (there only where a v1 subtree can be delegated to it, as CgroupTest does).
     */
    @Test
    void rangesAndAPidsLimitApplyTogether() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "needs a root JVM");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap (package uidmap) is missing");
        for (JailMode mode : JailMode.values()) {
            boolean priv = mode == JailMode.PRIVILEGED;
            if (!priv && org.sandbox4j.internal.Cgroups.host().v2Usable()) {
                continue; // v2: an unprivileged launcher has no delegated cgroup here (CgroupTest checks the refusal)
            }
            try (SubIds grant = SubIds.grant("nobody", 200000, 65536); AutoCloseable m = mode.activate()) {
                Path w = writableDir();
                int own = priv ? 100000 : 65534;
                Sandbox.Builder b = switcher(w).uidMap(0, own, 1).uidMap(1, 200000, 65536).gidMap(0, own, 1)
                        .gidMap(1, 200000, 65536);
                Path parent = CgroupTest.parentFor(mode);
                if (parent != null) {
                    b.cgroupParent(parent);
                }
                Sandbox s = b.pidsLimit(20).build();
                Result r = JailTestSupport.run(s, ATTACK, "become", "1000", "1001", "1001", "/w/f");
                assertTrue(r.ok() && r.out().contains("OK become uid=1000 gid=1001"), mode + ": " + r);
                assertEquals(200999, owner(w.resolve("f")), mode.toString());
                SandboxedProcess p = s.start(ATTACK, "forkbomb", "300");
                assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), mode.toString());
                assertEquals(org.sandbox4j.cgroup.ResourceLimit.PIDS, p.jailExit().limitReached().orElse(null),
                        mode + ": " + p.jailExit());
                // Control: the same ranges without the limit let the bomb run to its end.
                Result control = JailTestSupport.run(b.pidsLimit(400).build(), ATTACK, "forkbomb", "300");
                assertTrue(control.ok(), mode + ": " + control);
            } finally {
                if (!priv) {
                    CgroupTest.removeDelegated();
                }
            }
        }
    }

    /**
     * Adds (or, with {@code first < 0}, removes) the user's lines in /etc/subuid and /etc/subgid for
     * the test, and puts both files back as they were when closed. Needs a root JVM.
     */
    static final class SubIds implements AutoCloseable {
        private static final Path[] FILES = {Path.of("/etc/subuid"), Path.of("/etc/subgid")};
        private final byte[][] saved = new byte[2][];

        private SubIds(String user, long first, long count) throws IOException {
            for (int i = 0; i < 2; i++) {
                saved[i] = Files.exists(FILES[i]) ? Files.readAllBytes(FILES[i]) : null;
                StringBuilder sb = new StringBuilder();
                if (saved[i] != null) {
                    for (String line : new String(saved[i], StandardCharsets.UTF_8).split("\n", -1)) {
                        if (!line.isEmpty() && !line.startsWith(user + ":") && !line.startsWith("65534:")) {
                            sb.append(line).append('\n');
                        }
                    }
                }
                if (first >= 0) {
                    sb.append(user).append(':').append(first).append(':').append(count).append('\n');
                }
                Files.writeString(FILES[i], sb.toString());
            }
        }

        static SubIds grant(String user, long first, long count) throws IOException {
            assumeTrue(LibC.geteuid() == 0, "editing /etc/subuid needs a root JVM");
            return new SubIds(user, first, count);
        }

        @Override
        public void close() throws IOException {
            for (int i = 0; i < 2; i++) {
                if (saved[i] == null) {
                    Files.deleteIfExists(FILES[i]);
                } else {
                    Files.write(FILES[i], saved[i]);
                }
            }
        }
    }
}
