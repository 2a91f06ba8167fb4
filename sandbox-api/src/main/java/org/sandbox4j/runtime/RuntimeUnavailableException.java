package org.sandbox4j.runtime;

import org.sandbox4j.SandboxException;

/** The runtime's program is not installed (or not executable): the message says how to get it. */
public final class RuntimeUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * A runtime that is not installed.
     *
     * @param message what is missing and how to get it
     */
    public RuntimeUnavailableException(String message) {
        super(message);
    }
}
