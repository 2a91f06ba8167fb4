package org.sandbox4j.lockdown;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A lockdown step failed. {@link #appliedSteps()} says what had already taken effect (and cannot be
 * undone, see {@link LockdownStep#irreversible()}); with an empty list the process is unchanged.
 */
public final class LockdownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    private final LockdownStep failedStep;
    /** What had taken effect before the failure. */
    private final List<String> appliedSteps;
    /** The thread that failed or did not answer, or 0. */
    private final int tid;
    /** The errno of the failure, or 0. */
    private final int errno;
    /** The pre-existing channels found in PREPARE. */
    private final List<PreexistingChannel> preexisting;

    LockdownException(LockdownStep failedStep, String message, List<String> appliedSteps, int tid, int errno,
            List<PreexistingChannel> preexisting, @Nullable Throwable cause) {
        super("lockdown failed at " + failedStep + ": " + message + (appliedSteps.isEmpty()
                ? "; nothing was applied, the process is unchanged"
                : "; already in effect (irreversible where noted): " + String.join("; ", appliedSteps)), cause);
        this.failedStep = failedStep;
        this.appliedSteps = List.copyOf(appliedSteps);
        this.tid = tid;
        this.errno = errno;
        this.preexisting = List.copyOf(preexisting);
    }

    /** The step that failed; the steps before it are in {@link #appliedSteps()}. */
    public LockdownStep failedStep() {
        return failedStep;
    }

    /** What had taken effect before the failure, one entry per step. */
    public List<String> appliedSteps() {
        return appliedSteps;
    }

    /** The thread that failed or did not answer, or 0. */
    public int tid() {
        return tid;
    }

    /**
     * The pre-existing channels found in PREPARE (empty if the failure came before the scan); a
     * refusal names the refused ones in the message.
     */
    public List<PreexistingChannel> preexisting() {
        return preexisting;
    }

    /** The errno of the failure, or 0. */
    public int errno() {
        return errno;
    }
}
