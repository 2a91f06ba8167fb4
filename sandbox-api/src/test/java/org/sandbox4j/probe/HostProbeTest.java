package org.sandbox4j.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Sandbox;

/** {@link Sandbox#probe()} on the real host: every feature reported, the jail probe succeeds. */
@Tag("kernel")
class HostProbeTest {
    @Test
    void probeReportsEveryFeatureAndAWorkingJail() {
        HostProbe p = Sandbox.probe();
        assertEquals(List.of("arch", "launcher", "jail", "userns-unprivileged", "host-seccomp", "seccomp", "landlock",
                "cgroup", "pidfd", "close_range", "mount_setattr", "tiocsti"),
                p.features().stream().map(Feature::name).toList());
        assertTrue(p.jailsWork(), p.toText());
        for (Feature f : p.features()) {
            assertTrue(!f.detail().isEmpty(), f.name());
            assertEquals(f.status() == Status.OK, f.fix().isEmpty(), f.toString());
        }
        assertTrue(p.toJson().startsWith("{\"arch\":\"" + p.arch().name().toLowerCase() + "\",\"jailsWork\":true,"));
        assertTrue(p.toText().lines().count() == p.features().size());
    }
}
