package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A world-readable copy of the built command (script, jar, lib/), so that uid 65534 can run it: CI's
 * clone may not be readable by other users. Made once per JVM, deleted at exit.
 */
final class CliCopy {
    private CliCopy() {}

    private static Path copy;

    static synchronized Path script(Path cli) {
        if (copy == null) {
            try {
                Path dir = Files.createTempDirectory("sandbox4j-cli-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                copy = copyTo(cli, dir, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return copy;
    }

    /**
     * Copies the command (script, jar, lib/, and with {@code withArchive} its class-data sharing
     * archive, sandbox4j.archive and the unpacked JNA library) into {@code dir}, world-readable;
     * returns the copied script.
     */
    static Path copyTo(Path cli, Path dir, boolean withArchive) throws IOException {
        Path target = cli.getParent();
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(cli, dir.resolve("sandbox4j"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(target.resolve("sandbox-examples.jar"), dir.resolve("sandbox-examples.jar"));
        try (Stream<Path> libs = Files.list(target.resolve("lib"))) {
            for (Path l : (Iterable<Path>) libs::iterator) {
                Files.copy(l, dir.resolve("lib").resolve(l.getFileName()));
            }
        }
        if (withArchive) {
            for (String name : new String[] {"sandbox4j.jsa", "sandbox4j.aot", "sandbox4j.archive", "jna/libjnidispatch.so"}) {
                if (Files.exists(target.resolve(name))) {
                    Files.createDirectories(dir.resolve(name).getParent());
                    Files.copy(target.resolve(name), dir.resolve(name));
                }
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) || p.getFileName().toString().equals("sandbox4j") ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir.resolve("sandbox4j");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
