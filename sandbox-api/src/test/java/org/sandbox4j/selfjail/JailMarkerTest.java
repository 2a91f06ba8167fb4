package org.sandbox4j.selfjail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Namespace;
import org.sandbox4j.internal.LibC;

/**
 * The marker check against this (unjailed) test JVM's own kernel facts: an attacker who can hand
 * {@code java} file descriptors, not only environment variables, still fails on the host. The
 * positive control (a real jail verifies) is in {@link SelfJailTest}.
 */
class JailMarkerTest {
    @Test
    void noMarkerIsAbsent() {
        assertEquals(JailMarker.State.ABSENT, JailMarker.check(null).state());
    }

    /** The outer JVM's own proof, read by the outer JVM itself: its namespaces are the recorded ones. */
    @Test
    void aRealProofOnTheHostIsRefusedBecauseTheNamespacesAreTheOuterOnes() throws Exception {
        try (JailMarker.Proof p = JailMarker.create(EnumSet.allOf(Namespace.class), true, 3)) {
            JailMarker.Verdict v = JailMarker.check("v2;fd=" + p.proofFd + ";started=" + p.startedFd);
            assertEquals(JailMarker.State.FORGED, v.state(), v.reason());
            assertTrue(v.reason().contains("is the outer JVM's"), v.reason());
        }
    }

    /**
     * Attack: a crafted memfd with the proof's name and made-up outer namespace ids (so every
     * namespace "differs"): the kernel facts about this process (initial user namespace, pid > 2,
     * no no_new_privs) still refuse it.
     */
    @Test
    void aCraftedProofWithMadeUpNamespacesIsRefusedOnTheKernelFacts() throws Exception {
        byte[] fake = "sandbox4j-selfjail v2\nnew=user,pid,mnt\nseccomp=0\nuser=1\npid=1\nmnt=1\n"
                .getBytes(StandardCharsets.UTF_8);
        int proof = JailMarker.sealedMemfd(JailMarker.PROOF_NAME, fake);
        int started = JailMarker.memfd(JailMarker.STARTED_NAME, LibC.MFD_CLOEXEC);
        try {
            JailMarker.Verdict v = JailMarker.check("v2;fd=" + proof + ";started=" + started);
            assertEquals(JailMarker.State.FORGED, v.state(), v.reason());
            assertTrue(v.reason().contains("initial user namespace") || v.reason().contains("not pid 1 or 2")
                    || v.reason().contains("no_new_privs"), v.reason());
            // Only the user-namespace fact named: the pid and no_new_privs facts refuse it too.
            byte[] mntOnly = "sandbox4j-selfjail v2\nnew=mnt\nseccomp=0\nmnt=1\n".getBytes(StandardCharsets.UTF_8);
            int p2 = JailMarker.sealedMemfd(JailMarker.PROOF_NAME, mntOnly);
            try {
                JailMarker.Verdict v2 = JailMarker.check("v2;fd=" + p2 + ";started=" + started);
                assertEquals(JailMarker.State.FORGED, v2.state(), v2.reason());
                assertTrue(v2.reason().contains("no_new_privs"), v2.reason());
            } finally {
                LibC.close(p2);
            }
        } finally {
            LibC.close(proof);
            LibC.close(started);
        }
    }

    /** A memfd under another name, or stdio, is not a proof, whatever it holds. */
    @Test
    void anFdThatIsNotTheProofIsRefused() throws Exception {
        byte[] fake = "sandbox4j-selfjail v2\nnew=\nseccomp=0\n".getBytes(StandardCharsets.UTF_8);
        int other = JailMarker.sealedMemfd("something-else", fake);
        int started = JailMarker.memfd(JailMarker.STARTED_NAME, LibC.MFD_CLOEXEC);
        try {
            JailMarker.Verdict v = JailMarker.check("v2;fd=" + other + ";started=" + started);
            assertEquals(JailMarker.State.FORGED, v.state());
            assertTrue(v.reason().contains("not the sealed memfd"), v.reason());
            assertEquals(JailMarker.State.FORGED, JailMarker.check("v2;fd=0;started=" + started).state());
            assertEquals(JailMarker.State.FORGED, JailMarker.check("v2;fd=" + started + ";started=" + started).state());
            assertEquals(JailMarker.State.FORGED, JailMarker.check("v2;fd=999999;started=" + started).state());
        } finally {
            LibC.close(other);
            LibC.close(started);
        }
    }

    @Test
    void aVerifiedJailMissingANamespaceOfTheSandboxIsNamed() {
        JailMarker.Verdict v = new JailMarker.Verdict(JailMarker.State.VERIFIED, "verified",
                EnumSet.of(Namespace.USER, Namespace.PID, Namespace.MOUNT), false, 4);
        assertEquals(null, JailMarker.missing(v, EnumSet.of(Namespace.USER, Namespace.MOUNT), false));
        String m = JailMarker.missing(v, EnumSet.allOf(Namespace.class), true);
        assertTrue(m != null && m.contains("[net, ipc, uts, cgroup]") && m.contains("seccomp"), m);
    }
}
