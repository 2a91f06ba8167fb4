package org.sandbox4j.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.sandbox4j.SandboxException;

/**
 * The installed launcher (issue 14), for hosts where AppArmor gives user namespaces only to profiled
 * programs (Ubuntu 23.10+): a launcher run from a memfd cannot carry a profile, one at a fixed,
 * root-owned path can. {@code sandbox4j install-launcher} writes the jar's launcher there and an
 * AppArmor profile that allows it {@code userns}; an administrator loads the profile; the library
 * uses the file when told to ({@code -Dsandbox4j.launcher=PATH} or
 * {@code Sandbox.useInstalledLauncher(PATH)}) after checking it is root-owned and byte-identical to
 * the jar's launcher ({@link LauncherBinary#verifyInstalled}).
 */
public final class InstalledLauncher {
    /** Where {@code install-launcher} puts the launcher by default. */
    public static final Path DEFAULT_LAUNCHER = Path.of("/usr/local/libexec/sandbox4j/sandbox4j-launcher");
    /** Where it puts the AppArmor profile by default. */
    public static final Path DEFAULT_PROFILE = Path.of("/etc/apparmor.d/sandbox4j-launcher");

    private InstalledLauncher() {}

    /**
     * The AppArmor profile for a launcher at {@code launcher}: unconfined (the jail's own mechanisms
     * confine the program) but allowed to create user namespaces.
     */
    public static String profile(Path launcher) {
        return String.join("\n",
                "# sandbox4j's installed launcher (written by 'sandbox4j install-launcher'): the one program",
                "# this profile allows to create user namespaces where AppArmor restricts them",
                "# (kernel.apparmor_restrict_unprivileged_userns=1). Load it with: apparmor_parser -r THIS_FILE",
                "abi <abi/4.0>,",
                "include <tunables/global>",
                "",
                "profile sandbox4j-launcher " + launcher + " flags=(unconfined) {",
                "  userns,",
                "",
                "  include if exists <local/sandbox4j-launcher>",
                "}",
                "");
    }

    /**
     * Writes the jar's launcher to {@code launcher} (mode 0755, replacing atomically) and the profile
     * to {@code profileFile} (0644), both owned by the caller, who must be root.
     *
     * @return the commands the administrator runs next
     */
    public static List<String> install(Path launcher, Path profileFile) throws SandboxException {
        if (LibC.geteuid() != 0) {
            throw new SandboxException("install-launcher must run as root: the launcher and its AppArmor profile must"
                    + " belong to root, or anyone could replace the program the profile allows user namespaces");
        }
        if (!launcher.isAbsolute() || !profileFile.isAbsolute()) {
            throw new SandboxException("install-launcher needs absolute paths: " + launcher + ", " + profileFile);
        }
        byte[] bytes = LauncherBinary.bytes();
        try {
            write(launcher, bytes, "rwxr-xr-x");
            write(profileFile, profile(launcher).getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        } catch (IOException e) {
            throw new SandboxException("install-launcher: " + e, e);
        }
        LauncherBinary.verifyInstalled(launcher, bytes);
        return List.of("apparmor_parser -r " + profileFile,
                "java -Dsandbox4j.launcher=" + launcher + " ...   (or Sandbox.useInstalledLauncher(Path.of(\"" + launcher
                        + "\")))");
    }

    private static void write(Path target, byte[] content, String mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path tmp = Files.createTempFile(dir, ".sandbox4j-", ".new");
        try {
            Files.write(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
