package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;

/** {@code toHandle()} of a jail that has exited and was reaped answers instead of throwing. */
@Tag("kernel")
class ExitedHandleTest {
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void toHandleAfterTheExitIsADeadHandle(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = JailTestSupport.base().build().start(JailTestSupport.ATTACK, "exit", "0");
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            ProcessHandle h = p.toHandle();
            assertEquals(p.pid(), h.pid());
            assertFalse(h.isAlive());
            assertTrue(h.onExit().isDone());
            assertFalse(h.destroyForcibly());
        }
    }
}
