package org.sandbox4j.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Errno;
import org.sandbox4j.Namespace;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SetupStep;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.cgroup.CgroupLimits;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.MountOp;

/**
 * A jail as an OCI runtime bundle (config.json and a root directory), as runsc and other OCI
 * runtimes read it. The mapping of each builder call is the table in docs/runtimes.md; {@link
 * #check} refuses what has none.
 */
final class OciSpec {
    private OciSpec() {}

    /** The default rlimits of a native jail that the bundle carries too (Sandbox's class doc). */
    static final long DEFAULT_NOFILE = 1024;
    static final long DEFAULT_NPROC = CgroupLimits.DEFAULT_PIDS;

    /** One entry of the config's {@code mounts}. */
    record Mount(String destination, String type, String source, List<String> options) {}

    /**
     * Refuses what a bundle cannot say; {@code target} names the runtime or format in the message.
     *
     * @throws RuntimeOptionException naming the builder call
     */
    static void check(JailSettings s, String target) {
        for (Namespace n : s.shared()) {
            if (n != Namespace.NET) {
                throw new RuntimeOptionException(target, "share(" + n + ")", "gVisor is a kernel of its own, so a jail"
                        + " under it shares none of the host's namespaces but the network (network(HOST))");
            }
        }
        if (s.hostUid() >= 0) {
            throw new RuntimeOptionException(target, "hostIds(" + s.hostUid() + ", " + s.hostGid() + ")",
                    "the ids inside gVisor are its own; files on the host are accessed as runsc's user");
        }
        if (!s.uidMaps().isEmpty() || !s.gidMaps().isEmpty()) {
            throw new RuntimeOptionException(target, !s.uidMaps().isEmpty() ? "uidMap(...)" : "gidMap(...)",
                    "id ranges map host ids into a user namespace of the host kernel; gVisor's ids are its own");
        }
        if (!s.keptFds().isEmpty()) {
            throw new RuntimeOptionException(target, "keepFd(" + s.keptFds().get(0)[0] + ")",
                    "runsc run passes only stdin, stdout and stderr to the program");
        }
        if (!s.newSession()) {
            throw new RuntimeOptionException(target, "sameSession()",
                    "the program runs without the caller's controlling terminal under gVisor");
        }
        if (s.seccompProgram() != null && !s.seccompDefault()) {
            throw new RuntimeOptionException(target, "seccomp(...)", "the program's system calls are served by gVisor's"
                    + " Sentry, not the host kernel, so a filter compiled for the host kernel does not apply; keep the"
                    + " default (which gVisor's own filters stand in for) or call noSeccomp()");
        }
        if (s.reportViolations()) {
            throw new RuntimeOptionException(target, "reportViolations(true)", "there is no host seccomp filter to report from");
        }
        if (s.recording()) {
            throw new RuntimeOptionException(target, "recordSyscalls(...)", "the program's system calls never reach the"
                    + " host kernel; use runsc's own --strace");
        }
        if (s.landlock() != null) {
            throw new RuntimeOptionException(target, "landlock(...)", "Landlock confines host processes; the program's"
                    + " file access is served by gVisor's gofer, and the mounts already decide what it sees");
        }
        if (s.cgroupLimits().any()) {
            throw new RuntimeOptionException(target, s.cgroupLimits().describe(), "cgroup limits are not mapped to"
                    + " runsc yet (rootless runsc cannot apply them); use the native runtime, or rlimits");
        }
        if (s.bestEffort()) {
            throw new RuntimeOptionException(target, "bestEffort(...)", "best effort is the native runtime's answer to a"
                    + " host that refuses namespaces; runsc needs them too");
        }
        if (s.rootNoSymlinks()) {
            throw new RuntimeOptionException(target, "chroot(..., NO_SYMLINKS)", "the bundle's root is opened by runsc,"
                    + " which does not refuse symbolic links in its path");
        }
        List<MountOp> mounts = new ArrayList<>();
        for (MountOp op : s.ops()) {
            if (op instanceof MountOp.Bind b && b.noSymlinks()) {
                throw new RuntimeOptionException(target, op.describe(), "runsc's gofer opens the source itself and does"
                        + " not refuse symbolic links in its path");
            }
            if (op instanceof MountOp.Dir || op instanceof MountOp.File || op instanceof MountOp.Symlink) {
                if (s.rootDir() != null) {
                    throw new RuntimeOptionException(target, op.describe() + " with chroot(" + s.rootDir() + ")",
                            "the bundle's root is then the host directory itself, which it would have to write into");
                }
                for (MountOp m : mounts) {
                    if (beneath(op.target(), m.target())) {
                        throw new RuntimeOptionException(target, op.describe() + " after " + m.describe(),
                                "a bundle's files are made in its root before the mounts; write them to a host"
                                        + " directory and bind it instead");
                    }
                }
            } else if (op instanceof MountOp.RemountReadOnly r) {
                if (!r.target().equals("/") && mounts.stream().noneMatch(m -> m.target().equals(r.target()))) {
                    throw new RuntimeOptionException(target, op.describe(), "only a mount made by an earlier call"
                            + " (or the root) can be made read-only in a bundle");
                }
            } else {
                mounts.add(op);
            }
        }
    }

    private static boolean beneath(String path, String dir) {
        return path.equals(dir) || path.startsWith(dir.endsWith("/") ? dir : dir + "/");
    }

    /** The bundle's mounts, in the builder's order; {@code host} answers whether a hidden path is a directory. */
    static List<Mount> mounts(JailSettings s) {
        List<Mount> out = new ArrayList<>();
        for (MountOp op : s.ops()) {
            if (op instanceof MountOp.Bind b) {
                if (b.optional() && !Files.exists(Path.of(b.source()))) {
                    continue;
                }
                List<String> o = new ArrayList<>(List.of("rbind", b.readOnly() ? "ro" : "rw", "nosuid"));
                o.add(b.allowDevices() ? "dev" : "nodev");
                out.add(new Mount(b.target(), "bind", b.source(), o));
            } else if (op instanceof MountOp.Tmpfs t) {
                long size = t.sizeBytes() > 0 ? t.sizeBytes() : org.sandbox4j.Sandbox.DEFAULT_TMPFS_BYTES;
                // owned by the jail's user, as the launcher's tmpfs is, or mode 0755 would keep it out
                List<String> o = new ArrayList<>(List.of("nosuid", "nodev", "size=" + size,
                        "mode=" + Integer.toOctalString(t.mode()), "uid=" + Integer.toUnsignedString(s.uid()),
                        "gid=" + Integer.toUnsignedString(s.gid())));
                if (t.sizeBytes() == 0) {
                    o.add("nr_inodes=" + org.sandbox4j.Sandbox.DEFAULT_TMPFS_INODES);
                }
                if (t.readOnly()) {
                    o.add("ro");
                }
                out.add(new Mount(t.target(), "tmpfs", "tmpfs", o));
            } else if (op instanceof MountOp.Proc p) {
                out.add(new Mount(p.target(), "proc", "proc", List.of("nosuid", "nodev", "noexec")));
            } else if (op instanceof MountOp.Dev d) {
                out.add(new Mount(d.target(), "tmpfs", "tmpfs", List.of("nosuid", "mode=755")));
            } else if (op instanceof MountOp.Hide h) {
                Path host = hostPath(s, h.target(), null);
                if (host != null && Files.isDirectory(host)) {
                    out.add(new Mount(h.target(), "tmpfs", "tmpfs", List.of("ro", "nosuid", "nodev", "size=4096", "mode=0")));
                } else if (host != null && Files.exists(host)) {
                    out.add(new Mount(h.target(), "bind", "/dev/null", List.of("bind", "ro", "nosuid", "nodev")));
                }
            } else if (op instanceof MountOp.RemountReadOnly r) {
                for (int i = out.size() - 1; i >= 0; i--) {
                    Mount m = out.get(i);
                    if (m.destination().equals(r.target())) {
                        List<String> o = new ArrayList<>(m.options());
                        o.remove("rw");
                        if (!o.contains("ro")) {
                            o.add("ro");
                        }
                        out.set(i, new Mount(m.destination(), m.type(), m.source(), o));
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Where a path inside the jail is on the host at start: under the last bind that covers it, or
     * in the root directory ({@code rootfs}, or the chroot directory); null inside a tmpfs, proc or
     * dev, or when the root is not known yet.
     */
    static @Nullable Path hostPath(JailSettings s, String jailPath, @Nullable Path rootfs) {
        jailPath = followLinks(s, jailPath);
        List<MountOp> ops = s.ops();
        for (int i = ops.size() - 1; i >= 0; i--) {
            MountOp op = ops.get(i);
            if (op instanceof MountOp.RemountReadOnly || op instanceof MountOp.Hide
                    || op instanceof MountOp.Dir || op instanceof MountOp.File || op instanceof MountOp.Symlink) {
                continue;
            }
            if (beneath(jailPath, op.target())) {
                if (op instanceof MountOp.Bind b) {
                    String rest = jailPath.substring(b.target().length());
                    return Path.of(b.source() + rest);
                }
                return null;
            }
        }
        Path root = s.rootDir() != null ? s.rootDir() : rootfs;
        return root == null ? null : root.resolve(jailPath.substring(1));
    }

    /** {@code path} with the jail's own symbolic links ({@code symlink(...)} calls) in its directories resolved. */
    static String followLinks(JailSettings s, String path) {
        for (int hops = 0; hops < 40; hops++) {
            String replaced = null;
            for (MountOp op : s.ops()) {
                if (op instanceof MountOp.Symlink l && path.startsWith(l.target() + "/")) {
                    String parent = l.target().substring(0, l.target().lastIndexOf('/') + 1);
                    String base = l.linkText().startsWith("/") ? l.linkText() : parent + l.linkText();
                    replaced = java.nio.file.Path.of(base + path.substring(l.target().length())).normalize().toString();
                }
            }
            if (replaced == null) {
                return path;
            }
            path = replaced;
        }
        return path;
    }

    /**
     * The program as an absolute path inside the jail: a bare name is looked up in the jail's PATH
     * (or {@code /usr/local/bin:/usr/bin:/bin}), as the launcher does.
     *
     * @throws SandboxSetupException (EXECVE, ENOENT) when the program is not in the jail
     */
    static String program(JailSettings s, String program, @Nullable Path rootfs) throws SandboxSetupException {
        if (program.startsWith("/")) {
            Path host = hostPath(s, program, rootfs);
            if (host != null && !Files.exists(host) && !written(s, program)) {
                throw notFound(program);
            }
            return program;
        }
        String path = s.env().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.startsWith("/")) {
                continue;
            }
            String cand = (dir.endsWith("/") ? dir : dir + "/") + program;
            Path host = hostPath(s, cand, rootfs);
            if (host != null && Files.isExecutable(host) || written(s, cand)) {
                return cand;
            }
        }
        throw notFound(program);
    }

    private static boolean written(JailSettings s, String path) {
        return s.ops().stream().anyMatch(op -> (op instanceof MountOp.File || op instanceof MountOp.Symlink)
                && op.target().equals(path));
    }

    private static SandboxSetupException notFound(String program) {
        return new SandboxSetupException(SetupStep.EXECVE, Errno.valueOf("ENOENT"), program,
                "no such program in the jail", null, "bind the directory that holds it (e.g. readOnlySystem())");
    }

    /**
     * Fails as the launcher would for a bind whose source is missing ({@code BIND}, ENOENT, naming the
     * call), before runsc is started.
     */
    static void checkSources(JailSettings s) throws SandboxSetupException {
        for (MountOp op : s.ops()) {
            if (op instanceof MountOp.Bind b && !b.optional() && !Files.exists(Path.of(b.source()))) {
                throw new SandboxSetupException(SetupStep.BIND, Errno.valueOf("ENOENT"), b.source(),
                        "bind mount " + b.source() + " -> " + b.target() + ": no such file or directory", op.describe(), null);
            }
        }
        if (s.rootDir() != null && !Files.isDirectory(s.rootDir())) {
            throw new SandboxSetupException(SetupStep.ROOT, Errno.valueOf("ENOENT"), s.rootDir().toString(),
                    "the chroot directory does not exist", "chroot(" + s.rootDir() + ")", null);
        }
        if (s.rootDir() != null) {
            // runsc would create a missing mount point in the host directory; the jail must not write there
            for (Mount m : mounts(s)) {
                Path p = s.rootDir().resolve(m.destination().substring(1));
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new SandboxSetupException(SetupStep.MKDIR, Errno.valueOf("ENOENT"), m.destination(),
                            "the mount point is missing in the chroot directory " + s.rootDir()
                                    + " (runsc would create it there); create it, or use the default root", null, null);
                }
            }
        }
    }

    /** Makes the bundle's root: mount points for the mounts, then the dirs, files and symlinks. */
    static void prepareRoot(JailSettings s, Path rootfs) throws IOException {
        for (Mount m : mounts(s)) {
            Path p = rootfs.resolve(m.destination().substring(1));
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            boolean file = m.type().equals("bind") && !Files.isDirectory(Path.of(m.source()));
            Files.createDirectories(file ? p.getParent() : p);
            if (file) {
                Files.createFile(p);
            }
        }
        for (MountOp op : s.ops()) {
            Path p = rootfs.resolve(op.target().substring(1));
            if (op instanceof MountOp.Dir d) {
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, perms(d.mode()));
            } else if (op instanceof MountOp.File f) {
                Files.createDirectories(p.getParent());
                Files.write(p, f.content());
                Files.setPosixFilePermissions(p, perms(f.mode()));
            } else if (op instanceof MountOp.Symlink l) {
                Files.createDirectories(p.getParent());
                Files.deleteIfExists(p);
                Files.createSymbolicLink(p, Path.of(l.linkText()));
            }
        }
    }

    static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }

    /** The rlimits of the jail: the caller's, and the native defaults for NOFILE, CORE and NPROC. */
    static Map<Rlimit, long[]> rlimits(JailSettings s) {
        Map<Rlimit, long[]> out = new java.util.EnumMap<>(Rlimit.class);
        out.put(Rlimit.NOFILE, new long[] {DEFAULT_NOFILE, DEFAULT_NOFILE});
        out.put(Rlimit.CORE, new long[] {0, 0});
        out.put(Rlimit.NPROC, new long[] {DEFAULT_NPROC, DEFAULT_NPROC});
        out.putAll(s.rlimits());
        return out;
    }

    /**
     * The config.json text.
     *
     * @param argv the command, its program already resolved ({@link #program})
     * @param rootPath the root directory as the config names it (relative to the bundle, or absolute)
     * @param rootReadOnly whether the root is read-only
     */
    static String config(JailSettings s, List<String> argv, String rootPath, boolean rootReadOnly) {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {\n    \"terminal\": false,\n");
        b.append("    \"user\": {\"uid\": ").append(Integer.toUnsignedString(s.uid())).append(", \"gid\": ")
                .append(Integer.toUnsignedString(s.gid())).append(", \"additionalGids\": []},\n");
        b.append("    \"args\": ").append(Json.strings(argv)).append(",\n");
        List<String> env = new ArrayList<>();
        s.env().forEach((k, v) -> env.add(k + "=" + v));
        b.append("    \"env\": ").append(Json.strings(env)).append(",\n");
        b.append("    \"cwd\": ").append(Json.str(s.cwd())).append(",\n");
        List<String> caps = new ArrayList<>();
        for (Capability c : s.keptCaps()) {
            caps.add("CAP_" + c.name());
        }
        String capList = Json.strings(caps);
        b.append("    \"capabilities\": {\"bounding\": ").append(capList).append(", \"effective\": ").append(capList)
                .append(", \"inheritable\": ").append(capList).append(", \"permitted\": ").append(capList)
                .append(", \"ambient\": ").append(capList).append("},\n");
        b.append("    \"rlimits\": [");
        boolean first = true;
        for (Map.Entry<Rlimit, long[]> e : rlimits(s).entrySet()) {
            b.append(first ? "\n" : ",\n").append("      {\"type\": \"RLIMIT_").append(e.getKey().name())
                    .append("\", \"soft\": ").append(Long.toUnsignedString(e.getValue()[0])).append(", \"hard\": ")
                    .append(Long.toUnsignedString(e.getValue()[1])).append('}');
            first = false;
        }
        b.append("\n    ],\n    \"noNewPrivileges\": true\n  },\n");
        b.append("  \"root\": {\"path\": ").append(Json.str(rootPath)).append(", \"readonly\": ").append(rootReadOnly)
                .append("},\n");
        if (s.hostname() != null) {
            b.append("  \"hostname\": ").append(Json.str(s.hostname())).append(",\n");
        }
        b.append("  \"mounts\": [");
        first = true;
        for (Mount m : mounts(s)) {
            b.append(first ? "\n" : ",\n").append("    {\"destination\": ").append(Json.str(m.destination()))
                    .append(", \"type\": ").append(Json.str(m.type())).append(", \"source\": ").append(Json.str(m.source()))
                    .append(", \"options\": ").append(Json.strings(m.options())).append('}');
            first = false;
        }
        b.append("\n  ],\n  \"linux\": {\n    \"namespaces\": [{\"type\": \"pid\"}, ");
        if (s.networkNone()) {
            b.append("{\"type\": \"network\"}, ");
        }
        b.append("{\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}");
        b.append("],\n    \"maskedPaths\": [], \"readonlyPaths\": []\n  }\n}\n");
        return b.toString();
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
