package org.sandbox4j.selfjail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.Errno;

/**
 * Finds the open file descriptors that would let a chrooted process out of its new root, by what
 * each one is, never by the name /proc shows for it: that text is only a hint (a deleted directory
 * reads {@code "/x (deleted)"}, a descriptor from another mount namespace or received over a socket
 * may name a path that means something else here).
 *
 * <p>The rule, for every descriptor in {@code /proc/self/fd}:
 *
 * <ul>
 *   <li>a directory (opened normally or with O_PATH, deleted or not, opened here or received with
 *       SCM_RIGHTS) is a way out, since {@code fchdir} to it and a walk up with {@code ..} never
 *       meet the new root, unless it lies inside the new root. That is decided by walking up from
 *       it with {@code openat(fd, "..")} and comparing each directory's identity (device, inode and
 *       mount id, so a bind mount of the new root elsewhere does not pass for it) with the new
 *       root's, until the new root is met (inside) or a directory is its own parent (the top of the
 *       host's tree: outside). A walk that cannot go on (a parent that cannot be opened) counts as
 *       outside: what cannot be proven inside is refused.
 *   <li>an O_PATH descriptor of a symbolic link is refused: a relative target would resolve from
 *       its directory, which may lie outside.
 *   <li>anything else (regular files, pipes, sockets, devices, anonymous inodes such as epoll or
 *       memfd) is kept: such a descriptor reaches only the object it was opened on, and {@code
 *       openat} relative to it or {@code fchdir} to it fail (ENOTDIR). The object itself stays
 *       reachable, which is the point of keeping it (the JDK's own open files). A unix socket
 *       connected to a process outside can be sent new descriptors later; that is the caller's to
 *       close.
 * </ul>
 *
 * <p>The identity of a directory comes from statx(2) with STATX_MNT_ID (Linux 5.8); on an older
 * kernel the mount id is missing and device and inode alone are compared.
 */
final class OutsideFds {
    private OutsideFds() {}

    static final int O_PATH = 010000000;
    static final int O_CLOEXEC = 02000000;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_INO = 0x100;
    private static final int STATX_MNT_ID = 0x1000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int EBADF = 9;
    /** Deeper than any real tree (PATH_MAX allows about 2048 levels of one-letter names). */
    private static final int MAX_DEPTH = 4096;

    /** What a directory is, as the kernel sees it: mount id -1 when the kernel did not say. */
    private record Identity(int type, long dev, long ino, long mnt) {
        boolean samePlace(Identity o) {
            return dev == o.dev && ino == o.ino && (mnt < 0 || o.mnt < 0 || mnt == o.mnt);
        }
    }

    /** Thrown for a descriptor that cannot be examined. */
    private static final class Unexaminable extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;

        Unexaminable(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    /**
     * The descriptors that lead outside {@code root}, each described ("fd 7 (/tmp/x (deleted)): a
     * directory outside the new root"); empty when none does. A problem that stops the check
     * itself is one entry too, so the caller refuses rather than chroots unchecked.
     */
    static List<String> find(Path root) {
        List<String> out = new ArrayList<>();
        int rootFd;
        Identity rootId;
        try {
            rootFd = LibC.openat(AT_FDCWD, root.toString(), O_PATH | O_CLOEXEC, 0);
            if (rootFd < 0) {
                out.add("cannot open the new root: " + Errno.describe(LibC.errno()));
                return out;
            }
        } catch (LinkageError e) { // UnsatisfiedLinkError the first time, NoClassDefFoundError after
            out.add("cannot check the open descriptors: libc lacks openat/statx (" + e + ")");
            return out;
        }
        try {
            rootId = identity(rootFd);
            for (int fd : openFds()) {
                if (fd == rootFd) {
                    continue;
                }
                String why = verdict(fd, rootId);
                if (why != null) {
                    out.add("fd " + fd + " (" + name(fd) + "): " + why);
                }
            }
        } catch (Unexaminable e) {
            out.add("cannot examine the new root: " + Errno.describe(e.errno));
        } catch (IOException e) {
            out.add("cannot list /proc/self/fd: " + e.getMessage());
        } finally {
            LibC.close(rootFd);
        }
        return out;
    }

    /** Why {@code fd} leads outside, or null when it does not (or was closed meanwhile). */
    private static @Nullable String verdict(int fd, Identity root) {
        Identity id;
        try {
            id = identity(fd);
        } catch (Unexaminable e) {
            return e.errno == EBADF ? null : "cannot be examined (" + Errno.describe(e.errno) + ")";
        }
        if (id.type == S_IFLNK) {
            return "an O_PATH descriptor of a symbolic link, whose relative target would resolve outside the new root";
        }
        if (id.type != S_IFDIR) {
            return null;
        }
        return walkUp(fd, id, root);
    }

    /** Null when walking up from directory {@code fd} meets {@code root}; otherwise why not. */
    private static @Nullable String walkUp(int fd, Identity start, Identity root) {
        if (start.samePlace(root)) {
            return null;
        }
        Identity here = start;
        int cur = -1; // the walk's own descriptor; fd itself is the caller's and stays open
        try {
            for (int depth = 0; depth < MAX_DEPTH; depth++) {
                int parent = LibC.openat(cur < 0 ? fd : cur, "..", O_PATH | O_CLOEXEC, 0);
                if (parent < 0) {
                    return "a directory whose parent cannot be opened at level " + (depth + 1) + " ("
                            + Errno.describe(LibC.errno()) + "), so it cannot be shown to lie inside"
                            + " the new root";
                }
                if (cur >= 0) {
                    LibC.close(cur);
                }
                cur = parent;
                Identity up;
                try {
                    up = identity(cur);
                } catch (Unexaminable e) {
                    return "a directory whose parent cannot be examined (" + Errno.describe(e.errno) + ")";
                }
                if (up.samePlace(root)) {
                    return null;
                }
                if (up.samePlace(here)) {
                    return "a directory outside the new root (its walk up with .. ends at the top of the host's tree)";
                }
                here = up;
            }
            return "a directory more than " + MAX_DEPTH + " levels below anything, not shown to lie inside";
        } finally {
            if (cur >= 0) {
                LibC.close(cur);
            }
        }
    }

    private static Identity identity(int fd) throws Unexaminable {
        byte[] raw = new byte[256]; // struct statx
        int rc;
        try {
            rc = LibC.statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_MNT_ID, raw);
        } catch (LinkageError e) {
            throw new Unexaminable(38); // ENOSYS: a libc without statx (glibc before 2.28)
        }
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.nativeOrder());
        if (rc != 0) {
            throw new Unexaminable(LibC.errno());
        }
        int mask = buf.getInt(0);
        int mode = Short.toUnsignedInt(buf.getShort(28));
        long ino = buf.getLong(32);
        long dev = ((long) buf.getInt(136) << 32) | Integer.toUnsignedLong(buf.getInt(140));
        long mnt = (mask & STATX_MNT_ID) != 0 ? buf.getLong(144) : -1;
        return new Identity(mode & S_IFMT, dev, ino, mnt);
    }

    /** The numbers in /proc/self/fd, read completely before any is examined (the listing has one). */
    private static List<Integer> openFds() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> fds.add(Integer.parseInt(p.getFileName().toString())));
        }
        return fds;
    }

    /** The name /proc shows, for the message only: it decides nothing. */
    private static String name(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }
}
