package org.sandbox4j.lockdown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.LockdownNative;
import org.sandbox4j.lockdown.PreexistingChannel.Kind;

/**
 * Finds the {@link PreexistingChannel}s of this process: libsandbox4j walks /proc/self (every fd,
 * the maps, every thread's stat flags and children; raw system calls, a JVM may have thousands of
 * fds and threads), then the few hits are described from fdinfo and comm.
 */
final class PreexistingChannels {
    private PreexistingChannels() {}

    /** include/linux/sched.h */
    static final long PF_IO_WORKER = 0x10;
    static final long PF_USER_WORKER = 0x4000;

    /** Everything found; without {@code tasks} only io_uring fds and mappings (no threads, no children). */
    static List<PreexistingChannel> scan(boolean tasks) throws IOException {
        long[] out = new long[3 * 64];
        int n;
        while ((n = LockdownNative.sb4j_preexisting(out, out.length, tasks ? 1 : 0)) * 3 > out.length) {
            out = new long[3 * n + 3 * 64]; // more appeared: retry with room to spare
        }
        if (n < 0) {
            throw new IOException("walking /proc/self: " + LibC.strerrorText(-n));
        }
        List<PreexistingChannel> found = new ArrayList<>();
        Set<Long> rings = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (out[3 * i] == LockdownNative.PRE_URING) {
                ring((int) out[3 * i + 1], rings, found);
            }
        }
        for (int i = 0; i < n; i++) {
            long kind = out[3 * i];
            long a = out[3 * i + 1];
            long b = out[3 * i + 2];
            if (kind == LockdownNative.PRE_MAPPING && rings.add(a)) {
                found.add(new PreexistingChannel(Kind.IO_URING_MAPPING, -1, 0, a, "inode " + a));
            } else if (kind == LockdownNative.PRE_WORKER) {
                boolean io = (b & PF_IO_WORKER) != 0;
                found.add(new PreexistingChannel(io ? Kind.IO_WORKER : Kind.KERNEL_WORKER, -1, (int) a, 0,
                        comm("/proc/self/task/" + a + "/comm") + ", flags 0x" + Long.toHexString(b)));
            } else if (kind == LockdownNative.PRE_CHILD) {
                found.add(new PreexistingChannel(Kind.CHILD_PROCESS, -1, (int) a, 0, comm("/proc/" + a + "/comm")
                        + ", child of thread " + b));
            }
        }
        return found;
    }

    /** Describes the io_uring fd from its fdinfo (inode, SQPOLL thread, registered files and buffers). */
    private static void ring(int fd, Set<Long> rings, List<PreexistingChannel> found) throws IOException {
        long ino = 0;
        int sqThread = 0;
        String files = "?";
        String bufs = "?";
        for (String l : readLines(Path.of("/proc/self/fdinfo/" + fd))) {
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
            return; // a dup of a ring already listed
        }
        found.add(new PreexistingChannel(Kind.IO_URING, fd, sqThread, ino, (sqThread > 0 ? "SQPOLL thread " + sqThread
                : "no SQPOLL thread") + ", " + files + " registered files, " + bufs + " registered buffers, inode " + ino));
    }

    /** A thread's or child's name; "exited" when it ended meanwhile (ENOENT, or ESRCH on the read). */
    private static String comm(String path) {
        try {
            List<String> l = readLines(Path.of(path));
            return l.isEmpty() ? "exited" : l.get(0);
        } catch (IOException e) {
            return "exited";
        }
    }

    /** The file's lines, or none when it is gone (an fd closed, a thread or child that exited meanwhile). */
    private static List<String> readLines(Path p) throws IOException {
        try {
            return Files.readAllLines(p, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
