package org.sandbox4j;

import org.jspecify.annotations.Nullable;

/**
 * A step of building the jail failed. Nothing of the jail is left behind: its processes are gone
 * and its mounts went with its mount namespace.
 *
 * <p>The message names the step, the path or value, the errno and, when it came from a builder
 * call, that call: {@code bind mount /nonexistent -> /data: ENOENT (No such file or directory)
 * [readOnly("/nonexistent", "/data")]}. When the host refuses a feature (user namespaces disabled,
 * a container's seccomp profile), {@link #hint()} says why and how to fix it.
 */
public class SandboxSetupException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    private final SetupStep step;
    /** The kernel's errno, or 0. */
    private final int errno;
    /** The path or value involved, possibly empty. */
    private final String path;
    /** The launcher's extra detail, possibly empty. */
    private final String detail;
    /** The builder call behind the step, or null. */
    private final @Nullable String builderCall;
    /** The host cause and its fix, or null. */
    private final @Nullable String hint;

    /**
     * A failed step; the message is built from all the parts.
     *
     * @param step the step that failed
     * @param errno the kernel's errno, 0 when there is none
     * @param path the path or value involved, possibly empty
     * @param detail extra detail from the launcher, possibly empty
     * @param builderCall the builder call that produced the step, or null
     * @param hint the cause on the host and its fix, or null
     */
    public SandboxSetupException(SetupStep step, int errno, String path, String detail,
            @Nullable String builderCall, @Nullable String hint) {
        super(format(step, errno, path, detail, builderCall, hint));
        this.step = step;
        this.errno = errno;
        this.path = path;
        this.detail = detail;
        this.builderCall = builderCall;
        this.hint = hint;
    }

    /** The step that failed. */
    public SetupStep step() {
        return step;
    }

    /** The errno the kernel returned, 0 when the failure had none (a malformed value, say). */
    public int errno() {
        return errno;
    }

    /** The symbolic errno, {@code ENOENT}, or an empty string when there is none. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /** The path or value involved, possibly empty. */
    public String path() {
        return path;
    }

    /** Extra detail from the launcher, possibly empty. */
    public String detail() {
        return detail;
    }

    /** The builder call that produced the failing step, when there is one. */
    public @Nullable String builderCall() {
        return builderCall;
    }

    /** The cause on the host and its fix, when known (user namespaces disabled, ...). */
    public @Nullable String hint() {
        return hint;
    }

    private static String format(SetupStep step, int errno, String path, String detail,
            @Nullable String builderCall, @Nullable String hint) {
        StringBuilder sb = new StringBuilder(step.action());
        if (!path.isEmpty()) {
            sb.append(' ').append(path);
        }
        if (errno != 0 || !detail.isEmpty()) {
            sb.append(':');
        }
        if (errno != 0) {
            sb.append(' ').append(Errno.describe(errno));
        }
        if (!detail.isEmpty()) {
            sb.append(errno != 0 ? ", " : " ").append(detail);
        }
        if (builderCall != null) {
            sb.append(" [").append(builderCall).append(']');
        }
        if (hint != null) {
            sb.append("\n  ").append(hint);
        }
        return sb.toString();
    }
}
