package org.sandbox4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.landlock.AccessNet;
import org.sandbox4j.landlock.LandlockStatus;

/**
 * What confined a started jail: the full jail (namespaces and everything else the spec asks for) or,
 * with {@link Sandbox.Builder#bestEffort(Isolation.Feature...)} on a host that refuses namespaces,
 * the best effort (Landlock, seccomp, rlimits and the rest that needs no privilege). Returned by
 * {@link SandboxedProcess#isolation()}; {@link #line()} is what {@code sandbox4j run --best-effort}
 * prints on stderr. See docs/deployment.md.
 */
public final class Isolation {
    /** How the jail was built. */
    public enum Level {
        /** Namespaces, mounts and every other mechanism of the spec. */
        FULL,
        /** No namespaces (the host refused them); see {@link #applied()} for what confines the jail. */
        BEST_EFFORT
    }

    /** A confinement mechanism a caller can require of best effort. */
    public enum Feature {
        /** New namespaces (user, mount, pid, network, ...): only in {@link Level#FULL}. */
        NAMESPACES("namespaces"),
        /** Landlock file-system rules (ABI 1+). */
        LANDLOCK_FILES("files"),
        /** Landlock TCP bind and connect rules (ABI 4+); asked for by {@link Network#NONE}. */
        LANDLOCK_TCP("tcp"),
        /** Landlock scopes: abstract unix sockets and signals kept inside the jail (ABI 6+). */
        LANDLOCK_SCOPES("scopes"),
        /** A seccomp filter. */
        SECCOMP("seccomp");

        private final String word;

        Feature(String word) {
            this.word = word;
        }

        /** The feature in one word, as {@link Isolation#line()} prints it. */
        public String word() {
            return word;
        }
    }

    private final Level level;
    private final @Nullable String reason;
    private final Set<Feature> applied;
    private final Map<Feature, String> notApplied;
    private final @Nullable LandlockStatus landlock;
    private final boolean rlimits;

    Isolation(Level level, @Nullable String reason, Set<Feature> applied, Map<Feature, String> notApplied,
            @Nullable LandlockStatus landlock, boolean rlimits) {
        this.level = level;
        this.reason = reason;
        this.applied = Collections.unmodifiableSet(applied.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(applied));
        this.notApplied = Collections.unmodifiableMap(new LinkedHashMap<>(notApplied));
        this.landlock = landlock;
        this.rlimits = rlimits;
    }

    /**
     * The report for a jail whose spec wants {@code wanted} and whose Landlock plan resolved to
     * {@code status} (null: no Landlock asked for): what is applied, and why the rest is not.
     */
    static Isolation of(Level level, @Nullable String reason, Set<Feature> wanted, @Nullable LandlockStatus status,
            boolean seccomp, boolean rlimits) {
        EnumSet<Feature> applied = EnumSet.noneOf(Feature.class);
        Map<Feature, String> missing = new LinkedHashMap<>();
        for (Feature f : wanted) {
            String why = whyNot(f, level, reason, status, seccomp);
            if (why == null) {
                applied.add(f);
            } else {
                missing.put(f, why);
            }
        }
        return new Isolation(level, reason, applied, missing, status, rlimits);
    }

    private static @Nullable String whyNot(Feature f, Level level, @Nullable String reason,
            @Nullable LandlockStatus status, boolean seccomp) {
        switch (f) {
            case NAMESPACES:
                return level == Level.FULL ? null : "refused by the host (" + reason + ")";
            case SECCOMP:
                return seccomp ? null : "no seccomp filter (noSeccomp())";
            default:
                break;
        }
        if (status == null) {
            return "no Landlock ruleset";
        }
        if (status.abi() == 0) {
            return "the kernel has no Landlock";
        }
        boolean has = switch (f) {
            case LANDLOCK_FILES -> !status.enforcedFs().isEmpty();
            case LANDLOCK_TCP -> status.enforcedNet().containsAll(EnumSet.allOf(AccessNet.class));
            default -> status.enforcedScopes().size() == org.sandbox4j.landlock.Scope.values().length;
        };
        if (has) {
            return null;
        }
        int needs = f == Feature.LANDLOCK_FILES ? 1 : f == Feature.LANDLOCK_TCP ? 4 : 6;
        return "needs Landlock ABI " + needs + ", the kernel has " + status.abi();
    }

    /** {@link Level#FULL} or {@link Level#BEST_EFFORT}. */
    public Level level() {
        return level;
    }

    /** Why namespaces were not used (the host's cause, e.g. "container seccomp filter"); null in FULL. */
    public @Nullable String reason() {
        return reason;
    }

    /** The mechanisms of {@link Feature} that confine the jail. */
    public Set<Feature> applied() {
        return applied;
    }

    /** The mechanisms the spec asked for that are not applied, each with the reason. */
    public Map<Feature, String> notApplied() {
        return notApplied;
    }

    /** What the kernel enforces of the jail's Landlock ruleset (null: none asked for). */
    public @Nullable LandlockStatus landlock() {
        return landlock;
    }

    /**
     * One line, e.g. {@code best effort: no namespaces (container seccomp filter); landlock ABI 7
     * (files, tcp, scopes), seccomp, rlimits}; what is missing follows after "not applied:".
     */
    public String line() {
        StringBuilder sb = new StringBuilder();
        List<String> parts = new ArrayList<>();
        if (level == Level.FULL) {
            sb.append("full isolation: namespaces");
        } else {
            sb.append("best effort: no namespaces (").append(reason).append(")");
        }
        if (landlock != null && landlock.abi() > 0) {
            List<String> ll = new ArrayList<>();
            for (Feature f : List.of(Feature.LANDLOCK_FILES, Feature.LANDLOCK_TCP, Feature.LANDLOCK_SCOPES)) {
                if (applied.contains(f)) {
                    ll.add(f.word());
                }
            }
            if (!ll.isEmpty()) {
                parts.add("landlock ABI " + landlock.abi() + " (" + String.join(", ", ll) + ")");
            }
        }
        if (applied.contains(Feature.SECCOMP)) {
            parts.add("seccomp");
        }
        if (rlimits) {
            parts.add("rlimits");
        }
        if (!parts.isEmpty()) {
            sb.append(level == Level.FULL ? ", " : "; ").append(String.join(", ", parts));
        }
        if (!notApplied.isEmpty()) {
            List<String> miss = new ArrayList<>();
            notApplied.forEach((f, why) -> {
                if (f != Feature.NAMESPACES) {
                    miss.add(f.word() + " (" + why + ")");
                }
            });
            if (!miss.isEmpty()) {
                sb.append("; not applied: ").append(String.join(", ", miss));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return line();
    }
}
