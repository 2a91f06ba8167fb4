package org.sandbox4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a jail's launcher runs: the prestarted launcher (the default: one per JVM, the "zygote",
 * started on the first jail, which clones jails on request; docs/architecture.md "Prestarted
 * mode"), or a launcher process of its own per jail, optionally run through a prefix command. Immutable; pass one to {@link
 * Sandbox.Builder#launcher(Launcher)}, or make it the JVM's default with {@link #setDefault}.
 *
 * <pre>{@code
 * Sandbox own = Sandbox.builder().readOnlySystem().launcher(Launcher.perJail()).build();
 * }</pre>
 *
 * <p>A jail that shares the pid namespace ({@code share(PID)}), keeps the caller's session ({@code
 * sameSession()}), has cgroup limits or a supervised seccomp filter is always started by a launcher
 * of its own. After a lockdown that keeps starting jails ({@code Lockdown.Builder.keepStartingJails()})
 * every jail goes through the prestarted launcher, whatever was chosen here.
 */
public final class Launcher {
    private static final Launcher PER_JAIL = new Launcher(false, List.of(), null);
    private static final Launcher PRESTARTED = new Launcher(true, List.of(), null);

    private static volatile @Nullable Launcher defaultLauncher;

    private final boolean prestarted;
    private final List<String> prefix;
    private final @Nullable Path launcherFile;

    private Launcher(boolean prestarted, List<String> prefix, @Nullable Path launcherFile) {
        this.prestarted = prestarted;
        this.prefix = List.copyOf(prefix);
        this.launcherFile = launcherFile;
    }

    /** A launcher process of its own for each jail, started with posix_spawn. */
    public static Launcher perJail() {
        return PER_JAIL;
    }

    /** The prestarted launcher: started lazily once per JVM (and per prefix), it clones every jail. */
    public static Launcher prestarted() {
        return PRESTARTED;
    }

    /**
     * This launcher run through {@code prefix} (for example {@code setpriv --reuid=65534 ...}, to
     * start jails as another user), from {@code launcherFile}, a copy of the launcher the prefix
     * can execute ({@code sandbox4j install-launcher} writes one). An empty prefix runs it directly.
     */
    public Launcher through(List<String> prefix, @Nullable Path launcherFile) {
        if (!prefix.isEmpty() && launcherFile == null) {
            throw new IllegalArgumentException("a prefix needs the launcher file it runs");
        }
        return new Launcher(prestarted, prefix, prefix.isEmpty() ? null : launcherFile);
    }

    /** Whether jails go through the prestarted launcher. */
    public boolean isPrestarted() {
        return prestarted;
    }

    /** The command the launcher is run through (empty: run directly). */
    public List<String> prefix() {
        return prefix;
    }

    /** The launcher file run through {@link #prefix()}; empty when run directly. */
    public Optional<Path> launcherFile() {
        return Optional.ofNullable(launcherFile);
    }

    /**
     * The launcher of every {@code Sandbox} that names none: the one {@link #setDefault} set, else
     * {@link #perJail()} with {@code -Dsandbox4j.spawn=per-jail}, else {@link #prestarted()}.
     */
    public static Launcher getDefault() {
        Launcher l = defaultLauncher;
        return l != null ? l : fromProperty();
    }

    /**
     * Makes {@code launcher} the JVM's default ({@link #getDefault()}); {@code null}, or the launcher
     * the system property names, goes back to the system property.
     */
    public static void setDefault(@Nullable Launcher launcher) {
        defaultLauncher = launcher == null || launcher.equals(fromProperty()) ? null : launcher;
    }

    private static Launcher fromProperty() {
        String mode = System.getProperty("sandbox4j.spawn", "prestarted");
        return mode.equals("per-jail") || mode.equals("perjail") ? PER_JAIL : PRESTARTED;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Launcher l && l.prestarted == prestarted && l.prefix.equals(prefix)
                && Objects.equals(l.launcherFile, launcherFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prestarted, prefix, launcherFile);
    }

    @Override
    public String toString() {
        return (prestarted ? "Launcher.prestarted()" : "Launcher.perJail()")
                + (prefix.isEmpty() ? "" : ".through(" + prefix + ", " + launcherFile + ")");
    }
}
