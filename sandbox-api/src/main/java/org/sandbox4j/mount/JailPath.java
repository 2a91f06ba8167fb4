package org.sandbox4j.mount;

/** Checks of the paths a caller gives: absolute, no {@code .} or {@code ..}, no NUL. */
public final class JailPath {
    private JailPath() {}

    /** The longest path the launcher accepts, in bytes ({@code PATH_MAX} less the terminator). */
    public static final int MAX_BYTES = 4095;

    /**
     * Returns {@code path} without a trailing slash, or throws {@link IllegalArgumentException} naming
     * {@code what} when it is not an absolute, normalized path.
     */
    public static String check(String what, String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty; give an absolute path");
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL character: " + printable(path));
        }
        if (path.charAt(0) != '/') {
            throw new IllegalArgumentException(what + " '" + path + "' is relative; give an absolute path");
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_BYTES + " bytes");
        }
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (String part : p.substring(1).split("/", -1)) {
            if (p.equals("/")) {
                break;
            }
            if (part.isEmpty()) {
                throw new IllegalArgumentException(what + " '" + path + "' has an empty component (//)");
            }
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(
                        what + " '" + path + "' contains '" + part + "'; give a normalized path");
            }
        }
        return p;
    }

    /** Like {@link #check} and also refuses the root itself, which no mount may cover. */
    public static String checkNotRoot(String what, String path) {
        String p = check(what, path);
        if (p.equals("/")) {
            throw new IllegalArgumentException(what + " is '/'; to use a directory as the jail's root call chroot(dir)");
        }
        return p;
    }

    /** True when {@code inner} is {@code outer} or below it. */
    public static boolean isWithin(String inner, String outer) {
        return inner.equals(outer) || outer.equals("/") || inner.startsWith(outer + "/");
    }

    private static String printable(String s) {
        return s.replace("\0", "\\0");
    }
}
