package org.sandbox4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.sandbox4j.internal.LauncherBinary;
import org.sandbox4j.internal.LibC;

/**
 * Shared fixtures of the jail tests: a world-readable directory (uid 65534 must read it) holding the
 * static attack program and a copy of the launcher, and the two modes every jail test runs in.
 */
public final class JailTestSupport {
    private JailTestSupport() {}

    /** Where the attack program is inside a jail built from {@link #base()}. */
    public static final String ATTACK = "/t/attack";

    private static Path fixtures;

    /** The fixture directory: mode 0755, deleted when the JVM exits. */
    public static synchronized Path fixtures() {
        if (fixtures == null) {
            try {
                Path dir = Files.createTempDirectory("sandbox4j-test-");
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path src = Path.of(System.getProperty("sandbox4j.test.csrc", "src/test/c")).resolve("attack.c");
                Path out = dir.resolve("attack");
                Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", out.toString(), src.toString())
                        .redirectErrorStream(true).start();
                String msg = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (gcc.waitFor() != 0) {
                    throw new IllegalStateException("gcc failed to build the attack program: " + msg);
                }
                Path launcher = dir.resolve("launcher");
                Files.write(launcher, LauncherBinary.bytes());
                Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
                fixtures = dir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return fixtures;
    }

    /** A world-readable temporary directory for one test's files, deleted when the JVM exits. */
    public static Path worldReadableDir() throws IOException {
        Path dir = Files.createTempDirectory(fixtures(), "case-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static List<Path> classpath;

    /**
     * The test JVM's class path, copied once into the fixture directory with modes 0755/0644: uid 65534
     * must read it, and CI's clone (and root's ~/.m2) may not be readable by other users.
     */
    public static synchronized List<Path> worldReadableClasspath() {
        if (classpath == null) {
            try {
                Path dir = Files.createDirectory(fixtures().resolve("cp"));
                List<Path> entries = new java.util.ArrayList<>();
                int i = 0;
                for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                    Path src = Path.of(e);
                    if (!Files.exists(src)) {
                        continue;
                    }
                    Path dst = dir.resolve(i++ + (Files.isDirectory(src) ? "" : ".jar"));
                    copyTree(src, dst);
                    entries.add(dst);
                }
                makeWorldReadable(dir);
                classpath = List.copyOf(entries);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return classpath;
    }

    /** {@link #worldReadableClasspath()} as a {@code -cp} argument. */
    public static String worldReadableClasspathArg() {
        return String.join(java.io.File.pathSeparator,
                worldReadableClasspath().stream().map(Path::toString).toArray(String[]::new));
    }

    /** Copies a file, or a directory tree, to {@code dst}. */
    public static void copyTree(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src)) {
            Files.copy(src, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Directories 0755, files 0644, below and including {@code dir}. */
    public static void makeWorldReadable(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }

    /** A jail with only the attack program visible (at /t/attack) plus a tmpfs at /tmp. */
    public static Sandbox.Builder base() {
        return Sandbox.builder().readOnly(fixtures().resolve("attack").toString(), ATTACK).tmpfs("/tmp");
    }

    /**
     * Runs every launcher of the JVM's default ({@link Launcher#getDefault()}) through {@code prefix}
     * from {@code launcherFile} (an empty prefix: directly) until closed, keeping the default's mode.
     */
    public static AutoCloseable throughPrefix(List<String> prefix, @org.jspecify.annotations.Nullable Path launcherFile) {
        Launcher.setDefault(Launcher.getDefault().through(prefix, launcherFile));
        return () -> Launcher.setDefault(Launcher.getDefault().through(List.of(), null));
    }

    /** The privileges the jail is built with. Every jail test runs in both. */
    public enum JailMode {
        /** With the JVM's own privileges (root in CI). */
        PRIVILEGED,
        /** The launcher runs as uid/gid 65534 with no groups, as for an ordinary user's JVM. */
        UNPRIVILEGED;

        /** Routes spawns through this mode until closed. Skips the test when the mode cannot run here. */
        public AutoCloseable activate() {
            if (this == UNPRIVILEGED) {
                assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
                assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is missing");
                return throughPrefix(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                        fixtures().resolve("launcher"));
            }
            return throughPrefix(List.of(), null);
        }

        /** The host uid the jail's processes have in this mode. */
        public int hostUid() {
            return this == UNPRIVILEGED || LibC.geteuid() == 0 ? 65534 : LibC.geteuid();
        }
    }

    /** What a finished jail printed and how it ended. */
    public record Result(JailExit exit, String out, String err) {
        public boolean ok() {
            return !exit.signaled() && exit.code() == 0;
        }

        @Override
        public String toString() {
            return exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs a command in the jail and collects its output (at most 30 s). */
    public static Result run(Sandbox sandbox, String... command) throws IOException, InterruptedException {
        SandboxedProcess p = sandbox.start(command);
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> copy(p.getErrorStream(), err));
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        t.join(30_000);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jail did not finish in 30 s");
        }
        p.getInputStream().close();
        p.getErrorStream().close();
        return new Result(p.jailExit(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // the stream closes when the jail ends
        }
    }
}
