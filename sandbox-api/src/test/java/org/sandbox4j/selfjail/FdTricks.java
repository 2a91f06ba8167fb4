package org.sandbox4j.selfjail;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.charset.StandardCharsets;
import org.sandbox4j.internal.LibC;

/**
 * The libc calls the chroot-escape tests need and the library does not: a unix socket to receive a
 * descriptor over SCM_RIGHTS, and fchdir for the escape itself.
 */
final class FdTricks {
    private FdTricks() {}

    static {
        Native.register(FdTricks.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    static native int socket(int domain, int type, int protocol);

    static native int connect(int fd, byte[] addr, int len);

    static native int fchdir(int fd);

    /** A stream socket connected to the abstract unix socket {@code name}, or -1. */
    static int connectAbstract(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] addr = new byte[3 + n.length]; // sa_family (native order), 0, name
        addr[0] = (byte) LibC.AF_UNIX;
        System.arraycopy(n, 0, addr, 3, n.length);
        int s = socket(LibC.AF_UNIX, 1 /* SOCK_STREAM */ | LibC.SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, addr, addr.length) != 0) {
            return -1;
        }
        return s;
    }

    /** The descriptor the peer of {@code sock} sends with SCM_RIGHTS, or -1. */
    static int receiveFd(int sock) {
        int[] fd = new int[1];
        if (LibC.recvWithFd(sock, new byte[1], fd, LibC.MSG_CMSG_CLOEXEC) != 1) {
            return -1;
        }
        return fd[0];
    }
}
