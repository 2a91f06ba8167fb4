package org.sandbox4j;

import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.internal.LibC;

/**
 * Names and messages of Linux errno values (the asm-generic numbering, which x86_64 and aarch64
 * share), so errors read {@code ENOENT (No such file or directory)} instead of a bare number.
 */
public final class Errno {
    private Errno() {}

    // Generated from /usr/include/asm-generic/errno-base.h and errno.h; index = errno value.
    private static final @Nullable String[] NAMES = {
        null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG",
        "ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK",
        "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE",
        "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK",
        "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY",
        "ELOOP", null, "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST",
        "ELNRNG", "EUNATCH", "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO",
        "EBADRQC", "EBADSLT", null, "EBFONT", "ENOSTR", "ENODATA", "ETIME", "ENOSR",
        "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM", "EPROTO",
        "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC",
        "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS",
        "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP",
        "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED",
        "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED",
        "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL",
        "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED",
        "EKEYREVOKED", "EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"
    };

    /** The symbolic name of an errno value, e.g. {@code ENOENT}, or {@code errno N} if unknown. */
    public static String name(int errno) {
        if (errno > 0 && errno < NAMES.length) {
            String n = NAMES[errno];
            if (n != null) {
                return n;
            }
        }
        return "errno " + errno;
    }

    /** The errno value of a symbolic name such as {@code EPERM}, or -1 if unknown. */
    public static int valueOf(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (int i = 1; i < NAMES.length; i++) {
            if (upper.equals(NAMES[i])) {
                return i;
            }
        }
        return -1;
    }

    /** The C library's message for an errno value, e.g. {@code No such file or directory}. */
    public static String message(int errno) {
        try {
            return LibC.strerrorText(errno);
        } catch (LinkageError e) {
            return name(errno);
        }
    }

    /** {@code ENOENT (No such file or directory)}. */
    public static String describe(int errno) {
        return name(errno) + " (" + message(errno) + ")";
    }
}
