package org.sandbox4j.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import org.sandbox4j.JailExit;

/**
 * A jail run by another runtime than the launcher (org.sandbox4j.runtime): what {@link
 * org.sandbox4j.SandboxedProcess} needs to present it as a {@link Process}.
 */
public interface ExternalJail {
    /** The pid of the runtime's process on the host (runsc). */
    long pid();

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    /** Completes once the jail has ended and everything of it is gone. */
    CompletableFuture<JailExit> exit();

    /** Sends a signal; SIGKILL ends the whole jail. Does nothing after the exit. */
    void signal(int signal);
}
