package org.sandbox4j.lockdown;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.SandboxException;
import org.sandbox4j.internal.LockdownState;
import org.sandbox4j.internal.PrestartedLauncher;
import org.sandbox4j.landlock.AccessFs;
import org.sandbox4j.landlock.LandlockRuleset;

/**
 * The link between a lockdown and the jails started after it (kept apart from {@link Lockdown}'s
 * steps): the prestarted launcher started at PREPARE, and the limits recorded for {@link
 * LockdownState}'s checks of later specs.
 */
final class JailsAfterLockdown {
    private JailsAfterLockdown() {}

    /** Builds the PREPARE failure. */
    interface Failure {
        LockdownException fail(LockdownStep step, String msg, int tid, int errno, @Nullable Throwable cause);
    }

    /** Starts the prestarted launcher before anything is applied. */
    static void prepare(Failure f) {
        try {
            PrestartedLauncher.prepare();
            // a worker's jail lists the JDK's libraries with ldd, an exec the lockdown will refuse
            org.sandbox4j.worker.WorkerSpec.prepareJdk(java.nio.file.Path.of(System.getProperty("java.home")));
        } catch (SandboxException | java.io.UncheckedIOException e) {
            throw f.fail(LockdownStep.PREPARE, "keepStartingJails(): the prestarted launcher did not start: "
                    + e.getMessage(), 0, 0, e);
        }
    }

    /** Records what the lockdown gave up, for the checks of later jails. */
    static void record(boolean dropCaps, boolean seccomp, @Nullable LandlockRuleset landlock) {
        List<String> writable = null;
        if (landlock != null && landlock.handledFs().contains(AccessFs.WRITE_FILE)) {
            writable = new ArrayList<>();
            for (LandlockRuleset.PathRule rule : landlock.pathRules()) {
                if (rule.rights().contains(AccessFs.WRITE_FILE)) {
                    writable.add(rule.path());
                }
            }
        }
        List<String> what = new ArrayList<>();
        if (seccomp) {
            what.add("seccomp filter");
        }
        if (dropCaps) {
            what.add("capabilities dropped");
        }
        if (writable != null) {
            what.add("Landlock: writable only beneath " + writable);
        }
        LockdownState.record(new LockdownState.Limits(String.join(", ", what), dropCaps, seccomp, writable, Instant.now()));
    }
}
