package org.sandbox4j.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link HostProbe#run()} on the real host: every feature reported, the jail probe succeeds. */
@Tag("kernel")
class HostProbeTest {
    @Test
    void probeReportsEveryFeatureAndAWorkingJail() {
        HostProbe p = HostProbe.run();
        assertEquals(List.of("arch", "launcher", "jail", "userns-unprivileged", "host-seccomp", "seccomp", "landlock",
                "cgroup", "pidfd", "close_range", "mount_setattr", "tiocsti", "container"),
                p.features().stream().map(Feature::name).toList());
        assertTrue(p.jailsWork(), p.toText());
        for (Feature f : p.features()) {
            assertTrue(!f.detail().isEmpty(), f.name());
            assertEquals(f.status() == Status.OK, f.fix().isEmpty(), f.toString());
        }
        assertTrue(p.toJson().startsWith("{\"arch\":\"" + p.arch().name().toLowerCase() + "\",\"jailsWork\":true,"));
        assertTrue(p.toText().lines().count() == p.features().size());
    }

    @Test
    void containersAreRecognisedAndTheFixIsPrinted() {
        String docker = "Seccomp:\t2\nCapBnd:\t00000000a80425fb\n";
        Feature in = HostProbe.container(docker, "0::/\n", java.util.Set.of("/.dockerenv"), java.util.Map.of(), false, 7);
        assertEquals(Status.RESTRICTED, in.status());
        assertEquals("in a container (Docker's /.dockerenv, a seccomp filter, no CAP_SYS_ADMIN in the bounding set);"
                + " namespaces are refused, so only best effort runs here: Landlock ABI 7 (files, tcp, scopes), seccomp,"
                + " rlimits, no capabilities", in.detail());
        assertTrue(in.fix().contains("seccomp=unconfined") && in.fix().contains("procMount: Unmasked")
                && in.fix().contains("--best-effort"), in.fix());
        Feature k8s = HostProbe.container("Seccomp:\t0\nCapBnd:\t000001ffffffffff\n", "0::/kubepods/x\n",
                java.util.Set.of(), java.util.Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), true, 3);
        assertEquals(Status.OK, k8s.status());
        assertEquals("in a container (Kubernetes (KUBERNETES_SERVICE_HOST), pid 1's cgroup names kubepods); full jails"
                + " work here", k8s.detail());
        Feature old = HostProbe.container(docker, null, java.util.Set.of(), java.util.Map.of(), false, 3);
        assertTrue(old.detail().contains("Landlock ABI 3 (files only; TCP rules need ABI 4)"), old.detail());
        Feature host = HostProbe.container("Seccomp:\t0\nCapBnd:\t000001ffffffffff\n", "0::/init.scope\n",
                java.util.Set.of(), java.util.Map.of(), true, 7);
        assertEquals(Status.OK, host.status());
        assertEquals("no container runtime markers", host.detail(), "control: the host itself");
    }

    @Test
    void theAppArmorFixGivesTheExactCommands() {
        assertEquals("as root: 'sandbox4j install-launcher' then 'apparmor_parser -r /etc/apparmor.d/sandbox4j-launcher',"
                + " and run java with -Dsandbox4j.launcher=/usr/local/libexec/sandbox4j/sandbox4j-launcher; or an AppArmor"
                + " profile with 'userns,' for java; or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0; or"
                + " --best-effort (docs/deployment.md)", HostProbe.appArmorFix());
    }
}
