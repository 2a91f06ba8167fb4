package org.sandbox4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxException;

/** The installed launcher (issue 14): what install-launcher writes, and what the library accepts. */
class InstalledLauncherTest {
    @TempDir
    Path dir;

    private Path install() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "install-launcher needs root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = dir.resolve("libexec/sandbox4j-launcher");
        List<String> next = InstalledLauncher.install(launcher, dir.resolve("apparmor.d/sandbox4j-launcher"));
        assertEquals("apparmor_parser -r " + dir.resolve("apparmor.d/sandbox4j-launcher"), next.get(0));
        return launcher;
    }

    @Test
    void installWritesTheJarsLauncherAndAProfileForIt() throws Exception {
        Path launcher = install();
        assertArrayEquals(LauncherBinary.bytes(), Files.readAllBytes(launcher));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher)));
        String profile = Files.readString(dir.resolve("apparmor.d/sandbox4j-launcher"));
        assertTrue(profile.contains("profile sandbox4j-launcher " + launcher + " flags=(unconfined) {\n  userns,\n"), profile);
        LauncherBinary.verifyInstalled(launcher, LauncherBinary.bytes());
    }

    @Test
    void aChangedOrWritableLauncherIsRefused() throws Exception {
        Path launcher = install();
        byte[] b = Files.readAllBytes(launcher);
        b[b.length / 2] ^= 1;
        Files.write(launcher, b);
        SandboxException changed = assertThrows(SandboxException.class,
                () -> LauncherBinary.verifyInstalled(launcher, LauncherBinary.bytes()));
        assertTrue(changed.getMessage().contains("is not this sandbox4j's launcher (sha256 "), changed.getMessage());
        install(); // control: reinstalled, accepted again
        LauncherBinary.verifyInstalled(launcher, LauncherBinary.bytes());
        Files.setPosixFilePermissions(launcher.getParent(), PosixFilePermissions.fromString("rwxrwxr-x"));
        SandboxException writable = assertThrows(SandboxException.class,
                () -> LauncherBinary.verifyInstalled(launcher, LauncherBinary.bytes()));
        assertTrue(writable.getMessage().contains("can be changed by others than root and this JVM's user: " + launcher.getParent()),
                writable.getMessage());
        assertThrows(SandboxException.class, () -> Sandbox.useInstalledLauncher(launcher), "the public call checks too");
        Files.setPosixFilePermissions(launcher.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(launcher, "unix:uid", 12345);
        SandboxException foreign = assertThrows(SandboxException.class,
                () -> LauncherBinary.verifyInstalled(launcher, LauncherBinary.bytes()));
        assertTrue(foreign.getMessage().contains("is owned by uid 12345"), foreign.getMessage());
    }

    @Test
    @Tag("kernel")
    void jailsRunThroughTheInstalledLauncher() throws Exception {
        Path launcher = install();
        // env(1) only execs the installed file, as posix_spawn of the configured path would.
        AutoCloseable prefix = JailTestSupport.throughPrefix(List.of("/usr/bin/env"), launcher);
        try {
            JailTestSupport.Result r = JailTestSupport.run(JailTestSupport.base().build(), JailTestSupport.ATTACK, "hostname");
            assertEquals("OK hostname sandbox", r.out().trim(), r.toString());
        } finally {
            prefix.close();
        }
    }

    /**
     * apparmor_parser checks the profile's syntax. Debian 12's parser (AppArmor 3.0) predates the
     * {@code userns} rule and ABI 4.0 (AppArmor 4.0, Ubuntu 24.04): there the rest of the profile is
     * checked without those two lines; a 4.x parser checks all of it.
     */
    @Test
    void theProfileParses() throws Exception {
        Path parser = Path.of("/sbin/apparmor_parser");
        assumeTrue(Files.isExecutable(parser), "apparmor_parser (package apparmor) is not installed");
        Process v = new ProcessBuilder(parser.toString(), "--version").redirectErrorStream(true).start();
        String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        v.waitFor();
        boolean v4 = version.matches("(?s).*version [4-9].*");
        String profile = InstalledLauncher.profile(InstalledLauncher.DEFAULT_LAUNCHER);
        if (!v4) {
            profile = profile.replace("abi <abi/4.0>,\n", "").replace("  userns,\n", "");
        }
        Path file = dir.resolve("profile");
        Files.writeString(file, profile);
        List<String> cmd = new ArrayList<>(List.of(parser.toString(), "--skip-kernel-load", "--skip-cache", file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), version + out);
        Files.writeString(file, profile.replace("flags=(unconfined) {", "flags=(unconfined) {\n  bogus rule here,"));
        Process bad = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        bad.getInputStream().readAllBytes();
        assertTrue(bad.waitFor() != 0, "control: the parser does reject a broken profile");
    }
}
