package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sandbox4j.internal.HostDiagnosis;
import org.sandbox4j.landlock.AccessFs;
import org.sandbox4j.landlock.AccessNet;
import org.sandbox4j.landlock.LandlockPlan;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.landlock.Scope;
import org.sandbox4j.mount.MountOp;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompData;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.Syscalls;

/** The translation of a spec for best effort, and its report on older Landlock ABIs (pure units). */
class BestEffortTest {
    private static final Set<Namespace> NONE_SHARED = EnumSet.noneOf(Namespace.class);

    private static Map<String, Set<AccessFs>> rulesOf(LandlockRuleset r) {
        java.util.LinkedHashMap<String, Set<AccessFs>> m = new java.util.LinkedHashMap<>();
        r.pathRules().forEach(p -> m.put(p.path(), p.rights()));
        return m;
    }

    @Test
    void mountOpsBecomeLandlockRules() {
        List<MountOp> ops = Sandbox.builder().readOnly("/usr").readWrite("/srv/out").tmpfs("/tmp").proc("/proc")
                .dev("/dev").symlink("usr/bin", "/bin").dir("/work").build().mountOps();
        LandlockRuleset r = BestEffort.rules(ops, null, NONE_SHARED, null);
        assertNotNull(r);
        Map<String, Set<AccessFs>> m = rulesOf(r);
        assertEquals(LandlockRuleset.READ_ONLY, m.get("/usr"));
        assertEquals(LandlockRuleset.READ_WRITE, m.get("/srv/out"));
        assertEquals(LandlockRuleset.READ_ONLY, m.get("/proc"));
        assertEquals(EnumSet.of(AccessFs.READ_FILE, AccessFs.WRITE_FILE), m.get("/dev/null"));
        assertFalse(m.containsKey("/tmp") || m.containsKey("/bin") || m.containsKey("/work") || m.containsKey("/dev"),
                "tmpfs, symlink and dir grant nothing: " + m);
        assertEquals(EnumSet.allOf(AccessFs.class), r.handledFs());
        assertEquals(EnumSet.allOf(AccessNet.class), r.handledNet(), "Network.NONE: no TCP bind or connect");
        assertTrue(r.portRules().isEmpty());
        assertEquals(EnumSet.allOf(Scope.class), r.scopes());
    }

    @Test
    void sharedNamespacesLeaveTheirPartOpen() {
        LandlockRuleset r = BestEffort.rules(List.of(), null, EnumSet.of(Namespace.MOUNT, Namespace.NET), null);
        assertNotNull(r);
        assertTrue(r.handledFs().isEmpty() && r.handledNet().isEmpty(), r.toString());
        assertEquals(EnumSet.of(Scope.SIGNAL), r.scopes());
        assertNull(BestEffort.rules(List.of(), null, EnumSet.allOf(Namespace.class), null), "nothing to restrict");
    }

    @Test
    void untranslatableCallsAreRefusedNamingThemselves() {
        for (Sandbox.Builder b : List.of(Sandbox.builder().readOnly("/usr", "/opt/usr"),
                Sandbox.builder().readOnly("/etc").file("/etc/x", new byte[1]), Sandbox.builder().devWithPts("/dev"),
                Sandbox.builder().readOnly("/usr").hide("/usr/share"), Sandbox.builder().readWrite("/srv").remountReadOnly("/srv"),
                Sandbox.builder().chroot(java.nio.file.Path.of("/srv")),
                Sandbox.builder().readOnly("/usr").landlock(l -> l.readOnly("/usr")))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.bestEffort().build());
            assertTrue(e.getMessage().startsWith("bestEffort(): ") && e.getMessage().contains("docs/deployment.md"),
                    e.getMessage());
            b.bestEffort(false).build(); // control: the strict jail is fine
        }
        // hide and remountReadOnly where no rule grants: nothing to do
        Sandbox.builder().readOnly("/usr").hide("/root").remountReadOnly("/usr").bestEffort().build();
        // a file where no rule grants places and grants nothing (readOnlySystem()'s passwd and group)
        Sandbox.builder().readOnly("/usr").file("/etc/x", new byte[1]).bestEffort().build();
        Sandbox.builder().readOnlySystem().bestEffort().build();
    }

    @Test
    void aCallersPolicyGetsTheNamespaceRefusalFirst() {
        SeccompPolicy allowAll = SeccompPolicy.builder(SeccompAction.ALLOW).allow("unshare", "setns").build();
        SeccompPolicy merged = BestEffort.withNamespaceRefusal(allowAll);
        Arch arch = Arch.current();
        int unshare = Syscalls.number(arch, "unshare").orElseThrow();
        int clone = Syscalls.number(arch, "clone").orElseThrow();
        assertEquals(SeccompAction.errno(1), merged.evaluate(arch, SeccompData.of(arch, unshare, 0x10000000L)));
        assertEquals(SeccompAction.ALLOW, allowAll.evaluate(arch, SeccompData.of(arch, unshare, 0x10000000L)), "control");
        assertEquals(SeccompAction.errno(1), merged.evaluate(arch, SeccompData.of(arch, clone, 0x10000000L)));
        assertEquals(SeccompAction.ALLOW, merged.evaluate(arch, SeccompData.of(arch, clone, 0x11L)), "plain fork");
        assertTrue(BestEffort.refusesNamespaces(merged.compile(arch)));
        assertFalse(BestEffort.refusesNamespaces(allowAll.compile(arch)));
    }

    /** Landlock ABI 1 to 3 (Linux 5.13 to 6.6): files only, and the report names what is missing. */
    @Test
    void olderLandlockAbisAreReportedExactly() {
        LandlockRuleset r = BestEffort.rules(Sandbox.builder().readOnly("/usr").build().mountOps(), null, NONE_SHARED, null);
        assertNotNull(r);
        Set<Isolation.Feature> wanted = EnumSet.allOf(Isolation.Feature.class);
        for (int abi = 1; abi <= 3; abi++) {
            Isolation iso = Isolation.of(Isolation.Level.BEST_EFFORT, "container seccomp filter", wanted,
                    LandlockPlan.resolve(r, abi).status(), true, false);
            assertEquals(EnumSet.of(Isolation.Feature.LANDLOCK_FILES, Isolation.Feature.SECCOMP), iso.applied());
            assertEquals("needs Landlock ABI 4, the kernel has " + abi, iso.notApplied().get(Isolation.Feature.LANDLOCK_TCP));
            assertEquals("needs Landlock ABI 6, the kernel has " + abi, iso.notApplied().get(Isolation.Feature.LANDLOCK_SCOPES));
            assertEquals("best effort: no namespaces (container seccomp filter); landlock ABI " + abi
                    + " (files), seccomp; not applied: tcp (needs Landlock ABI 4, the kernel has " + abi
                    + "), scopes (needs Landlock ABI 6, the kernel has " + abi + ")", iso.line());
        }
        Isolation abi5 = Isolation.of(Isolation.Level.BEST_EFFORT, "x", wanted, LandlockPlan.resolve(r, 5).status(), true, true);
        assertEquals("best effort: no namespaces (x); landlock ABI 5 (files, tcp), seccomp, rlimits; not applied:"
                + " scopes (needs Landlock ABI 6, the kernel has 5)", abi5.line());
        Isolation none = Isolation.of(Isolation.Level.BEST_EFFORT, "x", wanted, LandlockPlan.resolve(r, 0).status(), true, false);
        assertEquals("the kernel has no Landlock", none.notApplied().get(Isolation.Feature.LANDLOCK_FILES));
        Map<String, String> missing = LandlockPlan.resolve(r, 5).status().notEnforced();
        assertEquals("needs Landlock ABI 6, the kernel has 5", missing.get("SCOPE_SIGNAL"));
    }

    @Test
    void everyRefusalHintNamesTheRealOption() {
        String hint = HostDiagnosis.userNamespaceRefused(1);
        assertNotNull(hint);
        assertTrue(hint.contains("Sandbox.Builder.bestEffort()") && hint.contains("'--best-effort'"), hint);
        assertFalse(hint.contains("best-effort mode"), "no mode that does not exist: " + hint);
    }

    @Test
    void lockdownRefusesScopesItWouldNotApply() {
        LandlockRuleset scoped = LandlockRuleset.builder().readOnly("/usr").scope(Scope.SIGNAL).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> org.sandbox4j.lockdown.Lockdown.builder().landlock(scoped));
        assertTrue(e.getMessage().contains("does not apply Landlock scopes"), e.getMessage());
        org.sandbox4j.lockdown.Lockdown.builder().landlock(LandlockRuleset.builder().readOnly("/usr").build()); // control
    }

    @Test
    void exhaustedNamespacesStayAStrictFailure() {
        SandboxSetupException eperm = new SandboxSetupException(SetupStep.CLONE, 1, "", "clone", null, null);
        SandboxSetupException enospc = new SandboxSetupException(SetupStep.CLONE, 28, "", "clone", null, null);
        SandboxSetupException mount = new SandboxSetupException(SetupStep.REMOUNT_RO, 1, "/x", "remount", null, null);
        assertTrue(BestEffort.isRefusal(eperm));
        boolean disabled = "0".equals(org.sandbox4j.internal.ProcFiles.read("/proc/sys/user/max_user_namespaces"));
        assertEquals(disabled, BestEffort.isRefusal(enospc), "ENOSPC falls back only when the sysctl disables them");
        assertFalse(BestEffort.isRefusal(mount), "a later step's EPERM is the spec's problem, not the host's refusal");
    }
}
