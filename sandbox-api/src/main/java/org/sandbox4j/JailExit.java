package org.sandbox4j;

import org.jspecify.annotations.Nullable;
import org.sandbox4j.seccomp.SeccompViolation;

/**
 * How a jailed program ended: its exit code, or the signal that killed it, and whether the
 * wall-clock limit or the lifeline ended it.
 *
 * <pre>{@code
 * JailExit exit = process.jailExit();   // after waitFor()
 * if (exit.signaled()) log.warn("killed by signal {}", exit.signal());
 * }</pre>
 *
 * @param signaled true when a signal ended the program
 * @param code the exit code (0..255) when it exited, otherwise 0
 * @param signal the signal number when signaled, otherwise 0
 * @param timedOut true when the jail's wall-clock limit was reached (the jail was then killed)
 * @param coreDumped true when the kernel reported a core dump
 * @param killedBy the call the seccomp filter killed the program for, when the jail reported
 *     violations ({@link Sandbox.Builder#reportViolations(boolean)}); null otherwise
 */
public record JailExit(boolean signaled, int code, int signal, boolean timedOut, boolean coreDumped,
        @Nullable SeccompViolation killedBy) {

    /** An end without a seccomp kill named. */
    public JailExit(boolean signaled, int code, int signal, boolean timedOut, boolean coreDumped) {
        this(signaled, code, signal, timedOut, coreDumped, null);
    }

    /** A normal exit with {@code code}. */
    public static JailExit exited(int code) {
        return new JailExit(false, code, 0, false, false);
    }

    /** A death by {@code signal}. */
    public static JailExit killed(int signal, boolean timedOut) {
        return new JailExit(true, 0, signal, timedOut, false);
    }

    /** The shell's convention, which {@link Process#exitValue()} follows: the code, or 128 + signal. */
    public int exitValue() {
        return signaled ? 128 + signal : code;
    }

    @Override
    public String toString() {
        String s = killedBy != null ? "killed by seccomp: " + killedBy.describe()
                : signaled ? "killed by signal " + signal : "exited with " + code;
        return timedOut ? s + " (time limit reached)" : s;
    }
}
