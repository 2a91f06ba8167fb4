package org.sandbox4j.internal;

import java.io.IOException;
import java.nio.file.Path;
import org.sandbox4j.Sandbox;
import org.sandbox4j.mount.BindOption;

/**
 * The library's own binds of host paths that a jail may be able to write (class-path entries of a
 * worker or self-jail, often a build's output that a jail with a read-write bind can change).
 */
public final class ResolvedBinds {
    private ResolvedBinds() {}

    /**
     * Binds {@code path} read-only at the same path inside the jail, from its real path resolved now
     * (by the trusted caller), with {@link BindOption#NO_SYMLINKS}: a jail that later replaces a
     * directory on the way with a symbolic link makes setup fail instead of choosing what the jail
     * gets. A path that cannot be resolved is bound as it is, so the launcher reports it as before.
     */
    public static void readOnly(Sandbox.Builder b, String path) {
        String real;
        try {
            real = Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            b.readOnly(path);
            return;
        }
        b.readOnly(real, path, BindOption.NO_SYMLINKS);
    }

    /** {@code path}'s real path resolved now, or {@code path} itself when it cannot be resolved. */
    public static String realPath(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }
}
