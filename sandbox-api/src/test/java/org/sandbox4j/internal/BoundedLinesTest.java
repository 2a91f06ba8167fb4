package org.sandbox4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedLinesTest {
    private static BoundedLines of(String s, int max) {
        return new BoundedLines(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), max);
    }

    @Test
    void linesEndAtNewlinesLikeBufferedReader() throws IOException {
        BoundedLines r = of("one\ntwo\r\n\nlast", 16);
        assertEquals("one", r.readLine());
        assertEquals("two", r.readLine());
        assertEquals("", r.readLine());
        assertEquals("last", r.readLine(), "a last line without a newline is returned");
        assertNull(r.readLine());
        assertNull(of("", 16).readLine());
    }

    @Test
    void aLongLineIsCutWithANoteAndTheNextLineIsIntact() throws IOException {
        BoundedLines r = of("x".repeat(20) + "\nnext\n" + "y".repeat(9), 8);
        assertEquals("xxxxxxxx [... 12 more bytes without a newline cut]", r.readLine());
        assertEquals("next", r.readLine());
        assertEquals("yyyyyyyy [... 1 more bytes without a newline cut]", r.readLine());
        assertNull(r.readLine());
    }

    /** Far more than a read buffer, from a stream that never ends in memory: only maxLine is kept. */
    @Test
    void aQuarterGigabyteWithoutANewlineCostsOneLine() throws IOException {
        long total = 1L << 28;
        InputStream endless = new InputStream() {
            long left = total;

            @Override
            public int read() {
                return left-- > 0 ? 'z' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'z');
                left -= n;
                return n;
            }
        };
        String line = new BoundedLines(endless, 100).readLine();
        assertEquals("z".repeat(100) + " [... " + (total - 100) + " more bytes without a newline cut]", line);
    }
}
