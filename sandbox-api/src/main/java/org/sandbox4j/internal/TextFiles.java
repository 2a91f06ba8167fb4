package org.sandbox4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the text files users hand to sandbox4j (configuration files, seccomp policies) with a size
 * limit. Not {@code Files.readString}: that sizes its buffer from the file and reads to the end, so
 * {@code /dev/zero} or a multi-gigabyte file exhausts the heap before any parser can refuse it.
 */
public final class TextFiles {
    /** The limit for configuration files and seccomp policies: 1 MiB. */
    public static final int MAX_BYTES = 1 << 20;

    private TextFiles() {}

    /** A file larger than the limit. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * The file's content as UTF-8, reading at most {@code maxBytes + 1} bytes.
     *
     * @throws TooLargeException when the file holds more than {@code maxBytes} bytes
     * @throws java.nio.charset.MalformedInputException when it is not UTF-8
     */
    public static String readUtf8(Path file, int maxBytes) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(maxBytes + 1);
        }
        if (bytes.length > maxBytes) {
            throw new TooLargeException(file + " is larger than " + maxBytes + " bytes ("
                    + (maxBytes == MAX_BYTES ? "1 MiB" : maxBytes + " bytes") + " is the limit)");
        }
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
