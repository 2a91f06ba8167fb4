package org.sandbox4j.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.SandboxException;

/**
 * What the lockdowns applied to this JVM gave up, so that a jail started afterwards never gets more
 * (checked on every spec in {@code Sandbox.start}) and an error caused by a lockdown says so.
 *
 * <p>These checks run in this JVM: they keep an application's own jails within its lockdown and
 * name the lockdown in errors. Code that has taken over the locked-down JVM could skip them; the
 * prestarted launcher enforces the same limits itself ({@link PrestartedLauncher#lock}).
 */
public final class LockdownState {
    /**
     * One lockdown.
     *
     * @param summary what it applied, for messages
     * @param capabilitiesDropped it dropped every capability: no host ids or kept capabilities for jails
     * @param seccomp it installed a seccomp filter (execve is refused by the no-exec profiles)
     * @param writable where Landlock still lets the JVM write, or null when it restricts no writes
     * @param at when it was applied
     */
    public record Limits(String summary, boolean capabilitiesDropped, boolean seccomp, @Nullable List<String> writable,
            Instant at) {
        /** "Lockdown (…) applied at …", for messages. */
        public String describe() {
            return "the Lockdown applied to this JVM at " + at + " (" + summary + ")";
        }
    }

    private static final List<Limits> APPLIED = new CopyOnWriteArrayList<>();

    private LockdownState() {}

    /** Records a lockdown that took effect. */
    public static void record(Limits l) {
        APPLIED.add(l);
    }

    /** The lockdowns applied so far (usually none or one). */
    public static List<Limits> applied() {
        return List.copyOf(APPLIED);
    }

    /** A hint for an error that a lockdown may have caused, or null without a lockdown. */
    public static @Nullable String hint() {
        if (APPLIED.isEmpty()) {
            return null;
        }
        Limits l = APPLIED.get(APPLIED.size() - 1);
        return "this is " + l.describe() + (l.seccomp() ? ", whose seccomp filter may refuse execve of the launcher" : "")
                + "; to start jails after a lockdown, prepare them first: Lockdown.noExec().keepStartingJails() (docs/lockdown.md)";
    }

    /**
     * Refuses a jail that would have more than a lockdown left this JVM.
     *
     * @param hostIds the jail maps ids to chosen host ids ({@code hostIds(...)})
     * @param keptCapabilities capabilities the jail keeps
     * @param writableSources host paths the jail may write (read-write binds, a writable root)
     * @throws SandboxException naming the lockdown and what it refuses
     */
    public static void check(boolean hostIds, List<String> keptCapabilities, List<String> writableSources)
            throws SandboxException {
        for (Limits l : APPLIED) {
            if (l.capabilitiesDropped() && hostIds) {
                throw new SandboxException("hostIds(...) refused by " + l.describe() + ": it dropped every capability,"
                        + " so a jail may not act as chosen host ids");
            }
            if (l.capabilitiesDropped() && !keptCapabilities.isEmpty()) {
                throw new SandboxException("keepCapabilities" + keptCapabilities + " refused by " + l.describe()
                        + ": it dropped every capability");
            }
            if (l.writable() != null) {
                for (String src : writableSources) {
                    if (!under(src, l.writable())) {
                        throw new SandboxException("a writable " + src + " refused by " + l.describe()
                                + ": this JVM may write only beneath " + l.writable());
                    }
                }
            }
        }
    }

    private static boolean under(String src, List<String> writable) {
        Path p;
        try {
            p = Path.of(src).toRealPath();
        } catch (IOException e) {
            p = Path.of(src).toAbsolutePath().normalize();
        }
        for (String w : writable) {
            Path root;
            try {
                root = Path.of(w).toRealPath();
            } catch (IOException e) {
                root = Path.of(w).toAbsolutePath().normalize();
            }
            if (p.startsWith(root)) {
                return true;
            }
        }
        return false;
    }
}
