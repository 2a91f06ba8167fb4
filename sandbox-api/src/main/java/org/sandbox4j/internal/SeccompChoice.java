package org.sandbox4j.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.seccomp.BpfInterpreter;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompData;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfile;
import org.sandbox4j.seccomp.SeccompProgram;
import org.sandbox4j.seccomp.Syscalls;

/**
 * Which seccomp filter a jail gets, as {@code Sandbox.Builder} was told: the default deny list (no
 * call), a policy (compiled at build), a compiled program or profile, or none. Immutable; the builder
 * holds one and replaces it on each seccomp call.
 */
public final class SeccompChoice {
    /** No call: {@link SeccompPolicies#defaultDenyList()}, loaded from its precompiled resource. */
    public static final SeccompChoice DEFAULT = new SeccompChoice(null, null, false);
    /** {@code noSeccomp()}: no filter at all. */
    public static final SeccompChoice NONE = new SeccompChoice(null, null, true);

    private final @Nullable SeccompPolicy policy;
    private final @Nullable SeccompProgram program;
    private final boolean off;

    private SeccompChoice(@Nullable SeccompPolicy policy, @Nullable SeccompProgram program, boolean off) {
        this.policy = policy;
        this.program = program;
        this.off = off;
    }

    /** A policy, which must let the launcher exec the program. */
    public static SeccompChoice policy(SeccompPolicy policy) {
        requireExecve(policy.compile(Arch.current()), "this seccomp policy");
        return new SeccompChoice(policy, null, false);
    }

    /**
     * A compiled program for the running architecture; unlike a policy its execve is not checked (a
     * program may allow execve only under conditions the check cannot know, as {@code ExecOnce} does).
     */
    public static SeccompChoice program(SeccompProgram program) {
        if (program.arch() != Arch.current()) {
            throw new IllegalArgumentException("the seccomp program is for " + program.arch()
                    + ", this JVM runs on " + Arch.current());
        }
        return new SeccompChoice(null, program, false);
    }

    /** A precompiled profile, which must allow execve. */
    public static SeccompChoice profile(SeccompProfile profile) {
        SeccompProgram p = profile.program(Arch.current());
        requireExecve(p, "seccomp profile " + profile);
        return program(p);
    }

    /** What a built jail holds ({@code toBuilder()}): its program's bytes, or none. */
    public static SeccompChoice ofBytes(byte @Nullable [] bytes) {
        return bytes == null ? NONE : new SeccompChoice(null, SeccompProgram.fromBytes(Arch.current(), bytes), false);
    }

    /** The program the jail installs, or null for none. */
    public byte @Nullable [] bytes() {
        if (off) {
            return null;
        }
        if (program != null) {
            return program.toBytes();
        }
        if (policy != null) {
            return policy.compile(Arch.current()).toBytes();
        }
        return DefaultFilter.BYTES.clone();
    }

    /**
     * Whether a best-effort twin can extend this choice with refusals of its own (BestEffort): no
     * filter, the default deny list (also when it arrives as its program, from {@code toBuilder()})
     * or a policy; a compiled program cannot be extended.
     */
    public boolean extendable() {
        return off || policy != null || program == null || Arrays.equals(program.toBytes(), DefaultFilter.BYTES);
    }

    /** For an {@link #extendable()} choice, the policy to extend: null without a filter. */
    public @Nullable SeccompPolicy basePolicy() {
        return off ? null : policy != null ? policy : SeccompPolicies.defaultDenyList();
    }

    /** The compiled program given ({@link #program}, {@link #profile}, {@link #ofBytes}), or null. */
    public @Nullable SeccompProgram compiled() {
        return program;
    }

    /**
     * The jail's filter is installed before the program is exec'd: a filter that refuses execve
     * would kill or fail every start. Checked with the BPF interpreter, so a wrong profile fails here,
     * naming itself, not later as a SIGSYS at start.
     */
    private static void requireExecve(SeccompProgram program, String what) {
        int nr = Syscalls.number(program.arch(), "execve").orElseThrow();
        SeccompAction action = BpfInterpreter.run(program, SeccompData.of(program.arch(), nr)).action();
        if (action != SeccompAction.ALLOW && action != SeccompAction.LOG) {
            throw new IllegalArgumentException(what + " answers execve with " + action + ", but a jail's filter is"
                    + " installed right before the launcher execs the program, so the program could never start;"
                    + " allow execve in the policy, or install such a filter from inside the program");
        }
    }

    /** Whether {@code bytes} is the default deny list's program (for the other runtimes' mapping). */
    public static boolean isDefaultDenyList(byte @Nullable [] bytes) {
        return bytes != null && Arrays.equals(bytes, DefaultFilter.BYTES);
    }

    /** The default deny list, loaded once per JVM from its precompiled resource. */
    private static final class DefaultFilter {
        static final byte[] BYTES = SeccompProfile.DEFAULT_DENY_LIST.program(Arch.current()).toBytes();
    }
}
