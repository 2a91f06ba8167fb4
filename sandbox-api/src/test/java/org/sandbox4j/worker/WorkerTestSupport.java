package org.sandbox4j.worker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.SandboxException;

/**
 * Fixtures of the worker tests: the worker class path (this module's classes and test classes)
 * copied to a world-readable directory, since uid 65534 may not read the build directory, and a
 * look at the host's process table.
 */
final class WorkerTestSupport {
    private static List<Path> classpath;

    private WorkerTestSupport() {}

    /** The worker's class path: the copied class directories (the worker needs none of the jars). */
    static List<Path> classpath() {
        return JailTestSupport.worldReadableClasspath().stream().filter(Files::isDirectory).toList();
    }

    /** A spec with the copied class path. */
    static WorkerSpec.Builder spec() {
        return WorkerSpec.builder().classpath(classpath()).heap(32L << 20);
    }

    static WorkerSpec build(WorkerSpec.Builder b) {
        try {
            return b.build();
        } catch (SandboxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Host pids of live processes whose command line has {@code arg} as a whole argument. */
    static List<Long> processesWithArg(String arg) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    String stat = Files.readString(p.resolve("stat"));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    if (List.of(cmd.split("\0")).contains(arg) && !zombie) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return pids;
    }

    static String fdList() throws IOException {
        List<String> l = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    l.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                } catch (IOException e) {
                    // the listing's own fd
                }
            }
        }
        return l.toString();
    }

    static int openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1;
        }
    }

    /** Resident memory (kB) of the worker JVM below a launcher pid: the deepest java process. */
    static long jvmRssKb(long launcherPid) throws IOException {
        long pid = launcherPid;
        long rss = -1;
        for (int depth = 0; depth < 3; depth++) {
            String kids = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
            if (kids.isEmpty()) {
                break;
            }
            pid = Long.parseLong(kids.split(" ")[0]);
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return rss;
    }
}
