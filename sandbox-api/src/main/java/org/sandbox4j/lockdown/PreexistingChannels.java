package org.sandbox4j.lockdown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sandbox4j.lockdown.PreexistingChannel.Kind;

/**
 * Finds the {@link PreexistingChannel}s of this process in /proc/self: io_uring fds (readlink
 * {@code anon_inode:[io_uring]}, details from fdinfo), io_uring mappings without an fd (maps), kernel
 * worker threads (PF_* flags in each thread's stat) and child processes (each thread's children).
 */
final class PreexistingChannels {
    private PreexistingChannels() {}

    /** include/linux/sched.h */
    static final long PF_IO_WORKER = 0x10;
    static final long PF_USER_WORKER = 0x4000;

    private static final String IO_URING = "anon_inode:[io_uring]";
    private static final Path PROC = Path.of("/proc/self");

    /** Everything found; {@code children}: also list child processes. */
    static List<PreexistingChannel> scan(boolean children) throws IOException {
        List<PreexistingChannel> found = new ArrayList<>();
        Set<Long> rings = new HashSet<>();
        for (Path fd : list(PROC.resolve("fd"))) {
            String target;
            try {
                target = Files.readSymbolicLink(fd).toString();
            } catch (NoSuchFileException e) {
                continue; // closed meanwhile (the directory stream's own fd, for one)
            }
            if (!target.equals(IO_URING)) {
                continue;
            }
            int n = Integer.parseInt(fd.getFileName().toString());
            long ino = 0;
            int sqThread = 0;
            String files = "?";
            String bufs = "?";
            for (String l : readLines(PROC.resolve("fdinfo").resolve(fd.getFileName()))) {
                String v = l.substring(l.indexOf(':') + 1).trim();
                if (l.startsWith("ino:")) {
                    ino = Long.parseLong(v);
                } else if (l.startsWith("SqThread:")) {
                    sqThread = Math.max(0, Integer.parseInt(v));
                } else if (l.startsWith("UserFiles:")) {
                    files = v;
                } else if (l.startsWith("UserBufs:")) {
                    bufs = v;
                }
            }
            if (ino != 0 && !rings.add(ino)) {
                continue; // a dup of a ring already listed
            }
            found.add(new PreexistingChannel(Kind.IO_URING, n, sqThread, ino, (sqThread > 0 ? "SQPOLL thread "
                    + sqThread : "no SQPOLL thread") + ", " + files + " registered files, " + bufs
                    + " registered buffers, inode " + ino));
        }
        for (String l : readLines(PROC.resolve("maps"))) {
            if (!l.endsWith(IO_URING)) {
                continue;
            }
            // start-end perms offset dev inode name
            String[] f = l.split("\\s+");
            long ino = Long.parseLong(f[4]);
            if (rings.add(ino)) {
                found.add(new PreexistingChannel(Kind.IO_URING_MAPPING, -1, 0, ino, "mapped at " + f[0] + ", inode " + ino));
            }
        }
        Set<Integer> kids = new HashSet<>();
        for (Path task : list(PROC.resolve("task"))) {
            List<String> stat = readLines(task.resolve("stat"));
            if (stat.isEmpty()) {
                continue; // exited
            }
            long flags = flags(stat.get(0));
            int tid = Integer.parseInt(task.getFileName().toString());
            if ((flags & PF_USER_WORKER) != 0) {
                boolean io = (flags & PF_IO_WORKER) != 0;
                found.add(new PreexistingChannel(io ? Kind.IO_WORKER : Kind.KERNEL_WORKER, -1, tid, 0,
                        comm(stat.get(0)) + ", flags 0x" + Long.toHexString(flags)));
            }
            if (children) {
                for (String l : readLines(task.resolve("children"))) {
                    for (String pid : l.trim().split(" ")) {
                        if (!pid.isEmpty() && kids.add(Integer.parseInt(pid))) {
                            List<String> c = readLines(Path.of("/proc", pid, "stat"));
                            found.add(new PreexistingChannel(Kind.CHILD_PROCESS, -1, Integer.parseInt(pid), 0,
                                    c.isEmpty() ? "exited" : comm(c.get(0))));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** The PF_* flags: field 9 of a stat line, counted after the parenthesised comm. */
    static long flags(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[6]);
    }

    private static String comm(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> l = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                l.add(p);
            }
        }
        return l;
    }

    /** The file's lines, or none when it is gone (an fd closed, a thread or child that exited meanwhile). */
    private static List<String> readLines(Path p) throws IOException {
        try {
            return Files.readAllLines(p, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("No such process")) {
                return List.of(); // ESRCH: the task went away while we read it
            }
            throw e;
        }
    }
}
