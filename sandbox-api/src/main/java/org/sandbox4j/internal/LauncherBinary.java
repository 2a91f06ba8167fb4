package org.sandbox4j.internal;

import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.Errno;
import org.sandbox4j.SandboxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the launcher for the running architecture executable, once per JVM.
 *
 * <p>The binary is copied from the jar into a sealed memfd and executed as {@code /proc/self/fd/N}:
 * no file on disk to clean up or to be swapped by another user, content fixed by the seals
 * (shrink, grow, write, seal) before first use. Where the kernel refuses to execute memfds
 * ({@code vm.memfd_noexec=2}), the binary goes into a fresh private directory (0700) that is deleted
 * when the JVM exits. {@code -Dsandbox4j.launcher=/path} uses an installed launcher instead.
 */
public final class LauncherBinary {
    private static final Logger LOG = LoggerFactory.getLogger(LauncherBinary.class);
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
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isEmpty()) {
            if (!Files.isExecutable(Path.of(configured))) {
                throw new SandboxException("-D" + PROPERTY + "=" + configured + " is not an executable file");
            }
            return configured;
        }
        byte[] bytes = bytes();
        String memfd = intoMemfd(bytes);
        if (memfd != null) {
            return memfd;
        }
        return intoPrivateFile(bytes);
    }

    private static @Nullable String intoMemfd(byte[] bytes) {
        int flags = LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING;
        int fd = LibC.memfd_create(FILE_NAME, flags | LibC.MFD_EXEC);
        if (fd < 0 && Native.getLastError() == 22) { // EINVAL: kernel older than 6.3, no MFD_EXEC
            fd = LibC.memfd_create(FILE_NAME, flags);
        }
        if (fd < 0) {
            LOG.debug("memfd_create failed: {}; using a private file", Errno.describe(Native.getLastError()));
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
