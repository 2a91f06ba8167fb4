package org.sandbox4j.worker;

/**
 * How many of a worker's stderr lines reach the log: at most {@code perSecond} in each second, the
 * rest counted, so a worker that prints in a loop cannot drown the application's log or spend its
 * CPU on formatting. Not thread-safe (one stderr pump uses it).
 */
final class LogBudget {
    private final int perSecond;
    private long second = Long.MIN_VALUE;
    private int used;
    /** Refused in the current second. */
    private long refused;
    /** Refused in seconds that are over, not yet reported. */
    private long unreported;

    LogBudget(int perSecond) {
        this.perSecond = perSecond;
    }

    /** Whether a line seen at {@code nanos} (System.nanoTime) may be logged. */
    boolean admit(long nanos) {
        long s = Math.floorDiv(nanos, 1_000_000_000L);
        if (s != second) {
            unreported += refused;
            refused = 0;
            used = 0;
            second = s;
        }
        if (used < perSecond) {
            used++;
            return true;
        }
        refused++;
        return false;
    }

    /**
     * The lines refused and not yet reported: those of the seconds that are over, or with {@code
     * all} (at the end of the stream) those of the current second too. Each is counted once.
     */
    long takeRefused(boolean all) {
        long n = unreported;
        unreported = 0;
        if (all) {
            n += refused;
            refused = 0;
        }
        return n;
    }

    int perSecond() {
        return perSecond;
    }
}
