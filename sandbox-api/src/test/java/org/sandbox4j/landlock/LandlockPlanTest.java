package org.sandbox4j.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LandlockPlanTest {
    private static LandlockRuleset rules(Compatibility c) {
        return LandlockRuleset.builder().readOnly("/usr").readWrite("/data").allowTcpConnect(443).compatibility(c).build();
    }

    @Test
    void strictRefusesAnOldKernelBeforeApplyingAnything() {
        LandlockUnsupportedException e = assertThrows(LandlockUnsupportedException.class,
                () -> LandlockPlan.resolve(rules(Compatibility.STRICT), 3));
        assertTrue(e.missing().containsKey("IOCTL_DEV"), e.getMessage());
        assertTrue(e.missing().containsKey("CONNECT_TCP"), e.getMessage());
        assertThrows(LandlockUnsupportedException.class, () -> LandlockPlan.resolve(rules(Compatibility.STRICT), 0));
    }

    @Test
    void bestEffortReportsEachRightNotEnforced() {
        LandlockPlan p = LandlockPlan.resolve(rules(Compatibility.BEST_EFFORT), 3);
        assertEquals(LandlockStatus.Enforcement.PARTIAL, p.status().enforcement());
        assertEquals(0, p.netMask());
        assertEquals(0, p.fsMask() & AccessFs.IOCTL_DEV.mask());
        assertTrue(p.status().notEnforced().get("IOCTL_DEV").contains("ABI 5"));
        assertTrue(p.status().notEnforced().containsKey("CONNECT_TCP"));
        assertTrue(p.ports().isEmpty());
        assertEquals(0, p.minAbi());
        LandlockPlan none = LandlockPlan.resolve(rules(Compatibility.BEST_EFFORT), 0);
        assertFalse(none.applies());
        assertEquals(LandlockStatus.Enforcement.NONE, none.status().enforcement());
    }

    @Test
    void strictOnANewEnoughKernelIsFull() {
        LandlockPlan p = LandlockPlan.resolve(rules(Compatibility.STRICT), 7);
        assertEquals(LandlockStatus.Enforcement.FULL, p.status().enforcement());
        assertEquals(5, p.minAbi());
        assertEquals(2, p.paths().size());
        assertEquals(1, p.ports().size());
    }

    @Test
    void allowEverywhereRemovesRightsFromRules() {
        LandlockRuleset r = LandlockRuleset.builder().allowReadEverywhere().readOnly("/usr").readWrite("/d").build();
        assertFalse(r.handledFs().contains(AccessFs.READ_FILE));
        assertEquals(1, r.pathRules().stream().filter(p -> p.path().equals("/usr")).count());
        assertThrows(IllegalArgumentException.class, () -> LandlockRuleset.builder().readOnly("relative"));
        assertThrows(IllegalArgumentException.class, () -> LandlockRuleset.builder().readOnly("/a/../b"));
        assertThrows(IllegalStateException.class,
                () -> LandlockRuleset.builder().allowEverywhere(AccessFs.values()).build());
    }
}
