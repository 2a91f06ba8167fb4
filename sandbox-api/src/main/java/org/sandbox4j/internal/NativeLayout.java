package org.sandbox4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sandbox4j.Arch;

/**
 * Sizes, offsets and numbers the {@link NativeCalls} implementations share (Linux, LP64: x86_64 and
 * aarch64), so that JNA and FFM lay out the same structures from one place.
 */
final class NativeLayout {
    private NativeLayout() {}

    // Opaque glibc types, allocated generously (glibc x86_64/aarch64: 80, 336 and 128 bytes).
    static final int SIZEOF_FILE_ACTIONS = 256;
    static final int SIZEOF_SPAWNATTR = 512;
    static final int SIZEOF_SIGSET = 128;

    static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** Every spawn: an empty signal mask, every signal at its default. */
    static final int SPAWN_FLAGS = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;

    /** struct msghdr; msg_iov at 16, msg_iovlen at 24, msg_control at 32, msg_controllen at 40. */
    static final int SIZEOF_MSGHDR = 56;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;

    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final int SECCOMP_FILTER_FLAG_TSYNC = 1;

    /** CMSG_SPACE on LP64: the 16-byte header plus the data rounded up to 8. */
    static long cmsgSpace(long dataLen) {
        return 16 + ((dataLen + 7) & ~7L);
    }

    /** A control buffer of {@link #cmsgSpace} bytes: one SCM_RIGHTS header and the descriptors. */
    static byte[] rightsHeader(int[] fds) {
        ByteBuffer b = ByteBuffer.allocate((int) cmsgSpace(4L * fds.length)).order(ByteOrder.nativeOrder());
        b.putLong(16 + 4L * fds.length).putInt(SOL_SOCKET).putInt(SCM_RIGHTS); // cmsg_len = CMSG_LEN(n * 4)
        for (int fd : fds) {
            b.putInt(fd);
        }
        return b.array();
    }

    /** The seccomp system call's number. */
    static long seccompNr(Arch arch) {
        return arch == Arch.AARCH64 ? 277 : 317;
    }
}
