package org.sandbox4j.examples.workers;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.sandbox4j.internal.LauncherBinary;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.worker.WorkerSpec;

/**
 * Test fixtures: the class path copied to a world-readable directory (the jail's uid 65534 cannot
 * read ~/.m2 or the build directory), and the two modes every jail test runs in: as this JVM
 * (root) and as uid 65534 (the launcher started through setpriv, like an ordinary user's JVM).
 */
final class Jails {
    private static Path dir;
    private static List<Path> classpath;

    private Jails() {}

    enum Mode {
        ROOT, UID_65534;

        AutoCloseable activate() throws IOException {
            if (this == UID_65534) {
                assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
                Path launcher = dir().resolve("launcher");
                if (!Files.exists(launcher)) {
                    Files.write(launcher, LauncherBinary.bytes());
                    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                org.sandbox4j.Launcher.setDefault(org.sandbox4j.Launcher.getDefault().through(
                        List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), launcher));
            }
            return () -> org.sandbox4j.Launcher.setDefault(org.sandbox4j.Launcher.getDefault().through(List.of(), null));
        }
    }

    static synchronized Path dir() throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("sandbox4j-test-workers-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d)));
        }
        return dir;
    }

    /** This JVM's class path, copied where uid 65534 can read it. */
    static synchronized List<Path> classpath() {
        if (classpath == null) {
            try {
                Path cp = Files.createDirectory(dir().resolve("cp"));
                List<Path> l = new ArrayList<>();
                int i = 0;
                for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                    Path src = Path.of(e);
                    if (!Files.exists(src) || e.contains("junit") || e.contains("surefire")) {
                        continue;
                    }
                    Path dst = cp.resolve(i++ + (Files.isDirectory(src) ? "" : ".jar"));
                    try (Stream<Path> s = Files.walk(src)) {
                        for (Path p : (Iterable<Path>) s::iterator) {
                            Path t = Files.isDirectory(src) ? dst.resolve(src.relativize(p).toString()) : dst;
                            if (Files.isDirectory(p)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    }
                    l.add(dst);
                }
                try (Stream<Path> s = Files.walk(cp)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Files.setPosixFilePermissions(p,
                                PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
                classpath = List.copyOf(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return classpath;
    }

    static WorkerSpec.Builder spec() {
        return WorkerSpec.builder().classpath(classpath());
    }

    static void delete(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
