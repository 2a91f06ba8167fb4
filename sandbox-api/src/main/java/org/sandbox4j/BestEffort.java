package org.sandbox4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.internal.HostDiagnosis;
import org.sandbox4j.landlock.AccessFs;
import org.sandbox4j.landlock.Compatibility;
import org.sandbox4j.landlock.LandlockRuleset;
import org.sandbox4j.landlock.Scope;
import org.sandbox4j.mount.MountOp;
import org.sandbox4j.seccomp.ArgCondition;
import org.sandbox4j.seccomp.BpfInterpreter;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompData;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProgram;
import org.sandbox4j.seccomp.Syscalls;

/**
 * Best effort (issue 14): the translation of a jail's spec into what the kernel enforces without
 * namespaces, for hosts that refuse them (a container's seccomp filter, Ubuntu's AppArmor
 * restriction, {@code user.max_user_namespaces=0}).
 *
 * <p>The jail then shares every namespace with the host and its file system is confined by a
 * Landlock domain whose rules come from the mount operations, each with one meaning (docs/deployment.md):
 * <ul>
 *   <li>{@code readOnly(p)}: read, list and execute beneath {@code p}; {@code readWrite(p)}: every
 *       file-system right beneath {@code p}; {@code readOnlyIfExists(p)}: the same when {@code p}
 *       exists. A bind to another path ({@code readOnly(src, dst)}) is refused: nothing can move a
 *       path without a mount namespace.
 *   <li>{@code proc("/proc")}: read beneath the host's /proc (Landlock keeps ptrace-class access to
 *       processes outside the jail refused, but the jail sees the host's processes).
 *   <li>{@code dev("/dev")}: read and write of /dev/null, zero, full, random and urandom only;
 *       {@code devWithPts} is refused (the host's terminals would be writable).
 *   <li>{@code tmpfs(p)}, {@code dir(p)}, {@code symlink(t, p)}: grant nothing; the host's {@code p}
 *       stays as it is (and inaccessible unless another rule covers it). A program that needs
 *       scratch space gets a {@code readWrite} of a directory of its own.
 *   <li>{@code file(p, bytes)}, {@code chroot(dir)}: refused (they need a mount namespace).
 *   <li>{@code hide(p)}, {@code remountReadOnly(p)}: nothing to do when no rule grants (more) beneath
 *       {@code p}; refused when one does, since Landlock rules only add rights.
 * </ul>
 * A new network namespace ({@link Network#NONE}) becomes "no TCP bind, no TCP connect" (ABI 4) and
 * the abstract unix socket scope (ABI 6); a new pid namespace becomes the signal scope (ABI 6).
 * The seccomp filter is the jail's, with namespace creation refused on top.
 */
final class BestEffort {
    private BestEffort() {}

    /** The cause the host gave for refusing namespaces in this JVM (null: not seen yet). */
    private static volatile @Nullable String refusedCause;

    /** Files of {@code dev(...)} that a best-effort jail may read and write. */
    private static final List<String> DEV_NODES = List.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom");

    static @Nullable String refusedCause() {
        return refusedCause;
    }

    static void refused(String cause) {
        refusedCause = cause;
    }

    /** For tests: behave as on a host that refuses namespaces (null: probe again). */
    static void forceRefusedForTests(@Nullable String cause) {
        refusedCause = cause;
    }

    /**
     * Whether a failed start means the host refuses namespaces (rather than a mistake in the spec).
     * ENOSPC and EUSERS count only with {@code user.max_user_namespaces=0}: otherwise they say the
     * user's namespaces are used up for now, and falling back then would let whoever exhausts them
     * (any process of the same user) downgrade every later jail; that stays a strict failure.
     */
    static boolean isRefusal(SandboxSetupException e) {
        int errno = e.errno();
        if (e.step() != SetupStep.CLONE) {
            return false;
        }
        if (errno == 28 || errno == 87 /* EUSERS */) {
            return "0".equals(org.sandbox4j.internal.ProcFiles.read("/proc/sys/user/max_user_namespaces"));
        }
        return errno == 1 || errno == 13;
    }

    static String cause(int errno) {
        return HostDiagnosis.cause(errno).words();
    }

    /**
     * The Landlock ruleset that stands for the jail's mount namespace, network and pid namespaces.
     *
     * @throws IllegalStateException naming the call that best effort cannot translate
     */
    static @Nullable LandlockRuleset rules(List<MountOp> ops, @Nullable Path rootDir, Set<Namespace> shared,
            @Nullable LandlockRuleset user) {
        boolean newMount = !shared.contains(Namespace.MOUNT);
        if (newMount && rootDir != null) {
            throw refuse("chroot(" + rootDir + ")", "a jail root needs a mount namespace; bind the directories the"
                    + " program needs with readOnly(...) instead");
        }
        if (newMount && !ops.isEmpty() && user != null) {
            throw refuse("landlock(...)", "the mount operations become a Landlock ruleset of their own, and one jail"
                    + " gets one; put the rules into the mount operations, or use share(MOUNT) with landlock(...)");
        }
        LandlockRuleset.Builder b = LandlockRuleset.builder().compatibility(Compatibility.BEST_EFFORT);
        boolean fsRules = false;
        if (user != null) {
            // share(MOUNT) with a ruleset: the caller's ruleset is the file-system layer as it is.
            for (LandlockRuleset.PathRule r : user.pathRules()) {
                b.allow(r.path(), r.rights());
            }
            EnumSet<AccessFs> everywhere = EnumSet.allOf(AccessFs.class);
            everywhere.removeAll(user.handledFs());
            b.allowEverywhere(everywhere.toArray(new AccessFs[0]));
            for (LandlockRuleset.PortRule p : user.portRules()) {
                for (var right : p.rights()) {
                    if (right == org.sandbox4j.landlock.AccessNet.BIND_TCP) {
                        b.allowTcpBind(p.port());
                    } else {
                        b.allowTcpConnect(p.port());
                    }
                }
            }
            for (var right : user.handledNet()) {
                if (right == org.sandbox4j.landlock.AccessNet.BIND_TCP) {
                    b.denyTcpBind();
                } else {
                    b.denyTcpConnect();
                }
            }
            b.scope(user.scopes().toArray(new Scope[0]));
            fsRules = !user.handledFs().isEmpty();
        } else if (newMount) {
            fsRules = true;
            List<String> writable = new ArrayList<>();
            List<String> granted = new ArrayList<>();
            for (MountOp op : ops) {
                translate(op, b, writable, granted);
            }
            // A file of the jail's own (readOnlySystem()'s minimal passwd and group, say) where no rule
            // grants anything places nothing and grants nothing: the program cannot read that path. Over a
            // granted path the program would read the host's file instead of the one asked for: refused.
            for (MountOp op : ops) {
                if (op instanceof MountOp.File f) {
                    for (String g : granted) {
                        if (beneath(f.target(), g)) {
                            throw refuse(op.describe(), "it would show the host's file beneath " + g
                                    + " instead of its content; only a mount namespace can hold it");
                        }
                    }
                }
            }
        }
        if (!shared.contains(Namespace.NET)) {
            b.denyTcpBind().denyTcpConnect().scope(Scope.ABSTRACT_UNIX_SOCKET);
        }
        if (!shared.contains(Namespace.PID)) {
            b.scope(Scope.SIGNAL);
        }
        if (!fsRules) {
            b.allowEverywhere(AccessFs.values());
        }
        try {
            return b.build();
        } catch (IllegalStateException nothing) {
            return null; // everything shared and no ruleset: nothing for Landlock to do
        }
    }

    private static void translate(MountOp op, LandlockRuleset.Builder b, List<String> writable, List<String> granted) {
        if (op instanceof MountOp.Bind bind) {
            if (!bind.source().equals(bind.target())) {
                throw refuse(op.describe(), "a bind to another path needs a mount namespace; bind the path where it is");
            }
            if (bind.optional() && !Files.exists(Path.of(bind.source()))) {
                return;
            }
            if (bind.readOnly()) {
                b.readOnly(bind.target());
            } else {
                b.readWrite(bind.target());
                writable.add(bind.target());
            }
            granted.add(bind.target());
        } else if (op instanceof MountOp.Proc p) {
            if (!p.target().equals("/proc")) {
                throw refuse(op.describe(), "the host's /proc can only be used at /proc");
            }
            b.readOnly("/proc");
            granted.add("/proc");
        } else if (op instanceof MountOp.Dev d) {
            if (!d.target().equals("/dev") || d.withPts()) {
                throw refuse(op.describe(), d.withPts() ? "the host's /dev/pts would make the host's terminals writable"
                        : "the host's devices can only be used at /dev");
            }
            for (String n : DEV_NODES) {
                b.allow(n, AccessFs.READ_FILE, AccessFs.WRITE_FILE);
            }
        } else if (op instanceof MountOp.Tmpfs || op instanceof MountOp.Dir || op instanceof MountOp.Symlink
                || op instanceof MountOp.File) {
            // Grants nothing: see the class comment.
        } else if (op instanceof MountOp.Hide || op instanceof MountOp.RemountReadOnly) {
            List<String> covering = op instanceof MountOp.Hide ? granted : writable;
            for (String g : covering) {
                if (beneath(op.target(), g) || beneath(g, op.target())) {
                    throw refuse(op.describe(), "a rule grants access beneath " + g + ", and Landlock rules only add"
                            + " rights; leave the path out of the rules instead");
                }
            }
        } else {
            throw refuse(op.describe(), "it places content that only a mount namespace can hold");
        }
    }

    private static boolean beneath(String path, String dir) {
        return path.equals(dir) || dir.equals("/") || path.startsWith(dir + "/");
    }

    private static IllegalStateException refuse(String call, String why) {
        return new IllegalStateException("bestEffort(): " + call + " has no meaning without namespaces: " + why
                + " (see docs/deployment.md)");
    }

    /**
     * unshare, setns and clone with a namespace flag answer EPERM; clone3 ENOSYS (glibc then uses
     * clone). setsid and setpgid answer EPERM too: without a pid namespace the launcher kills the
     * jail through its process group, which a process leaving it would escape.
     */
    static SeccompPolicy.Builder namespaceRefusal(SeccompPolicy.Builder b) {
        SeccompAction eperm = SeccompAction.errno(1);
        b.errno(1, "unshare", "setns", "setsid", "setpgid");
        b.rule("clone", eperm, ArgCondition.maskedNe(0, SeccompPolicies.CLONE_NEW_MASK, 0));
        b.errno(38, "clone3");
        return b;
    }

    /** The jail's policy with namespace creation refused ahead of its own rules. */
    static SeccompPolicy withNamespaceRefusal(@Nullable SeccompPolicy policy) {
        if (policy == null) {
            return namespaceRefusal(SeccompPolicy.builder(SeccompAction.ALLOW)).build();
        }
        return namespaceRefusal(SeccompPolicy.builder(policy.defaultAction())).include(policy)
                .allowArch(policy.extraArches().toArray(new Arch[0])).build();
    }

    /** Whether {@code program} already refuses unshare(CLONE_NEWUSER). */
    static boolean refusesNamespaces(SeccompProgram program) {
        int nr = Syscalls.number(program.arch(), "unshare").orElseThrow();
        SeccompAction a = BpfInterpreter.run(program, SeccompData.of(program.arch(), nr, 0x10000000L)).action();
        return a != SeccompAction.ALLOW && a != SeccompAction.LOG;
    }
}
