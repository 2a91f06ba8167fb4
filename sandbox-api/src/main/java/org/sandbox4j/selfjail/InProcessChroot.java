package org.sandbox4j.selfjail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.Arch;
import org.sandbox4j.Errno;
import org.sandbox4j.SandboxException;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;

/**
 * Confines the running JVM to a prepared directory without re-executing it: {@code chroot(2)}, then
 * a switch to an unprivileged uid/gid on every thread, then a seccomp filter on every thread (TSYNC)
 * that denies chroot, mounts, namespaces, ptrace and the rest of {@link
 * SeccompPolicies#defaultDenyList()}. For a process that holds CAP_SYS_CHROOT (root, or a service
 * given that capability) and cannot be re-executed.
 *
 * <pre>{@code
 * // everything the application will still open must be inside /srv/app-root at the same paths:
 * // the JDK (already-open files such as lib/modules keep working), jars loaded later, /tmp, /dev/urandom
 * InProcessChroot.enter(Path.of("/srv/app-root"), 65534, 65534);
 * }</pre>
 *
 * <p>Process-wide: the root directory lives in the process's fs struct, which every JVM thread shares
 * (HotSpot creates threads with pthread_create, i.e. CLONE_FS). The uid switch goes through glibc's
 * setresuid, which glibc applies to every thread; leaving uid 0 clears the effective and permitted
 * capabilities of every thread (no SECBIT_KEEP_CAPS), so CAP_SYS_CHROOT, CAP_MKNOD, CAP_SYS_ADMIN and
 * the rest are gone. The filter denies chroot even to a process that regains privileges.
 *
 * <p>Limits (see docs/self-jail.md): file descriptors opened before the call still reach the host.
 * A directory fd would be a way out, so {@link #enter} refuses to run while any fd leads outside the
 * directory, judged by what each fd is (a walk up from every directory fd, deleted or O_PATH or
 * received over a socket; see {@link OutsideFds}), not by its name; files, sockets, pipes and memory
 * mappings stay usable. The check runs before the chroot: a thread that opens a directory outside
 * while {@code enter} runs is not seen, so call it while no other thread opens files; no new namespaces, so the host's processes, network and
 * IPC stay visible; the uid must own nothing sensitive inside the directory; irreversible.
 */
public final class InProcessChroot {
    private InProcessChroot() {}

    /**
     * Chroots the JVM to {@code dir}, switches every thread to {@code uid}/{@code gid} (not 0) with
     * no supplementary groups, and installs {@link SeccompPolicies#defaultDenyList()} on every thread.
     *
     * @throws SandboxException naming the step that failed; steps before it stay applied
     */
    public static void enter(Path dir, int uid, int gid) throws SandboxException {
        enter(dir, uid, gid, SeccompPolicies.defaultDenyList());
    }

    /**
     * Like {@link #enter(Path, int, int)} with another seccomp policy, which must deny {@code chroot}
     * (checked).
     */
    public static void enter(Path dir, int uid, int gid, SeccompPolicy policy) throws SandboxException {
        enter(dir, uid, gid, policy, true);
    }

    /** {@code checkDescriptors} is false only in the tests' control, which shows what the check stops. */
    static void enter(Path dir, int uid, int gid, SeccompPolicy policy, boolean checkDescriptors)
            throws SandboxException {
        if (uid == 0 || gid == 0) {
            throw new IllegalArgumentException("uid and gid must not be 0: root keeps capabilities that escape a chroot");
        }
        byte[] filter = checkedFilter(policy);
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new SandboxException("chroot " + root + ": not a directory");
        }
        List<String> outside = checkDescriptors ? descriptorsLeadingOutside(root) : List.of();
        if (!outside.isEmpty()) {
            throw new SandboxException("chroot " + root + ": open file descriptors lead outside it (fchdir() to one"
                    + " and a walk up with .. would leave the chroot): " + String.join("; ", outside)
                    + "; close them first (nothing was changed)");
        }
        // A prestarted launcher started by an earlier jail runs outside the new root with this JVM's
        // privileges: it stops serving, so no later jail is built from the host's files.
        org.sandbox4j.internal.PrestartedLauncher.retireCurrent();
        LibC.bindAll(); // after chroot the class path's directories may be gone: no class loads then
        if (LibC.chroot(root.toString()) != 0) {
            throw fail("chroot " + root, LibC.errno(), "the process needs CAP_SYS_CHROOT; nothing was changed");
        }
        if (LibC.chdir("/") != 0) {
            throw fail("chdir / after chroot", LibC.errno(), "the root is changed");
        }
        if (LibC.clearGroups() != 0) {
            throw fail("setgroups(0)", LibC.errno(), "the root is changed");
        }
        if (LibC.setresgid(gid, gid, gid) != 0) {
            throw fail("setresgid(" + gid + ")", LibC.errno(), "the root is changed");
        }
        if (LibC.setresuid(uid, uid, uid) != 0) {
            throw fail("setresuid(" + uid + ")", LibC.errno(), "the root and gid are changed");
        }
        if (LibC.noNewPrivs() != 0) {
            throw fail("prctl(PR_SET_NO_NEW_PRIVS)", LibC.errno(), "the root and ids are changed");
        }
        long r = LibC.seccompTsync(filter, 0);
        if (r != 0) {
            throw r < 0 ? fail("seccomp(SET_MODE_FILTER, TSYNC)", (int) -r, "the root and ids are changed")
                    : new SandboxException("seccomp TSYNC: thread " + r + " could not be synchronized (it has"
                            + " another filter); the root and ids are changed, no filter was installed");
        }
    }

    private static byte[] checkedFilter(SeccompPolicy policy) {
        org.sandbox4j.seccomp.SeccompData chroot = chrootCall();
        if (policy.evaluate(Arch.current(), chroot).equals(org.sandbox4j.seccomp.SeccompAction.ALLOW)) {
            throw new IllegalArgumentException("the seccomp policy allows chroot, which would reopen the chroot escape");
        }
        return policy.compile(Arch.current()).toBytes();
    }

    private static org.sandbox4j.seccomp.SeccompData chrootCall() {
        int nr = Arch.current() == Arch.AARCH64 ? 51 : 161;
        return org.sandbox4j.seccomp.SeccompData.of(Arch.current(), nr);
    }

    /**
     * Open descriptors that would lead outside {@code root} after the chroot (see {@link OutsideFds}
     * for the rule); empty when there are none.
     */
    static List<String> descriptorsLeadingOutside(Path root) {
        return OutsideFds.find(root);
    }

    private static SandboxException fail(String what, int errno, String state) {
        return new SandboxException(what + ": " + Errno.describe(errno) + " (" + state + ")");
    }
}
