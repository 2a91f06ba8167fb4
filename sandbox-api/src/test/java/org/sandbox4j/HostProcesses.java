package org.sandbox4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Looks at the host's process table (/proc), to prove what a jail left behind. */
final class HostProcesses {
    private HostProcesses() {}

    /** Pids of live (non-zombie) processes whose command line contains {@code arg} as a whole argument. */
    static List<Long> withArg(String arg) throws IOException {
        List<Long> pids = new ArrayList<>();
        forEachProcess((pid, dir) -> {
            String cmd = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
            if (List.of(cmd.split("\0")).contains(arg) && !state(dir).equals("Z")) {
                pids.add(pid);
            }
        });
        return pids;
    }

    /** Children of this JVM that are zombies (exited, not reaped). */
    static List<Long> zombieChildren() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Long> z = new ArrayList<>();
        forEachProcess((pid, dir) -> {
            String stat = Files.readString(dir.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z") && Long.parseLong(f[1]) == self) {
                z.add(pid);
            }
        });
        return z;
    }

    private interface ProcVisitor {
        void visit(long pid, Path dir) throws IOException;
    }

    /** Calls {@code v} for every process in /proc; processes that exit meanwhile are skipped. */
    private static void forEachProcess(ProcVisitor v) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    try {
                        v.visit(Long.parseLong(name), p);
                    } catch (IOException e) {
                        // exited meanwhile
                    }
                }
            }
        }
    }

    private static String state(Path p) throws IOException {
        String stat = Files.readString(p.resolve("stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    static void awaitNone(String arg, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> left = withArg(arg);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = withArg(arg);
        }
        if (!left.isEmpty()) {
            throw new AssertionError("processes left behind: " + left);
        }
    }

    /**
     * Child processes of this JVM that are still running, not counting the prestarted launcher (a
     * long-lived child by design when that mode is on).
     */
    static long runningChildren() {
        long zygote = org.sandbox4j.internal.PrestartedLauncher.zygotePid();
        return ProcessHandle.current().children().filter(h -> h.pid() != zygote).count();
    }

    /** Number of open fds of this JVM. */
    static int openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count() - 1; // the directory stream's own fd
        }
    }
}
