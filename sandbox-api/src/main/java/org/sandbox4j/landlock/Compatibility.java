package org.sandbox4j.landlock;

/**
 * What to do when the running kernel lacks a Landlock feature a ruleset uses (Landlock itself, a
 * file-system right of a newer ABI, TCP rules before ABI 4).
 */
public enum Compatibility {
    /** Fail before anything is applied, naming the missing feature (the default). */
    STRICT,
    /**
     * Apply what the kernel supports; the {@link LandlockStatus} lists exactly what was and was not
     * enforced. A right the kernel does not know is then simply not restricted.
     */
    BEST_EFFORT
}
