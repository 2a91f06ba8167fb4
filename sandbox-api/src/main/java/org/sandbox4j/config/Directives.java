package org.sandbox4j.config;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.Namespace;
import org.sandbox4j.Network;
import org.sandbox4j.Sandbox;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.internal.TextFiles;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.BindOption;
import org.sandbox4j.seccomp.SeccompParseException;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.seccomp.SeccompProgram;

/**
 * The one table of directives: each name, whether it takes a value, and the builder call it makes.
 * The configuration file and the {@code sandbox4j run} options both go through {@link #apply}, so
 * {@code ro-bind /usr} in a file and {@code --ro-bind /usr} on the command line cannot drift apart.
 */
public final class Directives {
    private Directives() {}

    /** What a directive takes. */
    enum Kind {
        /** no value: {@code ro-system} */
        FLAG,
        /** one value: {@code tmpfs /tmp} */
        VALUE,
        /** a value, or a heredoc body: {@code seccomp-string <<EOF} */
        VALUE_OR_BODY,
        /** a value and a heredoc body: {@code file /etc/hosts <<EOF} */
        VALUE_AND_BODY
    }

    private static final Map<String, Kind> KINDS = new LinkedHashMap<>();
    private static final Map<String, String> HELP = new LinkedHashMap<>();

    private static void def(String name, Kind kind, String help) {
        KINDS.put(name, kind);
        HELP.put(name, help);
    }

    static {
        // file system, applied in order
        def("ro-bind", Kind.VALUE, "SRC[:DST]  bind host SRC read-only at DST (default: the same path)");
        def("bind", Kind.VALUE, "SRC[:DST]  bind host SRC read-write at DST");
        def("ro-bind-no-symlinks", Kind.VALUE, "SRC[:DST]  like ro-bind, but setup fails if a component of SRC is a"
                + " symbolic link (for sources a jail could have written)");
        def("bind-no-symlinks", Kind.VALUE, "SRC[:DST]  like bind, refusing symbolic links in SRC");
        def("ro-bind-try", Kind.VALUE, "PATH  like ro-bind PATH, skipped when PATH does not exist on the host");
        def("tmpfs", Kind.VALUE, "DST[:SIZE]  an empty tmpfs at DST, at most SIZE bytes (suffix k, m, g; more than 0)");
        def("proc", Kind.VALUE, "DST  a new /proc of the jail's pid namespace");
        def("dev", Kind.VALUE, "DST  a minimal /dev (null, zero, full, random, urandom, tty, fd links)");
        def("dev-pts", Kind.VALUE, "DST  like dev, plus a private devpts (pts, ptmx) for programs that open ptys");
        def("symlink", Kind.VALUE, "TEXT:PATH  a symbolic link at PATH pointing to TEXT");
        def("dir", Kind.VALUE, "PATH  an empty directory (mode 0755) with its parents");
        def("file", Kind.VALUE_AND_BODY, "PATH <<EOF  a read-only file with the heredoc's text (config files only)");
        def("hide", Kind.VALUE, "PATH  make PATH unreadable (empty tmpfs over a directory, /dev/null over a file)");
        def("remount-ro", Kind.VALUE, "PATH  make the mount at PATH read-only");
        def("ro-system", Kind.FLAG, "/usr read-only, /bin, /sbin, /lib, /lib64 as on the host, /etc/ld.so.cache");
        def("chroot", Kind.VALUE, "DIR  host DIR (read-only) as the jail's root instead of an empty tmpfs");
        def("chroot-rw", Kind.VALUE, "DIR  like chroot, but DIR stays writable");
        // identity, namespaces
        def("uid", Kind.VALUE, "N  the uid inside the jail (default 65534)");
        def("gid", Kind.VALUE, "N  the gid inside the jail (default 65534)");
        def("host-ids", Kind.VALUE, "UID:GID  the host ids the jail's ids map to (root only; default 65534:65534)");
        // id ranges (issue 17): repeatable; unprivileged callers get what /etc/subuid, /etc/subgid grant
        def("uid-map", Kind.VALUE, "IN:OUT[:COUNT]  map uids IN.. to host uids OUT.. (repeatable; nsjail -U)");
        def("gid-map", Kind.VALUE, "IN:OUT[:COUNT]  map gids IN.. to host gids OUT.. (repeatable; nsjail -G)");
        def("hostname", Kind.VALUE, "NAME  the jail's host name (default sandbox)");
        def("net", Kind.VALUE, "none|host  none: a new network namespace with loopback only (default)");
        def("share", Kind.VALUE, "NS  keep the host's namespace NS: user, mount, pid, net, ipc, uts, cgroup");
        def("runtime", Kind.VALUE, "native|gvisor  what runs the jail: the launcher (default) or gVisor's runsc"
                + " (docs/runtimes.md)");
        // process
        def("env", Kind.VALUE, "NAME=VALUE  an environment variable (the environment is empty otherwise)");
        def("inherit-env", Kind.VALUE, "NAME  copy NAME from sandbox4j's own environment, when set");
        def("cwd", Kind.VALUE, "DIR  the working directory inside the jail (default /)");
        def("rlimit", Kind.VALUE, "NAME=SOFT[:HARD]  a resource limit (nofile, nproc, as, cpu, fsize, ...); inf");
        // cgroup limits (docs/resources.md)
        def("memory-max", Kind.VALUE, "SIZE  memory of the whole jail, tmpfs pages included; no swap beyond it (64M, 1G)");
        def("swap-max", Kind.VALUE, "SIZE  swap on top of memory-max (default 0)");
        def("pids-max", Kind.VALUE, "N  processes and threads at once (default 512, best effort)");
        def("cpu-max", Kind.VALUE, "CORES  CPU time as cores (0.5 = half a core; cpu.max)");
        def("cgroup-parent", Kind.VALUE, "DIR  where the jails' cgroups go (a delegated cgroup v2 directory)");
        def("cgroup-best-effort", Kind.FLAG, "rlimits instead of cgroup limits that cannot be applied (reported)");
        def("cap-keep", Kind.VALUE, "CAP  keep capability CAP inside the jail's user namespace");
        def("time-limit", Kind.VALUE, "SECONDS  kill the jail after SECONDS of wall-clock time (decimals allowed)");
        def("setup-timeout", Kind.VALUE, "SECONDS  give up when building the jail takes longer (default 60)");
        def("keep-fd", Kind.VALUE, "N[:M]  pass the caller's open fd N to the program as fd M (default N)");
        def("exec-directly", Kind.FLAG, "the program is pid 1 itself (no init that forwards signals and reaps)");
        def("same-session", Kind.FLAG, "keep the caller's session: the program may use its terminal and TIOCSTI");
        // seccomp
        def("seccomp", Kind.VALUE, "PROFILE|FILE  a precompiled profile or a kafel-style policy file");
        def("seccomp-string", Kind.VALUE_OR_BODY, "POLICY  a kafel-style policy, inline or as a heredoc");
        def("no-seccomp", Kind.FLAG, "no seccomp filter at all, not even the default deny list");
        // ---- best effort (issue 14) -----------------------------------------------------------------
        def("best-effort", Kind.FLAG, "where the host refuses namespaces (a container, AppArmor), confine with"
                + " Landlock, seccomp and rlimits instead of failing, and say what was applied (docs/deployment.md)");
        def("best-effort-require", Kind.VALUE, "LIST  best effort, failing unless it applies each of LIST (comma-"
                + "separated: files, tcp, scopes, seccomp)");
        // ---- EXTENSION POINT: Landlock ------------------------------------------------------------
        // Reserved names for Landlock rules (docs/config.md#landlock). When Sandbox.Builder gains its
        // Landlock calls, give each name its Kind and a case in apply(); until then they fail with a
        // message saying so, so a file written for a newer sandbox4j is never half-applied.
        def("landlock-ro", Kind.VALUE, "PATH  (reserved) Landlock: PATH readable");
        def("landlock-rw", Kind.VALUE, "PATH  (reserved) Landlock: PATH readable and writable");
        def("landlock-connect", Kind.VALUE, "PORT  (reserved) Landlock: TCP connect to PORT allowed");
        def("landlock-bind", Kind.VALUE, "PORT  (reserved) Landlock: TCP bind to PORT allowed");
    }

    /** The directive names, in documentation order. */
    public static List<String> names() {
        return List.copyOf(KINDS.keySet());
    }

    /** One line of help per directive: {@code name  ARGS  what it does}. */
    public static Map<String, String> help() {
        return Collections.unmodifiableMap(HELP);
    }

    /** True for directives that take no value ({@code ro-system}, {@code no-seccomp}, ...). */
    public static boolean isFlag(String name) {
        return KINDS.get(name) == Kind.FLAG;
    }

    /** True when {@code name} is a directive. */
    public static boolean exists(String name) {
        return KINDS.containsKey(name);
    }

    static @Nullable Kind kind(String name) {
        return KINDS.get(name);
    }

    /**
     * Applies one directive to the builder and says which builder call it made.
     *
     * @param baseDir where relative host paths (bind sources, seccomp files) are resolved: the
     *     config file's directory, or the current directory for command-line options
     * @throws ConfigException naming the directive's place and what to fix
     */
    public static String apply(Sandbox.Builder b, Directive d, Path baseDir) {
        Kind kind = KINDS.get(d.name());
        if (kind == null) {
            throw d.error("unknown directive" + suggestion(d.name()));
        }
        String v = d.value();
        if (kind == Kind.FLAG && !v.isEmpty()) {
            throw d.error("takes no value");
        }
        if ((kind == Kind.VALUE || kind == Kind.VALUE_AND_BODY) && v.isEmpty()) {
            throw d.error("needs a value: " + d.name() + " " + HELP.get(d.name()));
        }
        if (kind == Kind.VALUE && d.body() != null) {
            throw d.error("takes no heredoc");
        }
        try {
            return applyChecked(b, d, v, baseDir);
        } catch (ConfigException e) {
            throw e;
        } catch (SeccompParseException e) {
            throw seccompError(d, e, null);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw d.error(String.valueOf(e.getMessage()));
        }
    }

    private static String applyChecked(Sandbox.Builder b, Directive d, String v, Path baseDir) {
        switch (d.name()) {
            case "ro-bind": {
                String[] sd = srcDst(d, v, baseDir);
                b.readOnly(sd[0], sd[1]);
                return call("readOnly", sd[0], sd[1]);
            }
            case "bind": {
                String[] sd = srcDst(d, v, baseDir);
                b.readWrite(sd[0], sd[1]);
                return call("readWrite", sd[0], sd[1]);
            }
            case "ro-bind-no-symlinks": {
                String[] sd = srcDst(d, v, baseDir);
                b.readOnly(sd[0], sd[1], BindOption.NO_SYMLINKS);
                return withNoSymlinks(call("readOnly", sd[0], sd[1]));
            }
            case "bind-no-symlinks": {
                String[] sd = srcDst(d, v, baseDir);
                b.readWrite(sd[0], sd[1], BindOption.NO_SYMLINKS);
                return withNoSymlinks(call("readWrite", sd[0], sd[1]));
            }
            case "ro-bind-try":
                b.readOnlyIfExists(v);
                return call("readOnlyIfExists", v);
            case "tmpfs": {
                int colon = tmpfsSizeColon(v);
                if (colon > 0) {
                    String text = v.substring(colon + 1);
                    if (!text.matches("(?i)\\d+[kmg]?")) {
                        throw d.error("size '" + text + "' of tmpfs " + v.substring(0, colon)
                                + " is not a number with an optional k, m or g suffix");
                    }
                    long size = parseSize(d, text);
                    if (size <= 0) {
                        throw d.error("size '" + text + "' of tmpfs " + v.substring(0, colon)
                                + " must be more than 0 (the kernel reads 0 as unlimited)");
                    }
                    b.tmpfs(v.substring(0, colon), size);
                    return "tmpfs(\"" + v.substring(0, colon) + "\", " + size + ")";
                }
                b.tmpfs(v);
                return call("tmpfs", v);
            }
            case "proc":
                b.proc(v);
                return call("proc", v);
            case "dev":
                b.dev(v);
                return call("dev", v);
            case "dev-pts":
                b.devWithPts(v);
                return call("devWithPts", v);
            case "symlink": {
                int colon = v.lastIndexOf(":/");
                if (colon <= 0) {
                    throw d.error("expected TEXT:PATH with an absolute PATH, e.g. symlink usr/bin:/bin");
                }
                b.symlink(v.substring(0, colon), v.substring(colon + 1));
                return call("symlink", v.substring(0, colon), v.substring(colon + 1));
            }
            case "dir":
                b.dir(v);
                return call("dir", v);
            case "file": {
                if (d.body() == null) {
                    throw d.error("needs its content as a heredoc: file " + v + " <<EOF ... EOF (config files only)");
                }
                byte[] content = (d.body() + "\n").getBytes(StandardCharsets.UTF_8);
                b.file(v, content);
                return "file(\"" + v + "\", " + content.length + " bytes)";
            }
            case "hide":
                b.hide(v);
                return call("hide", v);
            case "remount-ro":
                b.remountReadOnly(v);
                return call("remountReadOnly", v);
            case "ro-system":
                b.readOnlySystem();
                return "readOnlySystem()";
            case "chroot":
            case "chroot-rw": {
                Path dir = baseDir.resolve(v).normalize();
                if (!Files.isDirectory(dir)) {
                    throw d.error("no such directory on the host: " + dir);
                }
                boolean rw = d.name().equals("chroot-rw");
                b.chroot(dir, rw);
                return "chroot(Path.of(\"" + dir + "\")" + (rw ? ", true" : "") + ")";
            }
            case "uid":
                b.uid(parseId(d, v));
                return "uid(" + v + ")";
            case "gid":
                b.gid(parseId(d, v));
                return "gid(" + v + ")";
            case "host-ids": {
                String[] ug = v.split(":", -1);
                if (ug.length != 2) {
                    throw d.error("expected UID:GID, e.g. 65534:65534");
                }
                b.hostIds(parseId(d, ug[0]), parseId(d, ug[1]));
                return "hostIds(" + ug[0] + ", " + ug[1] + ")";
            }
            case "uid-map":
            case "gid-map": {
                org.sandbox4j.IdMap m = org.sandbox4j.IdMap.parse(v);
                if (d.name().equals("uid-map")) {
                    b.uidMap(m.inside(), m.outside(), m.count());
                } else {
                    b.gidMap(m.inside(), m.outside(), m.count());
                }
                return (d.name().equals("uid-map") ? "uidMap(" : "gidMap(") + m.toString().replace(":", ", ") + ")";
            }
            case "hostname":
                b.hostname(v);
                return call("hostname", v);
            case "runtime": {
                org.sandbox4j.runtime.JailRuntime r = org.sandbox4j.runtime.JailRuntime.parse(v);
                b.runtime(r);
                return "runtime(JailRuntime." + r.name() + ")";
            }
            case "net":
                switch (v.toLowerCase(Locale.ROOT)) {
                    case "none":
                        b.network(Network.NONE);
                        return "network(Network.NONE)";
                    case "host":
                        b.network(Network.HOST);
                        return "network(Network.HOST)";
                    default:
                        throw d.error("expected none or host");
                }
            case "share": {
                Namespace ns = Namespace.parse(v);
                b.share(ns);
                return "share(Namespace." + ns.name() + ")";
            }
            case "env": {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw d.error("expected NAME=VALUE");
                }
                b.env(v.substring(0, eq), v.substring(eq + 1));
                return call("env", v.substring(0, eq), v.substring(eq + 1));
            }
            case "inherit-env":
                b.inheritEnv(v);
                return call("inheritEnv", v) + (System.getenv(v) == null ? " (not set here: skipped)" : "");
            case "cwd":
                b.cwd(v);
                return call("cwd", v);
            case "rlimit":
                return rlimit(b, d, v);
            case "memory-max": {
                long bytes = parseMemory(d, v);
                b.memoryLimit(bytes);
                return "memoryLimit(" + bytes + "L)";
            }
            case "swap-max": {
                long bytes = v.strip().equals("0") ? 0 : parseMemory(d, v);
                b.swapLimit(bytes);
                return "swapLimit(" + bytes + "L)";
            }
            case "pids-max": {
                long n;
                try {
                    n = Long.parseLong(v.strip());
                } catch (NumberFormatException e) {
                    throw d.error("expected a number of processes, e.g. 64");
                }
                try {
                    b.pidsLimit(n);
                } catch (IllegalArgumentException e) {
                    throw d.error(e.getMessage());
                }
                return "pidsLimit(" + n + ")";
            }
            case "cpu-max": {
                double cores;
                try {
                    cores = Double.parseDouble(v.strip());
                    b.cpuLimit(cores);
                } catch (IllegalArgumentException e) {
                    throw d.error("expected CPU cores, e.g. 0.5 or 2 (" + e.getMessage() + ")");
                }
                return "cpuLimit(" + cores + ")";
            }
            case "cgroup-parent":
                b.cgroupParent(Path.of(v));
                return call("cgroupParent", v);
            case "cgroup-best-effort":
                b.cgroupCompatibility(org.sandbox4j.landlock.Compatibility.BEST_EFFORT);
                return "cgroupCompatibility(Compatibility.BEST_EFFORT)";
            case "cap-keep": {
                Capability c = Capability.parse(v);
                b.keepCapabilities(c);
                return "keepCapabilities(Capability." + c.name() + ")";
            }
            case "time-limit": {
                Duration t = parseSeconds(d, v);
                b.timeLimit(t);
                return "timeLimit(Duration.ofMillis(" + t.toMillis() + "))";
            }
            case "setup-timeout": {
                Duration t = parseSeconds(d, v);
                b.setupTimeout(t);
                return "setupTimeout(Duration.ofMillis(" + t.toMillis() + "))";
            }
            case "keep-fd": {
                String[] nm = v.split(":", -1);
                if (nm.length > 2) {
                    throw d.error("expected N or N:M");
                }
                int fd = parseInt(d, nm[0]);
                int target = nm.length == 2 ? parseInt(d, nm[1]) : fd;
                if (target < 3) {
                    throw d.error("stdin, stdout and stderr are always passed; give a fd >= 3");
                }
                b.keepFd(fd, target);
                return "keepFd(" + fd + ", " + target + ")";
            }
            case "exec-directly":
                b.execDirectly();
                return "execDirectly()";
            case "same-session":
                b.sameSession();
                return "sameSession()";
            case "seccomp":
                return seccomp(b, d, v, baseDir);
            case "seccomp-string": {
                String text = d.body() != null ? d.body() : v;
                if (d.body() != null && !v.isEmpty()) {
                    throw d.error("give the policy either after the name or as a heredoc, not both");
                }
                SeccompPolicy p = SeccompPolicy.parse(text);
                b.seccomp(p);
                return "seccomp(SeccompPolicy.parse(...)): " + describe(p);
            }
            case "no-seccomp":
                b.noSeccomp();
                return "noSeccomp()";
            case "best-effort":
                b.bestEffort();
                return "bestEffort()";
            case "best-effort-require":
                return bestEffortRequire(b, d, v);
            case "landlock-ro":
            case "landlock-rw":
            case "landlock-connect":
            case "landlock-bind":
                // EXTENSION POINT: Landlock (see the table above).
                throw d.error("Landlock rules are reserved in the config format but this sandbox4j's builder has no"
                        + " Landlock call yet; remove the line, or use ro-bind/bind/hide to limit what the jail sees");
            default:
                throw new AssertionError(d.name());
        }
    }

    private static String bestEffortRequire(Sandbox.Builder b, Directive d, String v) {
        List<org.sandbox4j.Isolation.Feature> req = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (String w : v.split(",", -1)) {
            org.sandbox4j.Isolation.Feature f = null;
            for (org.sandbox4j.Isolation.Feature c : org.sandbox4j.Isolation.Feature.values()) {
                if (c != org.sandbox4j.Isolation.Feature.NAMESPACES && c.word().equals(w.strip())) {
                    f = c;
                }
            }
            if (f == null) {
                throw d.error("unknown best-effort feature '" + w.strip() + "'; expected files, tcp, scopes or seccomp");
            }
            req.add(f);
            words.add("Isolation.Feature." + f.name());
        }
        b.bestEffort(req.toArray(new org.sandbox4j.Isolation.Feature[0]));
        return "bestEffort(" + String.join(", ", words) + ")";
    }

    /** The seccomp program the default deny list compiles to, for reports. */
    public static SeccompProgram defaultSeccomp() {
        return SeccompPolicies.defaultDenyList().compile(Arch.current());
    }

    /** {@code "policy: default KILL_PROCESS, 27 rules, 61 BPF instructions on x86_64"}. */
    public static String describe(SeccompPolicy p) {
        SeccompProgram prog = p.compile(Arch.current());
        return "default " + p.defaultAction() + ", " + p.rules().size() + " rules, " + prog.length()
                + " BPF instructions on " + Arch.current()
                + (prog.skippedSyscalls().isEmpty() ? "" : "; unknown here: " + prog.skippedSyscalls());
    }

    private static String seccomp(Sandbox.Builder b, Directive d, String v, Path baseDir) {
        String profile = v.toUpperCase(Locale.ROOT).replace('-', '_');
        if (SeccompProfiles.names().contains(profile)) {
            SeccompProgram prog = SeccompProfiles.get(profile, Arch.current());
            b.seccomp(prog);
            return "seccompProfile(\"" + profile + "\"): " + prog.length() + " BPF instructions on " + Arch.current();
        }
        Path file = baseDir.resolve(v).normalize();
        if (!Files.isRegularFile(file)) {
            throw d.error("neither a profile (" + String.join(", ", SeccompProfiles.names()) + ") nor a policy file ("
                    + file + " does not exist)");
        }
        try {
            SeccompPolicy p = SeccompPolicy.parse(file); // resolves its #includes next to it
            b.seccomp(p);
            return "seccomp(SeccompPolicy.parse(" + file + ")): " + describe(p);
        } catch (SeccompParseException e) {
            throw seccompError(d, e, file.toString());
        }
    }

    /** A policy mistake at its own line: the heredoc's line in the config, or the policy file's. */
    private static ConfigException seccompError(Directive d, SeccompParseException e, @Nullable String file) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (file != null) {
            // the message names the file (the policy's own, or the included one at fault)
            return d.error("seccomp policy " + (e.file() != null ? "" : file + ": ") + msg);
        }
        if (d.body() != null && d.bodyLine() > 0 && e.line() > 0) {
            return new ConfigException(d.source(), d.bodyLine() + e.line() - 1, "seccomp policy: " + msg);
        }
        if (d.line() == 0) {
            return new ConfigException(d.source(), 0, "--" + d.name() + ": " + msg);
        }
        return new ConfigException(d.source(), d.line(), d.name() + ": policy " + msg);
    }

    private static long parseMemory(Directive d, String v) {
        try {
            long bytes = org.sandbox4j.cgroup.CgroupLimits.parseBytes(v);
            if (bytes < (1L << 20)) {
                throw d.error(v + " is below 1 MiB; give a unit, e.g. 64M");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw d.error(e.getMessage());
        }
    }

    private static String rlimit(Sandbox.Builder b, Directive d, String v) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
            throw d.error("expected NAME=SOFT[:HARD], e.g. nofile=64 or as=1g:inf");
        }
        Rlimit r = Rlimit.parse(v.substring(0, eq).trim());
        String vals = v.substring(eq + 1);
        int colon = vals.indexOf(':');
        long soft = parseLimit(d, colon < 0 ? vals : vals.substring(0, colon));
        long hard = colon < 0 ? soft : parseLimit(d, vals.substring(colon + 1));
        b.rlimit(r, soft, hard);
        return "rlimit(Rlimit." + r.name() + ", " + limit(soft) + ", " + limit(hard) + ")";
    }

    private static String limit(long v) {
        return v == Rlimit.INFINITY ? "INFINITY" : Long.toString(v);
    }

    /** A limit: a number with an optional k, m, g suffix (powers of 1024), or inf/unlimited/infinity. */
    static long parseLimit(Directive d, String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("inf") || t.equals("unlimited") || t.equals("infinity")) {
            return Rlimit.INFINITY;
        }
        if (!t.matches("\\d+[kmg]?")) {
            throw d.error("'" + s + "' is not a number (suffix k, m or g allowed), inf or unlimited");
        }
        return parseSize(d, t);
    }

    static long parseSize(Directive d, String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("k")) {
            mult = 1L << 10;
        } else if (t.endsWith("m")) {
            mult = 1L << 20;
        } else if (t.endsWith("g")) {
            mult = 1L << 30;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw d.error("'" + s + "' is not a size (a number with an optional k, m or g suffix)");
        }
    }

    static Duration parseSeconds(Directive d, String v) {
        try {
            long ms = new BigDecimal(v.trim()).movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
            if (ms <= 0) {
                throw d.error("must be positive");
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException | ArithmeticException e) {
            throw d.error("expected a number of seconds, e.g. 10 or 0.5");
        }
    }

    private static int parseId(Directive d, String v) {
        try {
            int id = Integer.parseUnsignedInt(v.trim());
            if (id == -1) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw d.error("'" + v + "' is not an id: expected a number from 0 to 4294967294");
        }
    }

    private static int parseInt(Directive d, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw d.error("'" + v + "' is not a number");
        }
    }

    /**
     * {@code SRC} or {@code SRC:DST}. DST is absolute, so the split is at the last ':' followed by
     * '/'. A relative SRC is resolved against {@code baseDir}; DST defaults to SRC made absolute.
     */
    static String[] srcDst(Directive d, String v, Path baseDir) {
        String src = v;
        String dst = null;
        int colon = v.lastIndexOf(":/");
        if (colon > 0) {
            src = v.substring(0, colon);
            dst = v.substring(colon + 1);
        } else if (v.endsWith(":")) {
            throw d.error("expected SRC or SRC:DST with an absolute DST");
        }
        String abs = baseDir.resolve(src).normalize().toString();
        return new String[] {abs, dst == null ? abs : dst};
    }

    /**
     * Where the size starts in a tmpfs {@code DST[:SIZE]}, or -1: after the last colon, anything
     * starting like a number is a size and must be one ("/tmp:123bogus" or "/tmp:-1" is an error, not
     * a tmpfs at a path with a colon).
     */
    static int tmpfsSizeColon(String v) {
        int colon = v.lastIndexOf(':');
        return colon > 0 && v.substring(colon + 1).matches("[-+]?\\d.*") ? colon : -1;
    }

    private static String withNoSymlinks(String call) {
        return call.substring(0, call.length() - 1) + ", NO_SYMLINKS)";
    }

    private static String call(String method, String... args) {
        List<String> q = new ArrayList<>();
        for (String a : args) {
            q.add("\"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return method + "(" + String.join(", ", q) + ")";
    }

    /** {@code "; did you mean 'ro-bind'?"} for a near miss, with a hint for nsjail's config format. */
    static String suggestion(String name) {
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        // No directive is longer than 20 characters: a longer name is no near miss, and its edit
        // distance to each directive would cost time in proportion to its length.
        for (String n : name.length() > 64 ? List.<String>of() : KINDS.keySet()) {
            int dist = distance(name, n);
            if (dist < bestDist) {
                bestDist = dist;
                best = n;
            }
        }
        if (best != null && bestDist <= Math.max(2, name.length() / 3)) {
            return "; did you mean '" + best + "'?";
        }
        return " (directives: " + String.join(", ", KINDS.keySet()) + "; see docs/config.md)";
    }

    private static int distance(String a, String b) {
        return org.sandbox4j.internal.EditDistance.between(a, b);
    }
}
