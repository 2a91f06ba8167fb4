package org.sandbox4j.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.IdMap;
import org.sandbox4j.Namespace;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.landlock.LandlockPlan;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.MountOp;

/**
 * A {@code Sandbox}'s choices as the launcher's spec (docs/architecture.md, "Spec (fd 3)"): the
 * records that do not depend on the command, encoded once per Sandbox, and the command's EXEC and
 * ARGV per start. The choices were validated by the builder; this class only decides how they go on
 * the wire (option bits, root kind, op kinds and flags, the default rlimits and tmpfs size, which
 * SECCOMP record).
 */
public final class SpecEncoder {
    /** The size of a tmpfs without one: 256 MiB (Sandbox.DEFAULT_TMPFS_BYTES). */
    public static final long DEFAULT_TMPFS_BYTES = 256L << 20;
    /** The inode limit of a tmpfs without a size (Sandbox.DEFAULT_TMPFS_INODES). */
    public static final long DEFAULT_TMPFS_INODES = 65536;

    private SpecEncoder() {}

    /** What a Sandbox holds that goes into its spec; the builder validated every value. */
    public record Jail(Set<Namespace> shared, @Nullable Path rootDir, boolean rootWritable, boolean rootNoSymlinks,
            List<MountOp> ops, int uid, int gid, int hostUid, int hostGid, List<IdMap> uidMaps, List<IdMap> gidMaps,
            @Nullable String hostname, Map<String, String> env, String cwd, Map<Rlimit, long[]> rlimits,
            long defaultNofile, Set<Capability> keptCaps, List<int[]> keptFds, @Nullable Duration timeLimit,
            boolean init, boolean newSession, boolean dieWithParent, @Nullable LandlockPlan landlock,
            boolean learn, boolean reportViolations, byte @Nullable [] seccompProgram) {}

    /** The records of {@code j} that every start shares, from the header to SECCOMP. */
    public static SpecWriter.Spec prefix(Jail j) {
        SpecWriter w = new SpecWriter(256 + j.ops().size() * 64).header();
        int clone = 0;
        for (Namespace ns : Namespace.values()) {
            if (!j.shared().contains(ns)) {
                clone |= ns.cloneFlag();
            }
        }
        int options = Wire.OPT_NO_NEW_PRIVS;
        if (j.init()) {
            options |= Wire.OPT_INIT;
        }
        if (j.newSession()) {
            options |= Wire.OPT_NEW_SESSION;
        }
        if (j.dieWithParent()) {
            options |= Wire.OPT_DIE_WITH_PARENT;
        }
        boolean newMount = !j.shared().contains(Namespace.MOUNT);
        Path rootDir = j.rootDir();
        if (newMount && (rootDir == null || !j.rootWritable())) {
            options |= Wire.OPT_ROOT_READONLY;
        }
        if (!j.shared().contains(Namespace.NET)) {
            options |= Wire.OPT_LOOPBACK_UP;
        }
        w.flags(clone, options);
        w.ids(j.uid(), j.gid(), j.hostUid(), j.hostGid());
        for (IdMap m : j.uidMaps()) {
            w.idmap(Wire.IDMAP_UID, m.inside(), m.outside(), m.count());
        }
        for (IdMap m : j.gidMaps()) {
            w.idmap(Wire.IDMAP_GID, m.inside(), m.outside(), m.count());
        }
        if (j.hostname() != null) {
            w.hostname(j.hostname());
        }
        int noSymlinks = j.rootNoSymlinks() ? Wire.ROOT_F_NO_SYMLINKS : 0;
        if (!newMount) {
            w.root(rootDir == null ? Wire.ROOT_HOST : Wire.ROOT_CHROOT, rootDir != null ? noSymlinks : 0,
                    rootDir == null ? "" : rootDir.toString());
        } else if (rootDir != null) {
            w.root(Wire.ROOT_BIND, (j.rootWritable() ? Wire.ROOT_F_WRITABLE : 0) | noSymlinks, rootDir.toString());
        } else {
            w.root(Wire.ROOT_TMPFS, 0, "");
        }
        for (int i = 0; i < j.ops().size(); i++) {
            op(w, i, j.ops().get(i));
        }
        List<String> envList = new ArrayList<>(j.env().size());
        j.env().forEach((k, v) -> envList.add(k + "=" + v));
        w.strings(Wire.REC_ENV, envList);
        w.cwd(j.cwd());
        j.rlimits().forEach((r, v) -> w.rlimit(r.resource(), v[0], v[1]));
        if (!j.rlimits().containsKey(Rlimit.NOFILE)) {
            w.rlimit(Rlimit.NOFILE.resource(), j.defaultNofile(), j.defaultNofile());
        }
        if (!j.rlimits().containsKey(Rlimit.CORE)) {
            w.rlimit(Rlimit.CORE.resource(), 0, 0);
        }
        long caps = 0;
        for (Capability c : j.keptCaps()) {
            caps |= 1L << c.number();
        }
        w.caps(caps);
        for (int i = 0; i < j.keptFds().size(); i++) {
            w.fdmap(Wire.FD_FIRST_KEPT + i, j.keptFds().get(i)[1]);
        }
        if (j.timeLimit() != null) {
            w.timeLimit(j.timeLimit().toMillis());
        }
        if (j.landlock() != null && j.landlock().applies()) {
            w.landlock(j.landlock());
        }
        if (j.learn()) {
            // Learning: every call goes to the launcher, which lets it run; the filter is unused.
            w.seccomp(0, Wire.SUPERVISE_LEARN, SpecWriter.RET_ALLOW_PROGRAM);
        } else if (j.seccompProgram() != null) {
            w.seccomp(0, j.reportViolations() ? Wire.SUPERVISE_REPORT : 0, j.seccompProgram());
        }
        return w.toSpec();
    }

    /** A writer holding {@code prefix} and the command's EXEC and ARGV records; cgroup records may follow. */
    public static SpecWriter withCommand(SpecWriter.Spec prefix, List<String> command) {
        SpecWriter w = new SpecWriter(prefix.bytes().length + 64 + command.size() * 32);
        return w.raw(prefix).exec(command.get(0)).strings(Wire.REC_ARGV, command);
    }

    private static void op(SpecWriter w, int i, MountOp op) {
        byte[] none = new byte[0];
        if (op instanceof MountOp.Bind b) {
            int f = (b.readOnly() ? Wire.OPF_READ_ONLY : 0) | (b.allowDevices() ? Wire.OPF_ALLOW_DEVICES : 0)
                    | (b.optional() ? Wire.OPF_OPTIONAL : 0) | (b.noSymlinks() ? Wire.OPF_NO_SYMLINKS : 0);
            w.op(i, Wire.OP_BIND, f, 0, b.source(), b.target(), none);
        } else if (op instanceof MountOp.Tmpfs t) {
            // Without a size: the default cap, bytes and inodes ("SIZE,INODES"), so that a jail cannot
            // fill the host's memory through /tmp (tmpfs pages are not counted by RLIMIT_AS).
            String spec = t.sizeBytes() > 0 ? Long.toString(t.sizeBytes()) : DEFAULT_TMPFS_BYTES + "," + DEFAULT_TMPFS_INODES;
            w.op(i, Wire.OP_TMPFS, t.readOnly() ? Wire.OPF_READ_ONLY : 0, t.mode(), "", t.target(),
                    spec.getBytes(StandardCharsets.US_ASCII));
        } else if (op instanceof MountOp.Proc p) {
            w.op(i, Wire.OP_PROC, 0, 0, "", p.target(), none);
        } else if (op instanceof MountOp.Dev d) {
            w.op(i, Wire.OP_DEV, d.withPts() ? Wire.OPF_WITH_PTS : 0, 0, "", d.target(), none);
        } else if (op instanceof MountOp.Symlink s) {
            w.op(i, Wire.OP_SYMLINK, 0, 0, s.linkText(), s.target(), none);
        } else if (op instanceof MountOp.Dir d) {
            w.op(i, Wire.OP_DIR, 0, d.mode(), "", d.target(), none);
        } else if (op instanceof MountOp.File f) {
            w.op(i, Wire.OP_FILE, 0, f.mode(), "", f.target(), f.content());
        } else if (op instanceof MountOp.Hide h) {
            w.op(i, Wire.OP_HIDE, 0, 0, "", h.target(), none);
        } else if (op instanceof MountOp.RemountReadOnly r) {
            w.op(i, Wire.OP_REMOUNT_RO, 0, 0, "", r.target(), none);
        } else {
            throw new AssertionError(op);
        }
    }
}
