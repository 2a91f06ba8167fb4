package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.MountOp;

/** The builder's checks and defaults; pure Java. */
@Tag("unit")
class SandboxBuilderTest {

    @Test
    void defaultsAreStrict() {
        Sandbox s = Sandbox.builder().build();
        assertTrue(s.sharedNamespaces().isEmpty(), "every namespace new");
        assertEquals(65534, s.uid());
        assertEquals(65534, s.gid());
        assertTrue(s.environment().isEmpty());
        assertTrue(s.mountOps().isEmpty());
        ByteBuffer spec = ByteBuffer.wrap(s.specPrefix()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x4A344253, spec.getInt());
        assertEquals(1, spec.getShort());
        spec.getShort();
        assertEquals(1, spec.getShort(), "first record: FLAGS");
        spec.getShort();
        assertEquals(8, spec.getInt());
        int clone = spec.getInt();
        int options = spec.getInt();
        assertEquals(0x7E020000, clone, "USER|MOUNT|PID|NET|IPC|UTS|CGROUP");
        assertEquals(0x3F, options, "init, new session, no_new_privs, die with parent, read-only root, loopback");
    }

    @Test
    void relativeAndUnnormalizedPathsAreRejectedAtTheCall() {
        Sandbox.Builder b = Sandbox.builder();
        assertEquals("bind source 'usr' is relative; give an absolute path",
                assertThrows(IllegalArgumentException.class, () -> b.readOnly("usr")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.readOnly("/usr/../etc", "/x")).getMessage()
                .contains("'..'"));
        assertThrows(IllegalArgumentException.class, () -> b.tmpfs("/"));
        assertThrows(IllegalArgumentException.class, () -> b.tmpfs("/a//b"));
        assertThrows(IllegalArgumentException.class, () -> b.cwd("tmp"));
        assertThrows(IllegalArgumentException.class, () -> b.env("A=B", "c"));
        assertThrows(IllegalArgumentException.class, () -> b.rlimit(Rlimit.NOFILE, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> b.hostname(""));
        assertThrows(IllegalArgumentException.class, () -> b.keepFd(5, 1));
        assertThrows(IllegalArgumentException.class, () -> b.timeLimit(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.uid(-1));
        assertEquals("/data", new MountOp.Bind("/srv/", "/data/", true, false, false).target());
    }

    @Test
    void conflictingCallsAreRejectedAtBuildNamingBoth() {
        IllegalStateException dup = assertThrows(IllegalStateException.class,
                () -> Sandbox.builder().readOnly("/usr", "/x").tmpfs("/x").build());
        assertEquals("readOnly(\"/usr\", \"/x\") and tmpfs(\"/x\") both use /x; each path inside the jail can be the"
                + " target of one call", dup.getMessage());
        assertTrue(assertThrows(IllegalStateException.class,
                () -> Sandbox.builder().share(Namespace.MOUNT).tmpfs("/tmp").build()).getMessage().contains("share(MOUNT)"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> Sandbox.builder().share(Namespace.PID).proc("/proc").build()).getMessage().contains("share(PID)"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> Sandbox.builder().share(Namespace.UTS).hostname("x").build()).getMessage().contains("share(UTS)"));
        assertThrows(IllegalStateException.class, () -> Sandbox.builder().keepFd(5, 7).keepFd(6, 7).build());
    }

    @Test
    void toBuilderDerivesWithoutChangingTheOriginal() {
        Sandbox base = Sandbox.builder().readOnly("/usr").env("A", "1").keepCapabilities(Capability.CHOWN).build();
        Sandbox derived = base.toBuilder().tmpfs("/tmp").env("B", "2").build();
        assertEquals(1, base.mountOps().size());
        assertEquals(2, derived.mountOps().size());
        assertEquals(List.of("A"), List.copyOf(base.environment().keySet()));
        assertEquals(List.of("A", "B"), List.copyOf(derived.environment().keySet()));
        assertArrayEquals(base.specPrefix(), Sandbox.builder().readOnly("/usr").env("A", "1")
                .keepCapabilities(Capability.CHOWN).build().specPrefix(), "the encoding is deterministic");
    }

    @Test
    void networkHostSharesTheNetNamespace() {
        assertTrue(Sandbox.builder().network(Network.HOST).build().sharedNamespaces().contains(Namespace.NET));
        assertTrue(Sandbox.builder().network(Network.HOST).network(Network.NONE).build().sharedNamespaces().isEmpty());
    }

    @Test
    void startRejectsBadCommandsBeforeSpawning() {
        Sandbox s = Sandbox.builder().build();
        assertThrows(IllegalArgumentException.class, () -> s.start(List.of()));
        assertThrows(IllegalArgumentException.class, () -> s.start("bin/true"));
        assertThrows(IllegalArgumentException.class, () -> s.start("/bin/true", "a\0b"));
    }

    @Test
    void parsersNameTheValidChoices() {
        assertEquals(Rlimit.NOFILE, Rlimit.parse("RLIMIT_NOFILE"));
        assertEquals(Rlimit.AS, Rlimit.parse("as"));
        assertEquals(Capability.NET_BIND_SERVICE, Capability.parse("cap_net_bind_service"));
        assertEquals(21, Capability.SYS_ADMIN.number());
        assertEquals(40, Capability.CHECKPOINT_RESTORE.number());
        assertEquals(Namespace.MOUNT, Namespace.parse("mnt"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Namespace.parse("time")).getMessage()
                .contains("user, mount, pid"));
    }

    @Test
    void errnoNamesAndMessages() {
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("EPERM", Errno.name(1));
        assertEquals(28, Errno.valueOf("enospc"));
        assertEquals("ENOENT (No such file or directory)", Errno.describe(2));
    }

    @Test
    void setupExceptionMessageNamesStepPathErrnoAndCall() {
        SandboxSetupException e = new SandboxSetupException(SetupStep.BIND, 2, "/nonexistent -> /data", "",
                "readOnly(\"/nonexistent\", \"/data\")", null);
        assertEquals("bind mount /nonexistent -> /data: ENOENT (No such file or directory) [readOnly(\"/nonexistent\","
                + " \"/data\")]", e.getMessage());
    }
}
