package org.sandbox4j.internal;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads small files of /proc. Not {@code Files.readString}: for a file whose size is 0, as every
 * /proc file claims, the JDK reads one byte first and the rest from offset 1, and an integer sysctl
 * answers any read at a non-zero offset with end-of-file: {@code user.max_user_namespaces=96365}
 * would read as "9". Here the first read asks for the whole buffer.
 */
public final class ProcFiles {
    private ProcFiles() {}

    /** The file's text, trimmed, or null when it cannot be read (absent, permission). */
    public static @Nullable String read(String path) {
        try (FileInputStream in = new FileInputStream(path)) {
            byte[] buf = new byte[8192];
            int len = 0;
            for (int n; (n = in.read(buf, len, buf.length - len)) > 0; ) {
                len += n;
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            return new String(buf, 0, len, StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
