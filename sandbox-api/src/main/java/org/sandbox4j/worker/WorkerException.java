package org.sandbox4j.worker;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.JailExit;

/**
 * A task did not produce a reply. {@link #kind()} says why; the pool has already dealt with the
 * worker (kept it for {@link Kind#HANDLER_ERROR}, killed and replaced it otherwise).
 *
 * <pre>{@code
 * try {
 *     byte[] text = pool.call(pdf);
 * } catch (WorkerException e) {
 *     switch (e.kind()) {
 *         case TIMEOUT, OUT_OF_MEMORY -> reject(pdf, e.getMessage());   // hostile or too big
 *         case REJECTED -> retryLater();                                   // all workers busy
 *         default -> throw e;
 *     }
 * }
 * }</pre>
 */
public final class WorkerException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a task failed. */
    public enum Kind {
        /** The handler threw; {@link #remoteClass()} names the exception. The worker lives on. */
        HANDLER_ERROR,
        /** The task ran past the pool's task timeout; the worker was killed. */
        TIMEOUT,
        /** The worker ran out of Java heap or native memory (RLIMIT_AS) and ended. */
        OUT_OF_MEMORY,
        /**
         * The kernel killed the worker's JVM at its cgroup memory limit ({@code
         * WorkerSpec.Builder.memoryLimit}); {@link #jailExit()} has the usage. The pool replaces it.
         */
        MEMORY_LIMIT,
        /** A seccomp rule killed the worker (SIGSYS); {@link #syscall()} names the call when known. */
        SECCOMP,
        /** The worker ended otherwise: a signal, a JVM crash, an exit; {@link #jailExit()} says how. */
        CRASH,
        /** The worker wrote something that is not a reply, or a reply over the size limit; killed. */
        PROTOCOL,
        /** No worker became free within the pool's acquire timeout (backpressure). */
        REJECTED,
        /** The pool is closed. */
        CLOSED,
        /** A worker could not be started (jail setup, JVM start-up, handler constructor). */
        START_FAILED,
        /** The caller cancelled the task ({@code Future.cancel}); its worker was killed and replaced. */
        CANCELLED
    }

    /** Why the task failed. */
    private final Kind kind;
    private final transient @Nullable JailExit jailExit;
    /** The system call a seccomp rule killed, or null. */
    private final @Nullable String syscall;
    /** The class of the handler's exception, or null. */
    private final @Nullable String remoteClass;
    /** The worker's last stderr lines, possibly empty. */
    private final String stderrTail;
    /** The message without kind and stderr tail. */
    private final String reason;

    WorkerException(Kind kind, String message, @Nullable JailExit jailExit, @Nullable String syscall,
            @Nullable String remoteClass, String stderrTail, @Nullable Throwable cause) {
        super(kind + ": " + message + (stderrTail.isEmpty() ? "" : "\n  worker stderr (last lines):\n" + stderrTail),
                cause);
        this.kind = kind;
        this.jailExit = jailExit;
        this.syscall = syscall;
        this.remoteClass = remoteClass;
        this.stderrTail = stderrTail;
        this.reason = message;
    }

    /** The message without its kind and without the stderr tail. */
    String reason() {
        return reason;
    }

    static WorkerException simple(Kind kind, String message) {
        return new WorkerException(kind, message, null, null, null, "", null);
    }

    /** Why the task failed. */
    public Kind kind() {
        return kind;
    }

    /** How the worker ended, when it did. */
    public Optional<JailExit> jailExit() {
        return Optional.ofNullable(jailExit);
    }

    /**
     * For {@link Kind#SECCOMP}, and {@link Kind#START_FAILED} when a seccomp kill stopped the start:
     * the call, as the launcher's supervisor reported it ({@code mkdir(83) [0x7f.., 511] in pid 7}),
     * or for a filter that was not supervised the name the kernel logged, when the JVM could read the log.
     */
    public Optional<String> syscall() {
        return Optional.ofNullable(syscall);
    }

    /** For {@link Kind#HANDLER_ERROR}: the class name of the exception the handler threw. */
    public Optional<String> remoteClass() {
        return Optional.ofNullable(remoteClass);
    }

    /** The last lines the worker wrote to stderr before it failed (possibly empty). */
    public String stderrTail() {
        return stderrTail;
    }
}
