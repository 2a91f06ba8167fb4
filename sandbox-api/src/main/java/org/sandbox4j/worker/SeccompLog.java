package org.sandbox4j.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.seccomp.Syscalls;

/**
 * Finds which system call a seccomp filter killed a jailed process for. The jail itself cannot say
 * (the process is dead, and a JVM cannot catch SIGSYS), but the kernel logs every
 * SECCOMP_RET_KILL_* as an audit record ({@code type=1326 ... pid=N ... sig=31 ... syscall=41})
 * in its ring buffer. Reading /dev/kmsg needs root (or {@code kernel.dmesg_restrict=0}); without
 * it, or when the record was rate-limited away, the syscall stays unknown.
 */
final class SeccompLog {
    private static final int O_RDONLY_NONBLOCK = 0x800;

    private SeccompLog() {}

    /** The jail's processes as host pids: the launcher's descendants, while they live. */
    static String descendants(long launcherPid) {
        StringBuilder sb = new StringBuilder();
        collect(launcherPid, sb, 0);
        return sb.toString();
    }

    private static void collect(long pid, StringBuilder sb, int depth) {
        if (depth > 3) {
            return;
        }
        try {
            String kids = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
            for (String k : kids.split(" ")) {
                if (!k.isEmpty()) {
                    sb.append(' ').append(k).append(' ');
                    collect(Long.parseLong(k), sb, depth + 1);
                }
            }
        } catch (Exception e) {
            // gone, or not ours to read
        }
    }

    /** The name of the last syscall the kernel logged as killing one of {@code pids} (" 12 34 "). */
    static @Nullable String lastKilledSyscall(String pids) {
        if (pids.isBlank()) {
            return null;
        }
        int fd = LibC.open("/dev/kmsg", O_RDONLY_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            return null;
        }
        String found = null;
        try {
            byte[] buf = new byte[8192];
            for (int i = 0; i < 100_000; i++) {
                long n = LibC.read(fd, buf, buf.length);
                if (n < 0) {
                    int errno = LibC.errno();
                    if (errno == 32) { // EPIPE: records were overwritten while reading; go on
                        continue;
                    }
                    break; // EAGAIN: the end
                }
                String rec = new String(buf, 0, (int) n, StandardCharsets.UTF_8);
                int p = rec.indexOf(" pid=");
                if (!rec.contains("type=1326") || !rec.contains(" sig=31") || p < 0) {
                    continue;
                }
                int e = rec.indexOf(' ', p + 5);
                String pid = rec.substring(p + 5, e < 0 ? rec.length() : e);
                if (!pids.contains(" " + pid + " ")) {
                    continue;
                }
                int s = rec.indexOf(" syscall=");
                if (s >= 0) {
                    int se = rec.indexOf(' ', s + 9);
                    int nr = Integer.parseInt(rec.substring(s + 9, se < 0 ? rec.length() : se).trim());
                    found = Syscalls.name(Arch.current(), nr);
                }
            }
        } catch (RuntimeException e) {
            return found;
        } finally {
            LibC.close(fd);
        }
        return found;
    }
}
