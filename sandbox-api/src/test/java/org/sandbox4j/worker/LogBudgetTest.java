package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void atMostTheBudgetPerSecondIsLoggedAndTheRestIsCountedOnce() {
        LogBudget b = new LogBudget(200);
        long t0 = -5 * SECOND + 1; // nanoTime may be negative
        int admitted = 0;
        for (int i = 0; i < 250; i++) {
            admitted += b.admit(t0 + i) ? 1 : 0;
        }
        assertEquals(200, admitted);
        assertEquals(0, b.takeRefused(false), "the second is not over");
        assertTrue(b.admit(t0 + SECOND), "a new second, a new budget");
        assertEquals(50, b.takeRefused(false));
        assertEquals(0, b.takeRefused(true), "reported once");
        for (int i = 0; i < 300; i++) {
            b.admit(t0 + SECOND + 1 + i);
        }
        assertFalse(b.admit(t0 + SECOND + 1000));
        assertEquals(102, b.takeRefused(true), "at the end the current second's count is reported too");
    }
}
