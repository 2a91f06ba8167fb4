package org.sandbox4j;

import java.io.IOException;

/**
 * A jail could not be started. An {@link IOException}, so code written for {@link
 * ProcessBuilder#start()} handles it unchanged.
 */
public class SandboxException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public SandboxException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
