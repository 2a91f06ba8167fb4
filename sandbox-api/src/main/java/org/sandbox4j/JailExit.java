package org.sandbox4j;

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
 */
public record JailExit(boolean signaled, int code, int signal, boolean timedOut, boolean coreDumped) {

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
        String s = signaled ? "killed by signal " + signal : "exited with " + code;
        return timedOut ? s + " (time limit reached)" : s;
    }
}
