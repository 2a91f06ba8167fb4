package org.sandbox4j;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.cgroup.ResourceLimit;
import org.sandbox4j.cgroup.ResourceUsage;
import org.sandbox4j.seccomp.SeccompViolation;

/**
 * How a jailed program ended: its exit code, or the signal that killed it, and whether the
 * wall-clock limit or the lifeline ended it; with cgroup limits also which limit the jail ran into
 * ({@link #limitReached()}) and what it used ({@link #usage()}).
 *
 * <pre>{@code
 * JailExit exit = process.jailExit();   // after waitFor()
 * if (exit.signaled()) log.warn("killed by signal {}", exit.signal());
 * exit.limitReached().ifPresent(l -> log.warn("the jail ran into its {} limit", l.noun()));
 * }</pre>
 *
 * @param signaled true when a signal ended the program
 * @param code the exit code (0..255) when it exited, otherwise 0
 * @param signal the signal number when signaled, otherwise 0
 * @param timedOut true when the jail's wall-clock limit was reached (the jail was then killed)
 * @param coreDumped true when the kernel reported a core dump
 * @param killedBy the call the seccomp filter killed the program for, when the jail reported
 *     violations ({@link Sandbox.Builder#reportViolations(boolean)}); null otherwise
 * @param resources what the jail's cgroup counted, or null when it had none
 */
public record JailExit(boolean signaled, int code, int signal, boolean timedOut, boolean coreDumped,
        @Nullable SeccompViolation killedBy, @Nullable ResourceUsage resources) {

    /**
     * An end without a seccomp kill named and without a cgroup report.
     *
     * @param signaled true when a signal ended the program
     * @param code the exit code when it exited, otherwise 0
     * @param signal the signal number when signaled, otherwise 0
     * @param timedOut true when the wall-clock limit ended the jail
     * @param coreDumped true when the kernel reported a core dump
     */
    public JailExit(boolean signaled, int code, int signal, boolean timedOut, boolean coreDumped) {
        this(signaled, code, signal, timedOut, coreDumped, null, null);
    }

    /**
     * An end with the seccomp kill named, without a cgroup report.
     *
     * @param signaled true when a signal ended the program
     * @param code the exit code when it exited, otherwise 0
     * @param signal the signal number when signaled, otherwise 0
     * @param timedOut true when the wall-clock limit ended the jail
     * @param coreDumped true when the kernel reported a core dump
     * @param killedBy the call the seccomp filter killed the program for, or null
     */
    public JailExit(boolean signaled, int code, int signal, boolean timedOut, boolean coreDumped,
            @Nullable SeccompViolation killedBy) {
        this(signaled, code, signal, timedOut, coreDumped, killedBy, null);
    }

    /**
     * What the jail's cgroup counted (peak memory, CPU time, OOM kills, refused forks), when it had one.
     *
     * @return the cgroup's counts, empty without cgroup limits
     */
    public Optional<ResourceUsage> usage() {
        return Optional.ofNullable(resources);
    }

    /**
     * The cgroup limit the jail ran into: {@link ResourceLimit#MEMORY} when the kernel's OOM killer
     * ended a process of the jail (the program was then killed, by SIGKILL), {@link
     * ResourceLimit#PIDS} when a fork was refused by the process limit.
     *
     * @return the limit, empty when none was reached or the jail had none
     */
    public Optional<ResourceLimit> limitReached() {
        return resources == null ? Optional.empty() : resources.limitReached();
    }

    /**
     * The same end with the cgroup's report.
     *
     * @param usage what the jail's cgroup counted, or null for none
     * @return a copy of this end carrying {@code usage}
     */
    public JailExit withResources(@Nullable ResourceUsage usage) {
        return new JailExit(signaled, code, signal, timedOut, coreDumped, killedBy, usage);
    }

    /**
     * A normal exit with {@code code}.
     *
     * @param code the exit code, 0..255
     * @return an end that is not signaled, not timed out
     */
    public static JailExit exited(int code) {
        return new JailExit(false, code, 0, false, false);
    }

    /**
     * A death by {@code signal}.
     *
     * @param signal the signal number
     * @param timedOut true when the wall-clock limit sent it
     * @return a signaled end without a core dump
     */
    public static JailExit killed(int signal, boolean timedOut) {
        return new JailExit(true, 0, signal, timedOut, false);
    }

    /**
     * The shell's convention, which {@link Process#exitValue()} follows: the code, or 128 + signal.
     *
     * @return the exit code, or 128 plus the signal number
     */
    public int exitValue() {
        return signaled ? 128 + signal : code;
    }

    @Override
    public String toString() {
        String s = killedBy != null ? "killed by seccomp: " + killedBy.describe()
                : signaled ? "killed by signal " + signal : "exited with " + code;
        if (timedOut) {
            s += " (time limit reached)";
        }
        if (resources != null && resources.limitReached().isPresent()) {
            s += " (" + resources.describe(resources.limitReached().get()) + ")";
        }
        return s;
    }
}
