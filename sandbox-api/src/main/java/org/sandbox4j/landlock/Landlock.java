package org.sandbox4j.landlock;

import org.sandbox4j.internal.LockdownNative;

/**
 * The running kernel's Landlock. Rulesets are applied by jails ({@code Sandbox.Builder.landlock}) and
 * by {@code Lockdown}; this class tells what the kernel supports.
 */
public final class Landlock {
    private static volatile int abi = -1;

    private Landlock() {}

    /** The kernel's Landlock ABI version (1 = Linux 5.13 ... 7 = Linux 6.15), 0 when unavailable. */
    public static int abi() {
        int a = abi;
        if (a < 0) {
            LockdownNative.check();
            int v = LockdownNative.sb4j_landlock_abi();
            a = Math.max(v, 0);
            abi = a;
        }
        return a;
    }

    /**
     * Resolves a ruleset against the running kernel.
     *
     * @throws LandlockUnsupportedException for a {@link Compatibility#STRICT} ruleset it cannot enforce
     */
    public static LandlockPlan plan(LandlockRuleset rules) {
        return LandlockPlan.resolve(rules, abi());
    }
}
