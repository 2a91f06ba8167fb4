package org.sandbox4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.Errno;
import org.sandbox4j.SandboxException;

/**
 * Makes the launcher for the running architecture executable, once per JVM.
 *
 * <p>The binary is copied from the jar into a sealed memfd and executed as {@code /proc/self/fd/N}:
 * no file on disk to clean up or to be swapped by another user, content fixed by the seals
 * (shrink, grow, write, seal) before first use. Where the kernel refuses to execute memfds
 * ({@code vm.memfd_noexec=2}), the binary goes into a fresh private directory (0700) that is deleted
 * when the JVM exits. {@code -Dsandbox4j.launcher=/path} (or {@link #useInstalled(Path)}) uses an installed
 * launcher instead, checked to be root-owned and identical to the jar's ({@link #verifyInstalled}).
 */
public final class LauncherBinary {
    private static final LazyLog LOG = new LazyLog(LauncherBinary.class);
    public static final String PROPERTY = "sandbox4j.launcher";
    public static final String FILE_NAME = "sandbox4j-launcher";

    private static volatile @Nullable String path;

    private LauncherBinary() {}

    /** The path to execute the launcher by. */
    public static String path() throws SandboxException {
        String p = path;
        if (p == null) {
            synchronized (LauncherBinary.class) {
                p = path;
                if (p == null) {
                    p = provision();
                    path = p;
                }
            }
        }
        return p;
    }

    /** The launcher binary's bytes, from the jar. */
    public static byte[] bytes() throws SandboxException {
        Arch arch = Arch.current();
        String resource = arch.resourcePrefix() + "/" + FILE_NAME;
        try (InputStream in = LauncherBinary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new SandboxException("the launcher for " + arch.resourcePrefix() + " is not on the class path ("
                        + resource + "); was sandbox-api built with its native module?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SandboxException("cannot read the launcher from the class path: " + e.getMessage(), e);
        }
    }

    private static String provision() throws SandboxException {
        String configured = installed != null ? installed : System.getProperty(PROPERTY);
        if (configured != null && !configured.isEmpty()) {
            verifyInstalled(Path.of(configured), bytes());
            return configured;
        }
        byte[] bytes = bytes();
        String memfd = intoMemfd(bytes);
        if (memfd != null) {
            return memfd;
        }
        return intoPrivateFile(bytes);
    }

    // ---- the installed launcher (issue 14; see InstalledLauncher) -------------------------------

    private static volatile @Nullable String installed;

    /**
     * Uses the launcher installed at {@code file} (by {@code sandbox4j install-launcher}) for every
     * jail this JVM starts from now on, as {@code -Dsandbox4j.launcher=FILE} does; checked at once.
     */
    public static void useInstalled(Path file) throws SandboxException {
        verifyInstalled(file, bytes());
        synchronized (LauncherBinary.class) {
            installed = file.toString();
            path = installed;
        }
    }

    /**
     * An installed launcher must be the jar's launcher byte for byte (an AppArmor profile that allows
     * user namespaces is attached to that path, so a different program there would get them), and
     * nobody but root (or this JVM's own user) may change it: the file and every directory above it
     * owned by one of them and not writable by group or others (sticky directories such as /tmp
     * excepted).
     */
    public static void verifyInstalled(Path file, byte[] expected) throws SandboxException {
        try {
            Path real = file.toRealPath();
            if (!Files.isRegularFile(real) || !Files.isExecutable(real)) {
                throw new SandboxException("the installed launcher " + file + " is not an executable file");
            }
            for (Path p = real; p != null; p = p.getParent()) {
                int uid = (Integer) Files.getAttribute(p, "unix:uid");
                int mode = (Integer) Files.getAttribute(p, "unix:mode");
                boolean stickyDir = p != real && (mode & 01000) != 0;
                // The JVM's own uid may own it too (a copy for a host whose memfds and /tmp are noexec):
                // that user could change it anyway. Anyone else may not.
                boolean trusted = uid == 0 || uid == LibC.geteuid();
                if (!trusted || ((mode & 022) != 0 && !stickyDir)) {
                    throw new SandboxException("the installed launcher " + file + " can be changed by others than root"
                            + " and this JVM's user: "
                            + p + " is owned by uid " + uid + " with mode " + Integer.toOctalString(mode & 07777)
                            + "; install it with 'sandbox4j install-launcher' (root-owned, 0755)");
                }
            }
            byte[] actual = Files.readAllBytes(real);
            if (!java.security.MessageDigest.isEqual(sha256(actual), sha256(expected))) {
                throw new SandboxException("the installed launcher " + file + " (sha256 " + hex(sha256(actual))
                        + ") is not this sandbox4j's launcher (sha256 " + hex(sha256(expected))
                        + "); reinstall it with 'sandbox4j install-launcher' after upgrading sandbox4j");
            }
        } catch (IOException e) {
            throw new SandboxException("cannot check the installed launcher " + file + ": " + e, e);
        }
    }

    /** SHA-256 of {@code b}. */
    public static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Lower-case hex of {@code b}. */
    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    private static @Nullable String intoMemfd(byte[] bytes) {
        int flags = LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING;
        int fd = LibC.memfd_create(FILE_NAME, flags | LibC.MFD_EXEC);
        if (fd < 0 && LibC.errno() == 22) { // EINVAL: kernel older than 6.3, no MFD_EXEC
            fd = LibC.memfd_create(FILE_NAME, flags);
        }
        if (fd < 0) {
            LOG.get().debug("memfd_create failed: {}; using a private file", Errno.describe(LibC.errno()));
            return null;
        }
        long off = 0;
        while (off < bytes.length) {
            byte[] chunk = off == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, (int) off, bytes.length);
            long n = LibC.write(fd, chunk, chunk.length);
            if (n <= 0) {
                LibC.close(fd);
                return null;
            }
            off += n;
        }
        int seals = LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_WRITE | LibC.F_SEAL_SEAL;
        if (LibC.fcntl(fd, LibC.F_ADD_SEALS, seals) != 0) {
            LibC.close(fd);
            return null;
        }
        // The fd stays open for the life of the JVM; posix_spawn's child resolves the path in its
        // copy of the fd table before close-on-exec applies.
        return "/proc/self/fd/" + fd;
    }

    private static String intoPrivateFile(byte[] bytes) throws SandboxException {
        try {
            Path dir = Files.createTempDirectory("sandbox4j-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve(FILE_NAME);
            Files.write(file, bytes);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new SandboxException("cannot make the launcher executable (memfd refused, temp dir failed): " + e, e);
        }
    }
}
