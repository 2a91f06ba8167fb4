package org.sandbox4j.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.sandbox4j.Sandbox;

/**
 * What a program needs to see of the host to run, found once per program and cached: for a JDK,
 * its directory, the files its symbolic links point to outside it (Debian keeps jvm.cfg and
 * java.security under /etc), and the shared libraries its executables and libraries load (as
 * {@code ldd} reports them); for any dynamically linked program, its libraries.
 */
final class JvmFiles {
    /** JDK libraries that need a display; a worker is headless and never loads them. */
    private static final Set<String> SKIPPED_LIBS = Set.of("libawt_xawt.so", "libsplashscreen.so", "libjawt.so",
            "libatk-wrapper.so");

    private static final Map<Path, Binds> CACHE = new ConcurrentHashMap<>();

    private JvmFiles() {}

    /** Read-only binds (jail path -> host source) and symlinks (jail path -> link text). */
    record Binds(Map<String, String> files, Map<String, String> symlinks) {
        void applyTo(Sandbox.Builder b) {
            symlinks.forEach((path, text) -> b.symlink(text, path));
            files.forEach((target, source) -> b.readOnly(source, target));
        }
    }

    /** What the JDK at {@code javaHome} needs: the directory itself is bound separately. */
    static Binds forJdk(Path javaHome) {
        return CACHE.computeIfAbsent(javaHome.toAbsolutePath().normalize(), JvmFiles::scanJdk);
    }

    /** The shared libraries of a dynamically linked program, plus the program itself. */
    static Binds forProgram(Path program) {
        return CACHE.computeIfAbsent(program.toAbsolutePath().normalize(), p -> {
            Map<String, String> files = new LinkedHashMap<>();
            Map<String, String> links = new LinkedHashMap<>();
            addFile(p, files);
            libraries(List.of(p), p, files, links);
            return new Binds(Map.copyOf(files), Map.copyOf(links));
        });
    }

    private static Binds scanJdk(Path home) {
        Map<String, String> files = new LinkedHashMap<>();
        Map<String, String> links = new LinkedHashMap<>();
        List<Path> elfs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(home)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = home.relativize(p).toString();
                if (rel.startsWith("legal/") || rel.startsWith("man/") || rel.equals("docs") || rel.endsWith("src.zip")) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    if (SKIPPED_LIBS.contains(p.getFileName().toString())) {
                        continue;
                    }
                    Path target = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
                    if (!target.startsWith(home) && Files.exists(target)) {
                        files.put(target.toString(), target.toRealPath().toString());
                    }
                    continue;
                }
                String name = p.getFileName().toString();
                if ((name.endsWith(".so") && !SKIPPED_LIBS.contains(name)) || rel.equals("bin/java")) {
                    elfs.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan the JDK at " + home, e);
        }
        libraries(elfs, home, files, links);
        return new Binds(Map.copyOf(files), Map.copyOf(links));
    }

    /** Runs {@code ldd} over {@code elfs} and records every library outside {@code home}. */
    private static void libraries(List<Path> elfs, Path home, Map<String, String> files, Map<String, String> links) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ldd");
        elfs.forEach(e -> cmd.add(e.toString()));
        String out;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            String hint = org.sandbox4j.internal.LockdownState.hint();
            throw new UncheckedIOException("cannot run ldd to find the libraries of " + home
                    + (hint == null ? "" : " (" + hint + ")"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        for (String line : out.split("\n")) {
            String l = line.trim();
            int arrow = l.indexOf("=> ");
            String path = arrow >= 0 ? l.substring(arrow + 3) : l;
            int paren = path.indexOf(" (");
            if (paren >= 0) {
                path = path.substring(0, paren);
            }
            if (!path.startsWith("/")) {
                continue; // vdso, "not found", headers of ldd's output
            }
            Path lib = Path.of(path).normalize();
            if (lib.startsWith(home) || !Files.exists(lib)) {
                continue;
            }
            addFile(lib, files);
            // The loader looks for libraries by the paths it was built with (/lib/..., /lib64/...):
            // keep the host's top-level symlinks so those paths lead to where the files are bound.
            Path top = lib.getRoot().resolve(lib.getName(0));
            if (Files.isSymbolicLink(top)) {
                try {
                    links.put(top.toString(), Files.readSymbolicLink(top).toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Binds the real file at its path with the directories resolved (so /lib/x.so lands at /usr/lib/x.so). */
    private static void addFile(Path p, Map<String, String> files) {
        try {
            Path dir = p.getParent().toRealPath();
            files.put(dir.resolve(p.getFileName()).toString(), p.toRealPath().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
