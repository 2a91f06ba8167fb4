package org.sandbox4j.landlock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the running kernel enforces of a {@link LandlockRuleset}: per right, enforced or not and why.
 * With {@link Compatibility#STRICT} a status is only ever {@link Enforcement#FULL}.
 */
public final class LandlockStatus {
    /** How much of the ruleset is enforced. */
    public enum Enforcement {
        /** Every handled right. */
        FULL,
        /** Some rights are not enforced (see {@link LandlockStatus#notEnforced()}). */
        PARTIAL,
        /** Nothing: the kernel has no Landlock, or none of the ruleset's rights. */
        NONE
    }

    private final int abi;
    private final Compatibility compatibility;
    private final Set<AccessFs> enforcedFs;
    private final Set<AccessNet> enforcedNet;
    private final Set<Scope> enforcedScopes;
    private final Map<String, String> notEnforced;

    LandlockStatus(int abi, Compatibility compatibility, Set<AccessFs> enforcedFs, Set<AccessNet> enforcedNet,
            Set<Scope> enforcedScopes, Map<String, String> notEnforced) {
        this.abi = abi;
        this.compatibility = compatibility;
        this.enforcedFs = Collections.unmodifiableSet(enforcedFs.isEmpty() ? EnumSet.noneOf(AccessFs.class) : EnumSet.copyOf(enforcedFs));
        this.enforcedNet = Collections.unmodifiableSet(enforcedNet.isEmpty() ? EnumSet.noneOf(AccessNet.class) : EnumSet.copyOf(enforcedNet));
        this.enforcedScopes = Collections.unmodifiableSet(enforcedScopes.isEmpty() ? EnumSet.noneOf(Scope.class) : EnumSet.copyOf(enforcedScopes));
        this.notEnforced = Collections.unmodifiableMap(new LinkedHashMap<>(notEnforced));
    }

    /** The kernel's Landlock ABI version; 0 when Landlock is unavailable. */
    public int abi() {
        return abi;
    }

    /** The ruleset's compatibility level. */
    public Compatibility compatibility() {
        return compatibility;
    }

    /** Whether all, some or none of the ruleset's restrictions are enforced. */
    public Enforcement enforcement() {
        if (enforcedFs.isEmpty() && enforcedNet.isEmpty() && enforcedScopes.isEmpty()) {
            return Enforcement.NONE;
        }
        return notEnforced.isEmpty() ? Enforcement.FULL : Enforcement.PARTIAL;
    }

    /** File-system rights restricted by the kernel. */
    public Set<AccessFs> enforcedFs() {
        return enforcedFs;
    }

    /** Network rights restricted by the kernel. */
    public Set<AccessNet> enforcedNet() {
        return enforcedNet;
    }

    /** IPC scopes restricted to the domain by the kernel. */
    public Set<Scope> enforcedScopes() {
        return enforcedScopes;
    }

    /** Each right (or "Landlock") the ruleset asked for and the kernel does not enforce, with the reason. */
    public Map<String, String> notEnforced() {
        return notEnforced;
    }

    /** One line per fact, for logs and reports. */
    public List<String> lines() {
        List<String> l = new ArrayList<>();
        l.add("Landlock ABI " + abi + " (" + compatibility + "): " + enforcement());
        l.add("enforced: " + enforcedFs + (enforcedNet.isEmpty() ? "" : " " + enforcedNet)
                + (enforcedScopes.isEmpty() ? "" : " scopes " + enforcedScopes));
        notEnforced.forEach((k, v) -> l.add("NOT enforced: " + k + ": " + v));
        return l;
    }

    @Override
    public String toString() {
        return String.join("; ", lines());
    }
}
