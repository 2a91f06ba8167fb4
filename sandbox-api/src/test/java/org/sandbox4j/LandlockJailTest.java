package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.landlock.Landlock;

/** Landlock applied by the launcher inside jails: attack and control, both modes. */
@Tag("kernel")
class LandlockJailTest {
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void writesOutsideTheRulesAreDenied(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 1, "no Landlock");
        try (AutoCloseable m = mode.activate()) {
            Sandbox.Builder b = base().tmpfs("/out").tmpfs("/data");
            Result denied = run(b.landlock(fs -> fs.readOnly("/t").readWrite("/data")).build(), ATTACK, "write", "/out/x");
            assertEquals("DENIED EACCES /out/x", denied.out().trim(), denied.toString());
            Result allowed = run(b.landlock(fs -> fs.readOnly("/t").readWrite("/data")).build(), ATTACK, "write", "/data/x");
            assertTrue(allowed.ok(), "control: the allowed path: " + allowed);
            Result control = run(base().tmpfs("/out").build(), ATTACK, "write", "/out/x");
            assertTrue(control.ok(), "control: no Landlock: " + control);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void readsOutsideTheRulesAreDenied(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 1, "no Landlock");
        try (AutoCloseable m = mode.activate()) {
            Result denied = run(base().landlock(fs -> fs.readOnly("/t")).build(), ATTACK, "list", "/tmp");
            assertEquals("DENIED EACCES /tmp", denied.out().trim(), denied.toString());
            Result control = run(base().landlock(fs -> fs.readOnly("/t", "/tmp")).build(), ATTACK, "list", "/tmp");
            assertTrue(control.ok(), control.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void tcpConnectIsLimitedToTheAllowedPorts(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 4, "TCP rules need Landlock ABI 4");
        try (AutoCloseable m = mode.activate()) {
            // Loopback in the jail's own network namespace: nothing listens, so an allowed connect is refused
            // by TCP (ECONNREFUSED) while a forbidden one is refused by Landlock (EACCES).
            Result denied = run(base().landlock(fs -> fs.readOnly("/t").allowTcpConnect(80)).build(), ATTACK, "connect", "9");
            assertEquals("DENIED EACCES connect", denied.out().trim(), denied.toString());
            Result allowed = run(base().landlock(fs -> fs.readOnly("/t").allowTcpConnect(9)).build(), ATTACK, "connect", "9");
            assertEquals("DENIED ECONNREFUSED connect", allowed.out().trim(), allowed.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void landlockIsTheMainLayerWithTheHostsMounts(JailMode mode) throws Exception {
        assumeTrue(Landlock.abi() >= 1, "no Landlock");
        try (AutoCloseable m = mode.activate()) {
            String dir = JailTestSupport.worldReadableDir().toString();
            java.nio.file.Files.setPosixFilePermissions(java.nio.file.Path.of(dir),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            String attack = JailTestSupport.fixtures().resolve("attack").toString();
            Sandbox.Builder b = Sandbox.builder().share(Namespace.MOUNT);
            Result denied = run(b.landlock(fs -> fs.readOnly("/")).build(), attack, "write", dir + "/x");
            assertEquals("DENIED EACCES " + dir + "/x", denied.out().trim(), denied.toString());
            Result control = run(Sandbox.builder().share(Namespace.MOUNT).build(), attack, "write", dir + "/x");
            assertTrue(control.ok(), control.toString());
        }
    }
}
