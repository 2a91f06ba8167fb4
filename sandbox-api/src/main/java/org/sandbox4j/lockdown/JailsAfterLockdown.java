package org.sandbox4j.lockdown;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.SandboxException;
import org.sandbox4j.internal.LockdownState;
import org.sandbox4j.internal.PrestartedLauncher;
import org.sandbox4j.landlock.AccessFs;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.seccomp.BpfInterpreter;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompData;
import org.sandbox4j.seccomp.SeccompProgram;
import org.sandbox4j.seccomp.SyscallTable;

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

    /**
     * Without {@code keepStartingJails()}: a prestarted launcher started before the lockdown (the
     * default launcher, started by an earlier jail) keeps the JVM's earlier privileges and takes no
     * limits, so it stops serving here; a later jail starts a launcher that inherits the lockdown,
     * or fails where the lockdown forbids exec, as with a launcher per jail.
     */
    static void retireLauncher() {
        PrestartedLauncher.retireCurrent();
    }

    /**
     * Hands the prestarted launcher the lockdown's limits, last of PREPARE (every check passed,
     * nothing applied yet, the JVM still trusted): the launcher keeps the JVM's earlier privileges,
     * so it enforces them itself on every later spec, whoever writes it to its socket.
     */
    static void lock(Failure f, boolean dropCaps, @Nullable LandlockRuleset landlock, byte @Nullable [] filter) {
        List<String> writable = writable(landlock);
        try {
            PrestartedLauncher.lock(writable != null, dropCaps, dropCaps, filter != null && deniesNamespaces(filter),
                    writable == null ? List.of() : writable);
        } catch (SandboxException e) {
            throw f.fail(LockdownStep.PREPARE, "keepStartingJails(): the prestarted launcher did not take the"
                    + " lockdown's limits: " + e.getMessage(), 0, 0, e);
        }
    }

    /**
     * Whether the lockdown's filter keeps this JVM from creating namespaces: decided by running the
     * filter itself on {@code unshare(CLONE_NEWUSER)} and {@code clone(CLONE_NEWUSER | SIGCHLD)},
     * never by the profile's name, so a policy of the caller's own counts the same as the built-in
     * ones. When it does, every later jail's program gets the launcher's namespace filter (no
     * {@code unshare}, {@code setns} or namespace-creating {@code clone}; {@code clone3} ENOSYS),
     * stacked under its own seccomp policy or in place of none.
     */
    static boolean deniesNamespaces(byte[] filter) {
        Arch arch = Arch.current();
        SeccompProgram program = SeccompProgram.fromBytes(arch, filter);
        SyscallTable table = SyscallTable.of(arch);
        long newUser = org.sandbox4j.internal.Wire.NS_USER;
        long sigchld = 17;
        for (String[] call : new String[][] {{"unshare"}, {"clone"}}) {
            int nr = table.number(call[0]).orElseThrow();
            long arg0 = call[0].equals("clone") ? newUser | sigchld : newUser;
            SeccompAction action = BpfInterpreter.run(program, SeccompData.of(arch, nr, arg0, 0, 0, 0, 0, 0)).action();
            if (!action.equals(SeccompAction.ALLOW)) {
                return true;
            }
        }
        return false;
    }

    /** Records what the lockdown gave up, for the checks of later jails. */
    static void record(boolean dropCaps, boolean seccomp, @Nullable LandlockRuleset landlock) {
        List<String> writable = writable(landlock);
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

    /** Where the lockdown's Landlock rules still let the JVM write, or null when they restrict no writes. */
    private static @Nullable List<String> writable(@Nullable LandlockRuleset landlock) {
        if (landlock == null || !landlock.handledFs().contains(AccessFs.WRITE_FILE)) {
            return null;
        }
        List<String> writable = new ArrayList<>();
        for (LandlockRuleset.PathRule rule : landlock.pathRules()) {
            if (rule.rights().contains(AccessFs.WRITE_FILE)) {
                writable.add(rule.path());
            }
        }
        return writable;
    }
}
