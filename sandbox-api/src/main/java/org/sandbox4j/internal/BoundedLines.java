package org.sandbox4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads lines from a stream a jail or worker writes, keeping at most {@code maxLine} bytes of any
 * line: the rest of a longer line is counted and dropped, and the line ends with a note saying how
 * much was cut. {@link java.io.BufferedReader#readLine()} keeps a whole line in memory, so a
 * process that writes gigabytes without a newline would run the reading JVM out of heap; this
 * reader holds one line of {@code maxLine} bytes and a read buffer, whatever arrives.
 *
 * <p>Lines end at {@code \n} (a {@code \r} before it is dropped, as BufferedReader does); the bytes
 * are decoded as UTF-8 (a character cut in two becomes U+FFFD). Not thread-safe.
 */
public final class BoundedLines {
    /** The longest line kept by default, in bytes. */
    public static final int DEFAULT_MAX_LINE = 8192;

    private final InputStream in;
    private final byte[] line;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int lim;

    /** Reads {@code in}, keeping at most {@code maxLine} bytes of each line. */
    public BoundedLines(InputStream in, int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be positive: " + maxLine);
        }
        this.in = in;
        this.line = new byte[maxLine];
    }

    /**
     * The next line without its newline, cut to {@code maxLine} bytes plus a note
     * {@code " [... N more bytes without a newline cut]"}; null at the end of the stream (a last
     * line without a newline is returned first).
     */
    public @Nullable String readLine() throws IOException {
        int len = 0;
        long dropped = 0;
        boolean any = false;
        while (true) {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    return any ? text(len, dropped) : null;
                }
            }
            any = true;
            int start = pos;
            int nl = -1;
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? lim : nl;
            int keep = Math.min(end - start, line.length - len);
            System.arraycopy(buf, start, line, len, keep);
            len += keep;
            dropped += end - start - keep;
            pos = nl < 0 ? lim : nl + 1;
            if (nl >= 0) {
                return text(len, dropped);
            }
        }
    }

    private String text(int len, long dropped) {
        if (dropped == 0 && len > 0 && line[len - 1] == '\r') {
            len--;
        }
        String s = new String(line, 0, len, StandardCharsets.UTF_8);
        return dropped == 0 ? s : s + " [... " + dropped + " more bytes without a newline cut]";
    }
}
