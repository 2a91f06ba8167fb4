package org.sandbox4j.landlock;

import java.util.Map;

/**
 * A {@link Compatibility#STRICT} ruleset needs a Landlock feature the running kernel lacks. Thrown
 * before anything is applied.
 */
public final class LandlockUnsupportedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient Map<String, String> missing;
    /** The kernel's Landlock ABI version, 0 without Landlock. */
    private final int abi;

    LandlockUnsupportedException(int abi, Map<String, String> missing) {
        super("the kernel's Landlock (ABI " + abi + ") cannot enforce this ruleset: " + missing
                + "; use a newer kernel, or Compatibility.BEST_EFFORT to apply what it supports (see docs/landlock.md)");
        this.abi = abi;
        this.missing = Map.copyOf(missing);
    }

    /** The kernel's ABI version (0: no Landlock). */
    public int abi() {
        return abi;
    }

    /** Each missing feature and why. */
    public Map<String, String> missing() {
        return missing;
    }
}
