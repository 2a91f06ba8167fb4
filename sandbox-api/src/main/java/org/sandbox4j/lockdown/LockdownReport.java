package org.sandbox4j.lockdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.landlock.LandlockStatus;

/**
 * What a lockdown applied and the proof, per thread, read back from {@code /proc/self/task/*}/status
 * after the last step.
 */
public final class LockdownReport {
    /**
     * One thread as the kernel reports it after the lockdown. {@code landlockAcknowledged}: the thread
     * itself ran landlock_restrict_self successfully during the broadcast (false for threads created
     * later, which inherit the domain of their creator; there is no /proc line for Landlock).
     */
    public record ThreadState(int tid, int noNewPrivs, int seccompMode, int seccompFilters, long capInh, long capPrm,
            long capEff, long capBnd, long capAmb, boolean landlockAcknowledged) {
        @Override
        public String toString() {
            return "tid " + tid + ": NoNewPrivs=" + noNewPrivs + " Seccomp=" + seccompMode + " filters=" + seccompFilters
                    + " CapEff=" + Long.toHexString(capEff) + " CapBnd=" + Long.toHexString(capBnd)
                    + (landlockAcknowledged ? " landlock=ack" : "");
        }
    }

    private final List<String> applied;
    private final List<ThreadState> threads;
    private final int threadsSignalled;
    private final @Nullable LandlockStatus landlock;
    private final Duration applyTime;
    private final Duration verifyTime;
    private final int signal;
    private final List<PreexistingChannel> preexisting;

    LockdownReport(List<String> applied, List<ThreadState> threads, int threadsSignalled, @Nullable LandlockStatus landlock,
            Duration applyTime, Duration verifyTime, int signal, List<PreexistingChannel> preexisting) {
        this.applied = List.copyOf(applied);
        this.threads = List.copyOf(threads);
        this.threadsSignalled = threadsSignalled;
        this.landlock = landlock;
        this.applyTime = applyTime;
        this.verifyTime = verifyTime;
        this.signal = signal;
        this.preexisting = List.copyOf(preexisting);
    }

    /** The steps applied, in order, with what each did. */
    public List<String> applied() {
        return applied;
    }

    /**
     * What PREPARE found that keeps acting with the credentials of before the lockdown: child
     * processes, and io_uring instances and their kernel threads accepted by {@link
     * Lockdown.Builder#allowPreexistingIoUring()} (those threads are not in {@link #threads()}).
     */
    public List<PreexistingChannel> preexisting() {
        return preexisting;
    }

    /** Every thread at verification time, all proven covered (accepted io_uring threads that are not: excepted). */
    public List<ThreadState> threads() {
        return threads;
    }

    /** How many threads ran the per-thread step themselves (the caller included). */
    public int threadsCovered() {
        return threadsSignalled;
    }

    /** What Landlock enforced, or null when no ruleset was given. */
    public @Nullable LandlockStatus landlock() {
        return landlock;
    }

    /** Time from the first change to the last (PREPARE and VERIFY excluded). */
    public Duration applyTime() {
        return applyTime;
    }

    /** Time spent reading back every thread's status. */
    public Duration verifyTime() {
        return verifyTime;
    }

    /** The signal used for the per-thread broadcast. */
    public int signal() {
        return signal;
    }

    /** A human-readable summary, one fact per line. */
    public List<String> lines() {
        List<String> l = new ArrayList<>(applied);
        if (preexisting.isEmpty()) {
            l.add("PREEXISTING: none (no io_uring instance, io_uring or kernel worker thread, child process)");
        }
        for (PreexistingChannel c : preexisting) {
            l.add("PREEXISTING: " + c + (c.kind().refusedByDefault() ? ", ACCEPTED: keeps its old credentials"
                    : ", keeps its old credentials"));
        }
        if (landlock != null) {
            l.addAll(landlock.lines());
        }
        l.add("verified " + threads.size() + " threads (" + threadsSignalled + " ran the per-thread step themselves,"
                + " signal " + signal + "); apply " + applyTime.toNanos() / 1000 + " us, verify "
                + verifyTime.toNanos() / 1000 + " us");
        return l;
    }

    @Override
    public String toString() {
        return String.join("\n", lines());
    }
}
