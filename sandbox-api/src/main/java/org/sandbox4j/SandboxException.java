package org.sandbox4j;

import java.io.IOException;

/**
 * A jail could not be started. An {@link IOException}, so code written for {@link
 * ProcessBuilder#start()} handles it unchanged.
 */
public class SandboxException extends IOException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
